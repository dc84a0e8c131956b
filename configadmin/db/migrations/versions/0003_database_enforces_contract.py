"""The database enforces the contract: exact JSON text (entry order kept), `db_user`, bounds, and on
PostgreSQL a write path inside the database (WRITE_PATH below).

Upgrades in place: values and history stay as they are and keep verifying (their entries are hash
format 1); the new rules (CHECKs `NOT VALID`, format-2 hashes, database time) apply from the first
new row on. Reader heartbeats are transient and start afresh.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


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
# PostgreSQL's write path. Editors, viewers and readers hold no INSERT/UPDATE/DELETE on the tables;
# they call these SECURITY DEFINER functions, owned by the schema owner with a fixed `search_path`.
# Triggers on `system_configuration` do the auditing, so *whatever* changes a live row (a function
# call, or the owner's own raw UPDATE) writes exactly one audit row naming `session_user`, chained
# under a row lock on `configuration_audit_head`, a table no other role can lock. `@SCHEMA@` is
# replaced by the schema the tables live in. Frozen: a later change of the write path is a new
# migration that replaces these functions, never an edit here.
WRITE_PATH = [
    """
    CREATE TABLE configuration_audit_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        id bigint NOT NULL,
        hash varchar(64) NOT NULL
    )""",
    "REVOKE ALL ON configuration_audit_head FROM PUBLIC",
    """
    CREATE FUNCTION configadmin_value_ok(p_category text, p_key text, p_value json) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, @SCHEMA@, pg_temp AS $$
    DECLARE v jsonb;
    BEGIN
        IF p_category = 'ml' AND p_key = 'feature_mapping' THEN  -- strings only: no number to check
            RETURN json_typeof(p_value) = 'object'
                AND NOT EXISTS (SELECT 1 FROM json_each(p_value) e WHERE json_typeof(e.value) <> 'string');
        ELSIF p_category = 'ml' AND p_key = 'model_input_size' THEN
            RETURN json_typeof(p_value) = 'number' AND btrim(p_value::text, E' \\t\\n\\r') ~ '^-?[0-9]{1,18}$';
        END IF;
        -- Only a number with a 3-digit exponent or 255+ digits can lie beyond a double's range:
        -- other texts skip the (slower) jsonb parse.
        IF p_value::text !~ '[eE][+]?0*[1-9][0-9]{2}|[0-9]{255}' THEN
            RETURN true;
        END IF;
        BEGIN
            v := p_value::jsonb;
        EXCEPTION WHEN OTHERS THEN  -- e.g. \\u0000, which jsonb (and most readers) cannot hold
            RETURN false;
        END;
        RETURN NOT jsonb_path_exists(
            v, 'lax $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308))');
    END $$""",
    """
    CREATE FUNCTION configadmin_audit_field(t text) RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, @SCHEMA@, pg_temp AS $$
        SELECT CASE WHEN t IS NULL THEN '~' ELSE octet_length(convert_to(t, 'UTF8'))::text || ':' || t END
    $$""",
    """
    CREATE FUNCTION configadmin_change_before() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA@, pg_temp
    AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.id, NEW.environment, NEW.category, NEW.key)
                IS DISTINCT FROM (OLD.id, OLD.environment, OLD.category, OLD.key) THEN
            RAISE EXCEPTION 'a setting''s environment, category and key never change: save the value '
                'under its own name instead' USING ERRCODE = 'check_violation';
        END IF;
        -- The chain's head is serialised here; the time is read after the lock, so it never goes back.
        PERFORM 1 FROM configuration_audit_head FOR UPDATE;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        NEW.updated_at := clock_timestamp();
        NEW.version := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE OLD.version + 1 END;
        NEW.updated_by := left(coalesce(nullif(current_setting('configadmin.actor', true), ''),
                                        session_user::text), 150);
        RETURN NEW;
    END $$""",
    """
    CREATE FUNCTION configadmin_change_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA@, pg_temp
    AS $$
    DECLARE
        head configuration_audit_head%ROWTYPE;
        r system_configuration%ROWTYPE;
        v_old json;
        v_new json;
        v_version integer;
        v_at timestamptz;
        v_id bigint;
        v_hash text;
        v_action text := coalesce(nullif(current_setting('configadmin.action', true), ''), 'sql');
        v_actor text := left(coalesce(nullif(current_setting('configadmin.actor', true), ''),
                                      session_user::text), 150);
        v_reason text := nullif(current_setting('configadmin.reason', true), '');
        v_client text := nullif(current_setting('configadmin.client', true), '');
    BEGIN
        SELECT * INTO head FROM configuration_audit_head FOR UPDATE;  -- the newest head, locked
        IF TG_OP = 'DELETE' THEN
            r := OLD;
            v_version := OLD.version + 1;
            v_at := clock_timestamp();
        ELSE
            r := NEW;
            v_version := NEW.version;
            v_at := NEW.updated_at;
            IF NEW.is_active THEN
                v_new := NEW.value;
            END IF;
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.is_active THEN
            v_old := OLD.value;
        END IF;
        v_id := head.id + 1;
        v_hash := encode(sha256(convert_to(head.hash || '|' || concat_ws('|',
            configadmin_audit_field(v_id::text),
            configadmin_audit_field(to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                                    || '+00:00'),
            configadmin_audit_field(r.environment), configadmin_audit_field(r.category),
            configadmin_audit_field(r.key), configadmin_audit_field(v_action),
            configadmin_audit_field(v_old::text), configadmin_audit_field(v_new::text),
            configadmin_audit_field(v_version::text), configadmin_audit_field(v_actor),
            configadmin_audit_field(session_user::text), configadmin_audit_field(v_reason),
            configadmin_audit_field(v_client)), 'UTF8')), 'hex');
        INSERT INTO configuration_audit (id, at, environment, category, key, action, old_value,
                                         new_value, version, actor, db_user, reason, client,
                                         prev_hash, hash, hash_format)
        VALUES (v_id, v_at, r.environment, r.category, r.key, v_action, v_old, v_new,
                v_version, v_actor, session_user, v_reason, v_client, head.hash, v_hash, 2);
        UPDATE configuration_audit_head SET id = v_id, hash = v_hash;
        PERFORM pg_notify('configadmin', r.environment || ':' || v_id);
        RETURN NULL;
    END $$""",
    """
    CREATE FUNCTION configadmin_no_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, @SCHEMA@, pg_temp AS $$
    BEGIN
        RAISE EXCEPTION '% refused on %: every change is audited one row at a time', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER system_configuration_before BEFORE INSERT OR UPDATE OR DELETE
       ON system_configuration FOR EACH ROW EXECUTE FUNCTION configadmin_change_before()""",
    """CREATE TRIGGER system_configuration_audit AFTER INSERT OR UPDATE OR DELETE
       ON system_configuration FOR EACH ROW EXECUTE FUNCTION configadmin_change_audit()""",
    """CREATE TRIGGER system_configuration_no_truncate BEFORE TRUNCATE
       ON system_configuration FOR EACH STATEMENT EXECUTE FUNCTION configadmin_no_truncate()""",
    """
    CREATE FUNCTION configadmin_save(p_environment text, p_category text, p_key text, p_value text,
                                     p_active boolean, p_expected_version integer, p_action text,
                                     p_actor text, p_reason text, p_client text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA@, pg_temp SET lock_timeout = '5s' AS $$
    DECLARE
        cur system_configuration%ROWTYPE;
        v_constraint text;
    BEGIN
        IF p_action IS NULL OR p_action NOT IN ('set', 'reset', 'revert', 'import', 'promote',
                                               'activate', 'deactivate') THEN
            RAISE EXCEPTION 'unknown action %', quote_nullable(p_action) USING ERRCODE = 'check_violation';
        END IF;
        SELECT * INTO cur FROM system_configuration
         WHERE environment = p_environment AND category = p_category AND key = p_key FOR UPDATE;
        IF p_expected_version IS NOT NULL AND p_expected_version <> coalesce(cur.version, 0) THEN
            RAISE EXCEPTION '%.% was changed elsewhere: expected version %, found %', p_category, p_key,
                p_expected_version, coalesce(cur.version, 0) USING ERRCODE = 'CA001';
        END IF;
        PERFORM set_config('configadmin.action', p_action, true),
                set_config('configadmin.actor', coalesce(p_actor, ''), true),
                set_config('configadmin.reason', coalesce(p_reason, ''), true),
                set_config('configadmin.client', coalesce(p_client, ''), true);
        IF cur.id IS NULL THEN
            IF NOT p_active THEN
                RAISE EXCEPTION '%.% has no database value in %', p_category, p_key,
                    quote_literal(p_environment) USING ERRCODE = 'CA002';
            END IF;
            BEGIN
                INSERT INTO system_configuration (environment, category, key, value, is_active)
                VALUES (p_environment, p_category, p_key, p_value::json, true);
            EXCEPTION WHEN unique_violation THEN  -- a concurrent first save of the same setting
                GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
                IF v_constraint <> 'uq_system_configuration_setting' THEN
                    RAISE;
                END IF;
                IF p_expected_version IS NOT NULL THEN
                    RAISE EXCEPTION '%.% was changed elsewhere: expected version 0, found 1',
                        p_category, p_key USING ERRCODE = 'CA001';
                END IF;
                SELECT * INTO cur FROM system_configuration
                 WHERE environment = p_environment AND category = p_category AND key = p_key FOR UPDATE;
            END;
        END IF;
        IF cur.id IS NOT NULL THEN
            UPDATE system_configuration SET value = coalesce(p_value::json, value), is_active = p_active
             WHERE id = cur.id;
        END IF;
        PERFORM set_config('configadmin.action', '', true), set_config('configadmin.actor', '', true),
                set_config('configadmin.reason', '', true), set_config('configadmin.client', '', true);
        RETURN (SELECT id FROM configuration_audit_head);
    END $$""",
    """
    CREATE FUNCTION configadmin_heartbeat(p_reader_id text, p_host text, p_pid integer,
                                          p_environment text, p_revision bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA@, pg_temp SET lock_timeout = '2s' AS $$
    DECLARE
        v_revision bigint := least(greatest(coalesce(p_revision, 0), 0),
                                   (SELECT id FROM configuration_audit_head));
    BEGIN
        INSERT INTO config_reader AS r (db_user, reader_id, host, pid, environment, revision,
                                        loaded_at, last_seen)
        VALUES (session_user, left(p_reader_id, 255), left(coalesce(p_host, ''), 255),
                coalesce(p_pid, 0), left(coalesce(p_environment, ''), 64), v_revision, now(), now())
        ON CONFLICT (db_user, reader_id) DO UPDATE
           SET host = EXCLUDED.host, pid = EXCLUDED.pid, environment = EXCLUDED.environment,
               loaded_at = CASE WHEN (r.revision, r.environment) = (EXCLUDED.revision, EXCLUDED.environment)
                                THEN r.loaded_at ELSE EXCLUDED.loaded_at END,
               revision = EXCLUDED.revision, last_seen = EXCLUDED.last_seen;
    END $$""",
    """
    CREATE FUNCTION configadmin_forget_reader(p_reader_id text) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, @SCHEMA@, pg_temp AS $$
        DELETE FROM config_reader WHERE db_user = session_user AND reader_id = p_reader_id
    $$""",
    "REVOKE ALL ON FUNCTION configadmin_save(text,text,text,text,boolean,integer,text,text,text,text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_heartbeat(text,text,integer,text,bigint) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_forget_reader(text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_change_before() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_change_audit() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_no_truncate() FROM PUBLIC",
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
    for statement in PG_COLUMNS + [s.replace("@SCHEMA@", quoted) for s in WRITE_PATH] + PG_CHECKS:
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
