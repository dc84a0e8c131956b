"""`configadmin serve` (DESIGN §9): the seed's HTTP API and a change relay, so that a fleet of readers
shares a few database connections. Starlette is imported only in this package (the `serve` extra)."""
