"""The database enforces the contract: exact JSON text (entry order kept), `db_user`, bounds, and on
PostgreSQL a write path inside the database (see `configadmin/db/pg_write_path.py`).

Upgrades in place: values and history stay as they are and keep verifying (their entries are hash
format 1); the new rules (CHECKs `NOT VALID`, format-2 hashes, database time) apply from the first
new row on. Reader heartbeats are transient and start afresh.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from configadmin.db.pg_write_path import STATEMENTS

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_NAMES = ("category ~ '^[a-z][a-z0-9_]*$' AND key ~ '^[a-z][a-z0-9_]*$' "
          "AND environment ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'")
# Control and format characters (zero-width, bidi overrides) that would make a name lie on screen.
_HIDDEN = "'[[:cntrl:]\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]'"

PG_COLUMNS = [
    "ALTER TABLE system_configuration ALTER COLUMN value TYPE json USING value::json",
    "ALTER TABLE configuration_audit ALTER COLUMN old_value TYPE json USING old_value::json",
    "ALTER TABLE configuration_audit ALTER COLUMN new_value TYPE json USING new_value::json",
    "ALTER TABLE configuration_audit ADD COLUMN db_user varchar(150)",
    "ALTER TABLE configuration_audit ADD COLUMN hash_format smallint NOT NULL DEFAULT 1",
    "ALTER TABLE configuration_audit ALTER COLUMN hash_format SET DEFAULT 2",
    """
    DO $$
    DECLARE
        seq text := pg_get_serial_sequence('system_configuration', 'id');
        start bigint;
    BEGIN
        ALTER TABLE system_configuration ALTER COLUMN id DROP DEFAULT;
        IF seq IS NOT NULL THEN
            EXECUTE 'DROP SEQUENCE ' || seq;
        END IF;
        ALTER TABLE system_configuration ALTER COLUMN id TYPE bigint;
        SELECT coalesce(max(id), 0) + 1 INTO start FROM system_configuration;
        EXECUTE format('ALTER TABLE system_configuration ALTER COLUMN id '
                       'ADD GENERATED ALWAYS AS IDENTITY (START WITH %s)', start);
    END $$""",
    "DELETE FROM config_reader",
    "ALTER TABLE config_reader ADD COLUMN db_user varchar(150) NOT NULL",
    "ALTER TABLE config_reader DROP CONSTRAINT config_reader_pkey",
    "ALTER TABLE config_reader ADD PRIMARY KEY (db_user, reader_id)",
    "ALTER TABLE config_reader ADD CONSTRAINT ck_config_reader_revision CHECK (revision >= 0)",
]
PG_CHECKS = [
    f"ALTER TABLE system_configuration ADD CONSTRAINT ck_system_configuration_names CHECK ({_NAMES}) "
    "NOT VALID",
    "ALTER TABLE system_configuration ADD CONSTRAINT ck_system_configuration_value_size "
    "CHECK (octet_length(value::text) <= 16777216) NOT VALID",
    "ALTER TABLE system_configuration ADD CONSTRAINT ck_system_configuration_value_type "
    "CHECK (configadmin_value_ok(category, key, value)) NOT VALID",
    "ALTER TABLE system_configuration ADD CONSTRAINT ck_system_configuration_updated_by "
    f"CHECK (updated_by !~ {_HIDDEN}) NOT VALID",
    f"ALTER TABLE configuration_audit ADD CONSTRAINT ck_configuration_audit_names CHECK ({_NAMES}) "
    "NOT VALID",
    "ALTER TABLE configuration_audit ADD CONSTRAINT ck_configuration_audit_reason "
    "CHECK (char_length(reason) <= 2000) NOT VALID",
    "ALTER TABLE configuration_audit ADD CONSTRAINT ck_configuration_audit_actor "
    f"CHECK (actor !~ {_HIDDEN}) NOT VALID",
    f"""INSERT INTO configuration_audit_head (id, hash)
        SELECT coalesce(max(id), 0),
               coalesce((SELECT hash FROM configuration_audit ORDER BY id DESC LIMIT 1), '{GENESIS}')
          FROM configuration_audit""",
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER configuration_audit_no_update BEFORE UPDATE ON configuration_audit
       BEGIN SELECT RAISE(ABORT, 'configuration_audit is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER configuration_audit_no_delete BEFORE DELETE ON configuration_audit
       BEGIN SELECT RAISE(ABORT, 'configuration_audit is append-only: DELETE refused'); END""",
]


def _postgres() -> None:
    bind = op.get_bind()
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar()
    quoted = '"' + str(schema).replace('"', '""') + '"'
    for statement in PG_COLUMNS + [s.replace("@SCHEMA@", quoted) for s in STATEMENTS] + PG_CHECKS:
        op.execute(statement)


def _sqlite() -> None:
    """JSON columns become TEXT (a column named JSON has numeric affinity: SQLite would turn the
    text 1e5 into the number 100000.0 and lose the text that was hashed)."""
    op.execute("DROP TRIGGER IF EXISTS configuration_audit_no_update")
    op.execute("DROP TRIGGER IF EXISTS configuration_audit_no_delete")
    with op.batch_alter_table("system_configuration", recreate="always") as batch:
        batch.alter_column("value", type_=sa.Text(), existing_nullable=False)
    with op.batch_alter_table("configuration_audit", recreate="always") as batch:
        batch.alter_column("old_value", type_=sa.Text(), existing_nullable=True)
        batch.alter_column("new_value", type_=sa.Text(), existing_nullable=True)
        batch.add_column(sa.Column("db_user", sa.String(150)))
        batch.add_column(sa.Column("hash_format", sa.SmallInteger, nullable=False, server_default="1"))
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("DELETE FROM config_reader")
    with op.batch_alter_table("config_reader") as batch:
        batch.add_column(sa.Column("db_user", sa.String(150), nullable=False, server_default=""))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres()
    else:
        _sqlite()


def downgrade() -> None:
    raise NotImplementedError("0003 is not downgraded: restore a backup taken before `configadmin migrate`")
