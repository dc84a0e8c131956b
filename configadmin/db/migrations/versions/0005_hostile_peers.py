"""Hostile peers: the database's write path enforces the service's rules, and one login's open
transaction, heartbeats or session settings cannot harm the others (issue 21).

PostgreSQL (SQLite has one login; its service enforces the same rules in Python):
- `configadmin_value_problem` names why a value cannot be stored: declared settings with their
  schemas and bounds, any other setting at most 1 MiB, nested at most 32 levels, numbers a reader
  can hold (|x| ≤ 1.8e308). `configadmin_value_ok` (the CHECK) is "no problem".
- At most 100 active settings per environment that the database does not declare, 8 MiB together.
- The audit row is written by a DEFERRED constraint trigger: the chain's head is locked at COMMIT,
  so an editor who leaves a save transaction open holds only the rows it changed. Our own client
  asks for the audit at once (`SET CONSTRAINTS system_configuration_audit IMMEDIATE`) to learn the
  entry; it commits right after.
- What the write function says (action, actor, reason, client) travels in an owner-only table keyed
  by the transaction id, never in session settings: any other change is recorded as `sql`.
- Write sessions end when idle in a transaction for 15 s; the heartbeat keeps at most 1,000 readers
  per login and forgets readers not seen for a day; reason and client hold no control or format
  characters; NOTIFY is skipped while the cluster's queue is more than half full.

Every function is defined here completely (CREATE OR REPLACE): no later code changes them.
Upgrades in place: stored values that break the new rules stay readable (CHECKs `NOT VALID`).

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PATH = "SET search_path = pg_catalog, @SCHEMA@, pg_temp"
MAX_NUMBER = "1.7976931348623157e308"  # beyond it Python reads a JSON number as infinity
# Unicode Cc, Cf, Zl, Zp, Co (what the service's feature pattern refuses) and White_Space, as
# regular-expression classes; written for E'' literals so no session setting changes them.
_HIDDEN_CLASS = (
    r"\\u0001-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2"
    r"\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ue000-\\uf8ff\\ufeff"
    r"\\ufff9-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U00013438\\U0001bca0-\\U0001bca3"
    r"\\U0001d173-\\U0001d17a\\U000e0001\\U000e0020-\\U000e007f\\U000f0000-\\U000ffffd"
    r"\\U00100000-\\U0010fffd"
)
_SPACE_CLASS = (r"\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                r"\\u202f\\u205f\\u3000")
FEATURE = f"E'^[^{_SPACE_CLASS}{_HIDDEN_CLASS}]([^{_HIDDEN_CLASS}]*[^{_SPACE_CLASS}{_HIDDEN_CLASS}])?$'"
COLUMN = r"E'^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$'"
TABLE = r"E'^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$'"
# Reason and client: no control, format (bidi, zero-width) or separator characters (CHECK text is
# parsed once, when the constraint is made).
_TEXT_HIDDEN = (r"E'[[:cntrl:]\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064"
                r"\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb]'")

MAX_UNDECLARED = 100
MAX_UNDECLARED_BYTES = 8 * 1024 * 1024
MAX_READERS_PER_LOGIN = 1000

STATEMENTS = [
    # -- what the write function says, for the triggers of its own transaction only ----------------
    """
    CREATE TABLE configuration_write_intent (
        txid xid8 NOT NULL,
        environment text NOT NULL,
        category text NOT NULL,
        key text NOT NULL,
        version integer NOT NULL,
        action text NOT NULL,
        actor text,
        reason text,
        client text,
        PRIMARY KEY (txid, environment, category, key, version)
    )""",
    "REVOKE ALL ON configuration_write_intent FROM PUBLIC",
    # -- one row per environment: its saves of undeclared settings count one at a time -------------
    "CREATE TABLE configuration_environment_lock (environment text PRIMARY KEY)",
    "REVOKE ALL ON configuration_environment_lock FROM PUBLIC",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_declared(p_category text, p_key text) RETURNS boolean
    LANGUAGE sql IMMUTABLE {PATH} AS $$
        SELECT p_category = 'ml' AND p_key IN ('feature_mapping', 'model_input_size', 'feature_table')
    $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_value_problem(p_category text, p_key text, p_value json)
    RETURNS text LANGUAGE plpgsql IMMUTABLE {PATH} AS $$
    DECLARE
        v jsonb;
        n bigint;
        distinct_n bigint;
        bad text;
        t text := btrim(p_value::text, E' \\t\\n\\r');
        kind text := json_typeof(p_value);
    BEGIN
        IF p_category = 'ml' AND p_key = 'feature_mapping' THEN
            IF kind <> 'object' THEN
                RETURN 'expected an object of feature → column, got ' || kind;
            END IF;
            SELECT count(*), count(DISTINCT e.k),
                   min(CASE WHEN e.ty <> 'string'
                                THEN 'entry ' || quote_literal(left(e.k, 40)) || ': column must be a string'
                            -- the usual case first, with a plain ASCII class (the full ones cost more)
                            WHEN e.k ~ '^[A-Za-z0-9_][A-Za-z0-9_ .-]*$' AND right(e.k, 1) <> ' '
                                 AND char_length(e.k) <= 200 AND e.c ~ {COLUMN} AND char_length(e.c) <= 128
                                THEN NULL
                            WHEN e.k = '' THEN 'a feature name is empty'
                            WHEN char_length(e.k) > 200
                                THEN 'entry ' || quote_literal(left(e.k, 40)) || ': feature name is longer than 200 characters'
                            WHEN e.k !~ {FEATURE}
                                THEN 'a feature name has surrounding spaces, or control or hidden characters'
                            WHEN char_length(e.c) > 128 OR e.c !~ {COLUMN}
                                THEN 'entry ' || quote_literal(left(e.k, 40)) || ': column must be identifier-like (letters, digits, _, dots), at most 128 characters'
                       END)
              INTO n, distinct_n, bad
              FROM (SELECT j.key AS k, json_typeof(j.value) AS ty, j.value #>> '{{}}' AS c
                      FROM json_each(p_value) j) e;
            IF bad IS NOT NULL THEN
                RETURN bad;
            ELSIF n <> distinct_n THEN
                RETURN 'the object names a feature twice (duplicate keys)';
            ELSIF n > 1000000 THEN
                RETURN 'more than 1,000,000 entries';
            END IF;
            RETURN NULL;
        ELSIF p_category = 'ml' AND p_key = 'model_input_size' THEN
            IF kind = 'number' AND t ~ '^-?[0-9]{{1,18}}$' THEN
                IF t::bigint BETWEEN 1 AND 1000000 THEN
                    RETURN NULL;
                END IF;
            END IF;
            RETURN 'must be a whole number from 1 to 1,000,000, got ' || left(t, 40);
        ELSIF p_category = 'ml' AND p_key = 'feature_table' THEN
            IF kind <> 'string' OR char_length(p_value #>> '{{}}') > 128 OR (p_value #>> '{{}}') !~ {TABLE} THEN
                RETURN 'must be a table name, optionally schema-qualified (letters, digits, _), at most 128 characters';
            END IF;
            RETURN NULL;
        ELSIF p_category = 'ml' AND p_key IN ('churn_threshold', 'scoring_interval_minutes') THEN
            IF kind = 'number' THEN
                IF t::numeric BETWEEN (CASE p_key WHEN 'churn_threshold' THEN 0 ELSE 1 END)
                                  AND (CASE p_key WHEN 'churn_threshold' THEN 1 ELSE 10080 END) THEN
                    RETURN NULL;
                END IF;
            END IF;
            RETURN 'must be a number from ' || CASE p_key WHEN 'churn_threshold' THEN '0 to 1'
                   ELSE '1 to 10,080' END || ', got ' || left(t, 40);
        END IF;
        IF octet_length(p_value::text) > 1048576 THEN
            RETURN 'the value is larger than 1 MiB (the limit for a setting the database does not declare)';
        END IF;
        v := p_value::jsonb;
        IF jsonb_path_exists(v, 'strict $.**{{33}}') THEN
            RETURN 'nested deeper than 32 levels';
        END IF;
        IF jsonb_path_exists(v, 'strict $.** ? (@.type() == "number" && (@ > {MAX_NUMBER} || @ < -{MAX_NUMBER}))') THEN
            RETURN 'holds a number no reader can read back (beyond ±1.8e308)';
        END IF;
        RETURN NULL;
    EXCEPTION WHEN OTHERS THEN  -- \\u0000 or a lone surrogate, which no reader can hold; a nesting beyond the stack
        RETURN 'the value cannot be read back as strict JSON (' || SQLERRM || ')';
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_value_ok(p_category text, p_key text, p_value json)
    RETURNS boolean LANGUAGE sql IMMUTABLE {PATH} AS $$
        SELECT configadmin_value_problem(p_category, p_key, p_value) IS NULL
    $$""",
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
    f"""
    CREATE OR REPLACE FUNCTION configadmin_notify_room() RETURNS boolean LANGUAGE sql VOLATILE {PATH} AS $$
        SELECT pg_notification_queue_usage() < 0.5
    $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_change_before() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {PATH} AS $$
    DECLARE
        n bigint;
        total bigint;
        intent configuration_write_intent%ROWTYPE;
    BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.id, NEW.environment, NEW.category, NEW.key)
                IS DISTINCT FROM (OLD.id, OLD.environment, OLD.category, OLD.key) THEN
            RAISE EXCEPTION 'a setting''s environment, category and key never change: save the value '
                'under its own name instead' USING ERRCODE = 'check_violation';
        END IF;
        PERFORM configadmin_idle_bound();
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        NEW.version := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE OLD.version + 1 END;
        NEW.updated_at := clock_timestamp();
        SELECT * INTO intent FROM configuration_write_intent
         WHERE txid = pg_current_xact_id() AND environment = NEW.environment
           AND category = NEW.category AND key = NEW.key AND version = NEW.version;
        NEW.updated_by := left(coalesce(nullif(intent.actor, ''), session_user::text), 150);
        IF NEW.is_active AND NOT configadmin_declared(NEW.category, NEW.key)
                AND (TG_OP = 'INSERT' OR NOT OLD.is_active
                     OR octet_length(NEW.value::text) > octet_length(OLD.value::text)) THEN
            INSERT INTO configuration_environment_lock VALUES (NEW.environment) ON CONFLICT DO NOTHING;
            PERFORM 1 FROM configuration_environment_lock WHERE environment = NEW.environment FOR UPDATE;
            SELECT count(*), coalesce(sum(octet_length(value::text)), 0) INTO n, total
              FROM system_configuration
             WHERE environment = NEW.environment AND is_active AND id <> NEW.id
               AND NOT configadmin_declared(category, key);
            IF (TG_OP = 'INSERT' OR NOT OLD.is_active) AND n >= {MAX_UNDECLARED} THEN
                RAISE EXCEPTION 'environment % already has % settings the database does not declare '
                    '(the limit is {MAX_UNDECLARED}): reset one first', quote_literal(NEW.environment), n
                    USING ERRCODE = 'check_violation';
            END IF;
            IF total + octet_length(NEW.value::text) > {MAX_UNDECLARED_BYTES} THEN
                RAISE EXCEPTION 'environment %''s settings the database does not declare would hold % '
                    'bytes together (the limit is 8 MiB)', quote_literal(NEW.environment),
                    total + octet_length(NEW.value::text) USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_change_audit() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {PATH} AS $$
    DECLARE
        head configuration_audit_head%ROWTYPE;
        r system_configuration%ROWTYPE;
        intent configuration_write_intent%ROWTYPE;
        v_old json;
        v_new json;
        v_version integer;
        v_at timestamptz;
        v_id bigint;
        v_hash text;
        v_action text := 'sql';
        v_actor text := left(session_user::text, 150);
        v_reason text;
        v_client text;
    BEGIN
        PERFORM configadmin_idle_bound();
        IF TG_OP = 'DELETE' THEN
            r := OLD;
            v_version := OLD.version + 1;
        ELSE
            r := NEW;
            v_version := NEW.version;
            IF NEW.is_active THEN
                v_new := NEW.value;
            END IF;
        END IF;
        IF TG_OP <> 'INSERT' AND OLD.is_active THEN
            v_old := OLD.value;
        END IF;
        DELETE FROM configuration_write_intent
         WHERE txid = pg_current_xact_id() AND environment = r.environment AND category = r.category
           AND key = r.key AND version = v_version
        RETURNING * INTO intent;
        IF intent.txid IS NOT NULL AND TG_OP <> 'DELETE' THEN
            v_action := intent.action;
            v_actor := left(coalesce(nullif(intent.actor, ''), session_user::text), 150);
            v_reason := nullif(intent.reason, '');
            v_client := nullif(intent.client, '');
        END IF;
        -- The chain's head, locked as late as the transaction allows (at COMMIT, unless the
        -- writer asked for its audit at once); the time is read after the lock: it never goes back.
        SELECT * INTO head FROM configuration_audit_head FOR UPDATE;
        v_at := clock_timestamp();
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
        -- A notification is a hint (readers also watch the head): a queue that another login filled
        -- must not make the save fail at COMMIT.
        IF configadmin_notify_room() THEN
            PERFORM pg_notify('configadmin', r.environment || ':' || v_id);
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER system_configuration_audit ON system_configuration",
    """CREATE CONSTRAINT TRIGGER system_configuration_audit AFTER INSERT OR UPDATE OR DELETE
       ON system_configuration DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION configadmin_change_audit()""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_save(p_environment text, p_category text, p_key text,
                                                p_value text, p_active boolean,
                                                p_expected_version integer, p_action text,
                                                p_actor text, p_reason text, p_client text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
    DECLARE
        cur system_configuration%ROWTYPE;
        v_constraint text;
        v_id bigint;
        v_version integer;
    BEGIN
        IF p_action IS NULL OR p_action NOT IN ('set', 'reset', 'revert', 'import', 'promote',
                                               'activate', 'deactivate') THEN
            RAISE EXCEPTION 'unknown action %', quote_nullable(p_action) USING ERRCODE = 'check_violation';
        END IF;
        IF p_reason ~ {_TEXT_HIDDEN} OR p_client ~ {_TEXT_HIDDEN} THEN
            RAISE EXCEPTION 'the reason or client contains control or hidden characters'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_configuration_audit_reason_text';
        END IF;
        PERFORM configadmin_idle_bound();
        SELECT * INTO cur FROM system_configuration
         WHERE environment = p_environment AND category = p_category AND key = p_key FOR UPDATE;
        IF p_expected_version IS NOT NULL AND p_expected_version <> coalesce(cur.version, 0) THEN
            RAISE EXCEPTION '%.% was changed elsewhere: expected version %, found %', p_category, p_key,
                p_expected_version, coalesce(cur.version, 0) USING ERRCODE = 'CA001';
        END IF;
        IF cur.id IS NULL THEN
            IF NOT p_active THEN
                RAISE EXCEPTION '%.% has no database value in %', p_category, p_key,
                    quote_literal(p_environment) USING ERRCODE = 'CA002';
            END IF;
            BEGIN
                INSERT INTO configuration_write_intent
                VALUES (pg_current_xact_id(), p_environment, p_category, p_key, 1, p_action, p_actor,
                        p_reason, p_client);
                INSERT INTO system_configuration (environment, category, key, value, is_active)
                VALUES (p_environment, p_category, p_key, p_value::json, true);
                v_version := 1;
            EXCEPTION WHEN unique_violation OR check_violation THEN
                GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
                IF v_constraint = 'ck_system_configuration_value_type' THEN
                    RAISE EXCEPTION '%.%: %', p_category, p_key,
                        configadmin_value_problem(p_category, p_key, p_value::json)
                        USING ERRCODE = 'check_violation';
                ELSIF v_constraint IS DISTINCT FROM 'uq_system_configuration_setting' THEN
                    RAISE;
                END IF;  -- a concurrent first save of the same setting
                IF p_expected_version IS NOT NULL THEN
                    RAISE EXCEPTION '%.% was changed elsewhere: expected version 0, found 1',
                        p_category, p_key USING ERRCODE = 'CA001';
                END IF;
                SELECT * INTO cur FROM system_configuration
                 WHERE environment = p_environment AND category = p_category AND key = p_key FOR UPDATE;
            END;
        END IF;
        IF v_version IS NULL THEN
            v_version := cur.version + 1;
            INSERT INTO configuration_write_intent
            VALUES (pg_current_xact_id(), p_environment, p_category, p_key, v_version, p_action,
                    p_actor, p_reason, p_client);
            BEGIN  -- the CHECK runs the value's rules once; its refusal is told in words
                UPDATE system_configuration SET value = coalesce(p_value::json, value), is_active = p_active
                 WHERE id = cur.id;
            EXCEPTION WHEN check_violation THEN
                GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
                IF v_constraint IS DISTINCT FROM 'ck_system_configuration_value_type' THEN
                    RAISE;
                END IF;
                RAISE EXCEPTION '%.%: %', p_category, p_key,
                    configadmin_value_problem(p_category, p_key, p_value::json) USING ERRCODE = 'check_violation';
            END;
        END IF;
        -- The audit id when the entry is written already (SET CONSTRAINTS … IMMEDIATE), else NULL:
        -- it is written at COMMIT.
        IF EXISTS (SELECT FROM configuration_write_intent WHERE txid = pg_current_xact_id()
                      AND environment = p_environment AND category = p_category AND key = p_key
                      AND version = v_version) THEN
            RETURN NULL;
        END IF;
        SELECT id INTO v_id FROM configuration_audit_head;
        RETURN v_id;
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION configadmin_heartbeat(p_reader_id text, p_host text, p_pid integer,
                                                     p_environment text, p_revision bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '2s' AS $$
    DECLARE
        v_revision bigint := least(greatest(coalesce(p_revision, 0), 0),
                                   (SELECT id FROM configuration_audit_head));
        v_id text := left(p_reader_id, 255);
    BEGIN
        PERFORM configadmin_idle_bound();
        UPDATE config_reader AS r
           SET host = left(coalesce(p_host, ''), 255), pid = coalesce(p_pid, 0),
               loaded_at = CASE WHEN (r.revision, r.environment) = (v_revision, left(coalesce(p_environment, ''), 64))
                                THEN r.loaded_at ELSE now() END,
               environment = left(coalesce(p_environment, ''), 64), revision = v_revision, last_seen = now()
         WHERE db_user = session_user AND reader_id = v_id;
        IF FOUND THEN
            RETURN;
        END IF;
        -- A new reader: readers not seen for a day are forgotten, and a login keeps at most
        -- {MAX_READERS_PER_LOGIN} (its longest silent ones make room), so no login can grow the table.
        DELETE FROM config_reader WHERE last_seen < now() - interval '1 day';
        DELETE FROM config_reader WHERE (db_user, reader_id) IN (
            SELECT db_user, reader_id FROM config_reader WHERE db_user = session_user
             ORDER BY last_seen DESC OFFSET {MAX_READERS_PER_LOGIN - 1});
        INSERT INTO config_reader (db_user, reader_id, host, pid, environment, revision, loaded_at, last_seen)
        VALUES (session_user, v_id, left(coalesce(p_host, ''), 255), coalesce(p_pid, 0),
                left(coalesce(p_environment, ''), 64), v_revision, now(), now())
        ON CONFLICT (db_user, reader_id) DO UPDATE
           SET host = EXCLUDED.host, pid = EXCLUDED.pid, environment = EXCLUDED.environment,
               revision = EXCLUDED.revision, loaded_at = EXCLUDED.loaded_at, last_seen = EXCLUDED.last_seen;
    END $$""",
    "ALTER TABLE configuration_audit ADD CONSTRAINT ck_configuration_audit_reason_text "
    f"CHECK (reason !~ {_TEXT_HIDDEN} AND client !~ {_TEXT_HIDDEN}) NOT VALID",
    "REVOKE ALL ON FUNCTION configadmin_declared(text, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION configadmin_idle_bound() FROM PUBLIC",
]


def _postgres() -> None:
    bind = op.get_bind()
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar()
    quoted = '"' + str(schema).replace('"', '""') + '"'
    for statement in STATEMENTS:
        op.execute(statement.replace("@SCHEMA@", quoted))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres()


def downgrade() -> None:
    raise NotImplementedError("0005 is not downgraded: restore a backup taken before `configadmin migrate`")
