"""Everything SQLAlchemy, Alembic and psycopg2: tables, engine, repository, migrations, notification."""
