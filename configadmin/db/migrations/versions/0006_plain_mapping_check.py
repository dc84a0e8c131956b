"""Faster saves of a large feature mapping (issue 22): the value CHECK answers the usual mapping
with a few whole-text checks, and the large JSON columns are compressed with lz4.

PostgreSQL only. What the database refuses is unchanged:
- `configadmin_plain_mapping` is true only for a compact `ml.feature_mapping` text whose every
  feature is plain ASCII (letters, digits, `_`, ` `, `.`, `-`, not ending in a space) and every column
  identifier-like with at most one dot, each at most 128 characters, no feature named twice, at
  most 1,000,000 entries: values 0005's per-entry query accepts. `configadmin_value_ok` (the CHECK)
  asks it first and only otherwise runs `configadmin_value_problem` (unchanged: it words every
  refusal). At 100,000 entries the per-entry query takes 400–650 ms here, these checks 30–100 ms.
- The stored value and the audit's old and new values are compressed with lz4 instead of pglz
  (a 3 MB mapping is written about 3x faster and read back the same). Rows already stored keep
  pglz; a server built without lz4 keeps pglz for all.
- `configadmin_idle_bound` (three calls a save) returns at once when the 15 s bound is set already
  instead of scanning `pg_settings` each time.

Every function is written out here (copied, never imported); the downgrade restores 0005's.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PATH = "SET search_path = pg_catalog, @SCHEMA@, pg_temp"
# One entry of the usual mapping as compact JSON text: nothing escaped, so the text is the value.
# Each name at most 128 characters (a column: 128 without a dot, 127 with one); bounded here, one
# pass over the text. Bracket expressions, not backslashes: no session setting changes them.
_FEATURE = "[A-Za-z0-9_]([A-Za-z0-9_ .-]{0,126}[A-Za-z0-9_.-])?"
_COLUMN = "([A-Za-z_][A-Za-z0-9_]{0,127}|[A-Za-z_][A-Za-z0-9_]{0,62}[.][A-Za-z_][A-Za-z0-9_]{0,62})"
_ENTRY = f'"{_FEATURE}":"{_COLUMN}"'
PLAIN_MAPPING = f"^[{{]({_ENTRY}(,{_ENTRY})*)?[}}]$"
COMPRESSED = (("system_configuration", "value"), ("configuration_audit", "old_value"),
              ("configuration_audit", "new_value"))

UPGRADE = [
    f"""
    CREATE FUNCTION configadmin_plain_mapping(p_category text, p_key text, p_value json)
    RETURNS boolean LANGUAGE plpgsql IMMUTABLE {PATH} AS $$
    DECLARE
        t text;
        n bigint;
    BEGIN
        IF p_category <> 'ml' OR p_key <> 'feature_mapping' THEN
            RETURN false;
        END IF;
        t := p_value::text;
        IF t !~ '{PLAIN_MAPPING}' THEN  -- e.g. a feature of 129 to 200 characters: the query decides
            RETURN false;
        END IF;
        IF t = '{{}}' THEN
            RETURN true;
        END IF;
        n := octet_length(t) - octet_length(replace(t, ',', '')) + 1;  -- no name holds a comma
        -- jsonb keeps one entry per feature. Its size is 8 bytes of header, 8 per entry and the
        -- names' bytes, which is the text's length + 7 + 2n only when no feature is named twice.
        RETURN n <= 1000000 AND pg_column_size(p_value::jsonb) = octet_length(t) + 7 + 2 * n;
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_value_ok(p_category text, p_key text, p_value json)
    RETURNS boolean LANGUAGE sql IMMUTABLE {PATH} AS $$
        SELECT CASE WHEN configadmin_plain_mapping(p_category, p_key, p_value) THEN true
                    ELSE configadmin_value_problem(p_category, p_key, p_value) IS NULL END
    $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_idle_bound() RETURNS void LANGUAGE plpgsql {PATH} AS $$
    DECLARE
        current_ms bigint;
    BEGIN  -- a write transaction left open ends after 15 s (a lower setting is kept)
        IF current_setting('idle_in_transaction_session_timeout') = '15s' THEN
            RETURN;  -- set already (a save calls this three times): no scan of pg_settings
        END IF;
        current_ms := (SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout');
        IF current_ms = 0 OR current_ms > 15000 THEN
            PERFORM set_config('idle_in_transaction_session_timeout', '15s', true);
        END IF;
    END $$""",
    "DO $$ BEGIN\n" + "".join(f"    ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4;\n"
                              for table, column in COMPRESSED)
    + "EXCEPTION WHEN feature_not_supported THEN NULL;  -- a server built without lz4\nEND $$",
]

DOWNGRADE = [
    f"""
    CREATE OR REPLACE FUNCTION configadmin_value_ok(p_category text, p_key text, p_value json)
    RETURNS boolean LANGUAGE sql IMMUTABLE {PATH} AS $$
        SELECT configadmin_value_problem(p_category, p_key, p_value) IS NULL
    $$""",
    "DROP FUNCTION configadmin_plain_mapping(text, text, json)",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_idle_bound() RETURNS void LANGUAGE plpgsql {PATH} AS $$
    DECLARE
        current_ms bigint := (SELECT setting::bigint FROM pg_settings
                               WHERE name = 'idle_in_transaction_session_timeout');
    BEGIN  -- a write transaction left open ends after 15 s (a lower setting is kept)
        IF current_ms = 0 OR current_ms > 15000 THEN
            PERFORM set_config('idle_in_transaction_session_timeout', '15s', true);
        END IF;
    END $$""",
    *(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default" for table, column in COMPRESSED),
]


def _run(statements: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    quoted = '"' + str(schema).replace('"', '""') + '"'
    for statement in statements:
        op.execute(statement.replace("@SCHEMA@", quoted))


def upgrade() -> None:
    _run(UPGRADE)


def downgrade() -> None:
    _run(DOWNGRADE)
