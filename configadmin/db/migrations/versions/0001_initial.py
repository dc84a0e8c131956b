"""The shared schema: live values, the append-only hash-chained audit, reader heartbeats.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

PG_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION configuration_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'configuration_audit is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """CREATE TRIGGER configuration_audit_no_update BEFORE UPDATE OR DELETE ON configuration_audit
       FOR EACH ROW EXECUTE FUNCTION configuration_audit_append_only()""",
    """CREATE TRIGGER configuration_audit_no_truncate BEFORE TRUNCATE ON configuration_audit
       FOR EACH STATEMENT EXECUTE FUNCTION configuration_audit_append_only()""",
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER configuration_audit_no_update BEFORE UPDATE ON configuration_audit
       BEGIN SELECT RAISE(ABORT, 'configuration_audit is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER configuration_audit_no_delete BEFORE DELETE ON configuration_audit
       BEGIN SELECT RAISE(ABORT, 'configuration_audit is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "system_configuration",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_by", sa.String(150)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("environment", "category", "key", name="uq_system_configuration_setting"),
    )
    op.create_table(
        "configuration_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("old_value", JSON),
        sa.Column("new_value", JSON),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("client", sa.String(255)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_setting", "configuration_audit", ["environment", "category", "key", "id"])
    op.create_index("ix_audit_actor", "configuration_audit", ["actor", "id"])
    op.create_index("ix_audit_at", "configuration_audit", ["at"])
    op.create_table(
        "config_reader",
        sa.Column("reader_id", sa.String(255), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True)),
        sa.Column("last_seen", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_config_reader_last_seen", "config_reader", ["last_seen"])
    triggers = PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS configuration_audit_no_truncate ON configuration_audit")
        op.execute("DROP TRIGGER IF EXISTS configuration_audit_no_update ON configuration_audit")
        op.execute("DROP FUNCTION IF EXISTS configuration_audit_append_only()")
    op.drop_table("config_reader")
    op.drop_table("configuration_audit")
    op.drop_table("system_configuration")
