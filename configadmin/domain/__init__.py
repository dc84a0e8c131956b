"""Pure domain: no Qt, no SQLAlchemy. Values, validation, resolution, diff and merge."""
