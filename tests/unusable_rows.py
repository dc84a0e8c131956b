"""Planting a value no reader can use, as an old database or another program may hold one: written
past configadmin's write path (on PostgreSQL into a database of the test's own, its CHECKs
dropped: the database's checks are not what these tests are about), with an audit row so `history` and `verify-audit` meet it too."""
from __future__ import annotations

from sqlalchemy import create_engine, text

DEEP = "[" * 5000 + "]" * 5000


def plant(url: str, key: str, value_text: str, environment: str = "default") -> None:
    """Stores `value_text` as the live value of `category.key` and appends an audit row for it."""
    category, _, name = key.partition(".")
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    json_param = "CAST(:v AS json)" if postgres else ":v"
    try:
        with engine.begin() as conn:
            if postgres:  # a database of its own, as one from before the CHECKs and triggers
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                checks = conn.execute(text(
                    "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'c' "
                    "AND conrelid IN ('system_configuration'::regclass, 'configuration_audit'::regclass)"))
                for table, check in list(checks):
                    conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{check}"')
            version = conn.execute(text(
                "SELECT coalesce(max(version), 0) + 1 FROM system_configuration "
                "WHERE environment = :e AND category = :c AND key = :k"),
                {"e": environment, "c": category, "k": name}).scalar_one()
            conn.execute(text("DELETE FROM system_configuration WHERE environment = :e AND category = :c "
                              "AND key = :k"), {"e": environment, "c": category, "k": name})
            conn.execute(text(
                "INSERT INTO system_configuration (environment, category, key, value, is_active, version, "
                f"updated_by, updated_at) VALUES (:e, :c, :k, {json_param}, true, :ver, 'mallory', "
                "CURRENT_TIMESTAMP)"), {"e": environment, "c": category, "k": name, "v": value_text,
                                        "ver": version})
            next_id = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM configuration_audit")).scalar_one()
            conn.execute(text(
                "INSERT INTO configuration_audit (id, at, environment, category, key, action, old_value, "
                "new_value, version, actor, db_user, reason, client, prev_hash, hash, hash_format) VALUES "
                f"(:id, CURRENT_TIMESTAMP, :e, :c, :k, 'set', NULL, {json_param}, :ver, 'mallory', "
                "'mallory', 'planted', 'psql', :h, :h, 2)"),
                {"id": next_id, "e": environment, "c": category, "k": name, "v": value_text,
                 "ver": version, "h": "0" * 64})
            if postgres:  # the write function chains onto the head it keeps
                conn.execute(text("UPDATE configuration_audit_head SET id = :id, hash = :h"),
                             {"id": next_id, "h": "0" * 64})
    finally:
        engine.dispose()
