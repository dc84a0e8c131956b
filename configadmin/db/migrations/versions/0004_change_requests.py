"""Change requests: four eyes on protected environments (DESIGN §10).

Tables: `configuration_policy` (environment → approvals), `configuration_request` (immutable: what
was proposed, by whom) and `configuration_request_event` (append-only and hash-chained like the
audit: proposed, approved, rejected, withdrawn, applied, stale, and policy changes; each event
records the request's state after it, so a request's state is its newest event's).

On PostgreSQL the rules live in the database: SECURITY DEFINER functions with a fixed
`search_path` take `session_user` as the login (never the client's word), refuse self-approval,
count approvals of distinct other logins, and apply under compare-and-swap through
`configadmin_save` (ordinary audit rows whose reason names the request and its approvers). A
trigger on `system_configuration` refuses every write to a protected environment unless the
transaction is an apply: a row keyed by `txid_current()` in `configuration_request_applying`, a
table only the schema owner can write, put there by the apply function and removed before it
returns. On SQLite (one login) the service enforces the same rules.

Frozen: this file imports nothing of configadmin; its SQL is here.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
PATH = "SET search_path = pg_catalog, @SCHEMA@, pg_temp"
ENV_NAME = "'^[A-Za-z0-9][A-Za-z0-9_.-]*$'"
# Control and format characters (zero-width, bidi overrides); newline and tab are allowed in texts.
HIDDEN = "'[[:cntrl:]\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]'"
HIDDEN_TEXT = ("'[\\u0001-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f"
               "\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]'")
REFUSED = "CA601"    # the policy refuses (self-approval, not approved, closed request, role)
PROTECTED = "CA602"  # a direct write to a protected environment
TS = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'"

TABLES = [
    f"""
    CREATE TABLE configuration_policy (
        environment varchar(64) PRIMARY KEY CHECK (environment ~ {ENV_NAME}),
        approvals integer NOT NULL CHECK (approvals BETWEEN 1 AND 10),
        set_by varchar(150) NOT NULL,
        set_at timestamptz NOT NULL
    )""",
    f"""
    CREATE TABLE configuration_request (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        environment varchar(64) NOT NULL CHECK (environment ~ {ENV_NAME}),
        proposer varchar(150) NOT NULL CHECK (proposer !~ {HIDDEN}),
        db_user varchar(150) NOT NULL,
        reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000 AND reason !~ {HIDDEN_TEXT}),
        changes json NOT NULL,
        required_approvals integer NOT NULL CHECK (required_approvals BETWEEN 1 AND 10),
        supersedes bigint REFERENCES configuration_request (id),
        created_at timestamptz NOT NULL,
        client varchar(255)
    )""",
    "CREATE INDEX ix_request_environment ON configuration_request (environment, id)",
    f"""
    CREATE TABLE configuration_request_event (
        id bigint PRIMARY KEY,
        request_id bigint REFERENCES configuration_request (id),
        environment varchar(64) NOT NULL,
        at timestamptz NOT NULL,
        action varchar(16) NOT NULL,
        state varchar(16),
        actor varchar(150) NOT NULL CHECK (actor !~ {HIDDEN}),
        db_user varchar(150) NOT NULL,
        comment text CHECK (char_length(comment) <= 2000 AND comment !~ {HIDDEN_TEXT}),
        detail text,
        prev_hash varchar(64) NOT NULL,
        hash varchar(64) NOT NULL
    )""",
    "CREATE INDEX ix_request_event_request ON configuration_request_event (request_id, id)",
    """
    CREATE TABLE configuration_request_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        id bigint NOT NULL,
        hash varchar(64) NOT NULL
    )""",
    f"INSERT INTO configuration_request_head (id, hash) VALUES (0, '{GENESIS}')",
    "CREATE TABLE configuration_request_applying (txid bigint PRIMARY KEY)",
] + [f"REVOKE ALL ON {t} FROM PUBLIC" for t in (
    "configuration_policy", "configuration_request", "configuration_request_event",
    "configuration_request_head", "configuration_request_applying")]

EVENT = f"""
CREATE FUNCTION configadmin_request_event(p_request_id bigint, p_environment text, p_action text,
                                          p_state text, p_actor text, p_comment text, p_detail text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER {PATH} AS $$
DECLARE
    head configuration_request_head%ROWTYPE;
    v_id bigint;
    v_at timestamptz;
    v_hash text;
    v_actor text := left(coalesce(nullif(p_actor, ''), session_user::text), 150);
    v_idle bigint := (SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout');
BEGIN
    -- The events' head is locked until COMMIT: a transaction left open after it ends within 15 s.
    IF v_idle = 0 OR v_idle > 15000 THEN
        PERFORM set_config('idle_in_transaction_session_timeout', '15s', true);
    END IF;
    SELECT * INTO head FROM configuration_request_head FOR UPDATE;
    v_id := head.id + 1;
    v_at := clock_timestamp();
    v_hash := encode(sha256(convert_to(head.hash || '|' || concat_ws('|',
        configadmin_audit_field(v_id::text), configadmin_audit_field({TS.format('v_at')}),
        configadmin_audit_field(p_request_id::text), configadmin_audit_field(p_environment),
        configadmin_audit_field(p_action), configadmin_audit_field(p_state),
        configadmin_audit_field(v_actor), configadmin_audit_field(session_user::text),
        configadmin_audit_field(p_comment), configadmin_audit_field(p_detail)), 'UTF8')), 'hex');
    INSERT INTO configuration_request_event (id, request_id, environment, at, action, state, actor,
                                             db_user, comment, detail, prev_hash, hash)
    VALUES (v_id, p_request_id, p_environment, v_at, p_action, p_state, v_actor, session_user,
            p_comment, p_detail, head.hash, v_hash);
    UPDATE configuration_request_head SET id = v_id, hash = v_hash;
    IF pg_notification_queue_usage() < 0.5 THEN  -- a full queue would fail the COMMIT: a hint is skipped
        PERFORM pg_notify('configadmin', p_environment || ':' || (SELECT coalesce(max(id), 0)
                          FROM configuration_audit WHERE environment = p_environment));
    END IF;
    RETURN v_id;
END $$"""

STATE = f"""
CREATE FUNCTION configadmin_request_state(p_id bigint) RETURNS text LANGUAGE sql STABLE {PATH} AS $$
    SELECT state FROM configuration_request_event WHERE request_id = p_id ORDER BY id DESC LIMIT 1
$$"""

# Locks the request (one transition at a time) and checks it is in a state the action accepts.
OPEN_REQUEST = f"""
CREATE FUNCTION configadmin_request_open(p_id bigint, p_verb text) RETURNS configuration_request
LANGUAGE plpgsql SECURITY DEFINER {PATH} AS $$
DECLARE
    r configuration_request%ROWTYPE;
    v_state text;
BEGIN
    SELECT * INTO r FROM configuration_request WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no change request %', p_id USING ERRCODE = 'CA002';
    END IF;
    v_state := configadmin_request_state(p_id);
    IF v_state NOT IN ('open', 'approved') THEN
        RAISE EXCEPTION 'request % is %: only an open request can be %', p_id, v_state, p_verb
            USING ERRCODE = '{REFUSED}';
    END IF;
    RETURN r;
END $$"""

NEEDED = """greatest(r.required_approvals, coalesce((SELECT approvals FROM configuration_policy
                                                      WHERE environment = r.environment), 0))"""

PROPOSE = f"""
CREATE FUNCTION configadmin_request_propose(p_environment text, p_changes text, p_reason text,
                                            p_actor text, p_client text, p_supersedes bigint)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
DECLARE
    v_policy configuration_policy%ROWTYPE;
    v_changes json;
    c json;
    v_count integer;
    v_id bigint;
    v_at timestamptz := clock_timestamp();
    v_actor text := left(coalesce(nullif(p_actor, ''), session_user::text), 150);
    v_client text := left(p_client, 255);
    v_digest text;
BEGIN
    SELECT * INTO v_policy FROM configuration_policy WHERE environment = p_environment;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not protected: save the change directly', p_environment
            USING ERRCODE = '{REFUSED}';
    END IF;
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'a change request needs a reason' USING ERRCODE = 'check_violation';
    END IF;
    IF octet_length(p_changes) > 67108864 THEN
        RAISE EXCEPTION 'the proposed changes are larger than 64 MiB' USING ERRCODE = 'check_violation';
    END IF;
    BEGIN
        v_changes := p_changes::json;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'the proposed changes are not JSON' USING ERRCODE = 'check_violation';
    END;
    IF json_typeof(v_changes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'the proposed changes must be a list' USING ERRCODE = 'check_violation';
    END IF;
    v_count := json_array_length(v_changes);
    IF v_count < 1 OR v_count > 200 THEN
        RAISE EXCEPTION 'a change request holds 1 to 200 settings, not %', v_count
            USING ERRCODE = 'check_violation';
    END IF;
    FOR c IN SELECT value FROM json_array_elements(v_changes) LOOP
        IF json_typeof(c) IS DISTINCT FROM 'object'
           OR json_typeof(c->'category') IS DISTINCT FROM 'string'
           OR json_typeof(c->'key') IS DISTINCT FROM 'string'
           OR (c->>'category') !~ '^[a-z][a-z0-9_]{{0,63}}$' OR (c->>'key') !~ '^[a-z][a-z0-9_]{{0,127}}$'
           OR json_typeof(c->'reset') IS DISTINCT FROM 'boolean'
           OR coalesce(json_typeof(c->'base_version'), 'null') NOT IN ('number', 'null')
           OR (json_typeof(c->'base_version') = 'number' AND (c->>'base_version') !~ '^[1-9][0-9]{{0,8}}$') THEN
            RAISE EXCEPTION 'each proposed change needs a category, a key, a base version and reset '
                'true or false' USING ERRCODE = 'check_violation';
        END IF;
        IF (c->>'reset')::boolean THEN
            IF coalesce(json_typeof(c->'value'), 'null') <> 'null' THEN
                RAISE EXCEPTION 'a reset of %.% carries no value', c->>'category', c->>'key'
                    USING ERRCODE = 'check_violation';
            END IF;
        ELSIF c->'value' IS NULL THEN
            RAISE EXCEPTION '%.%: the proposed value is missing', c->>'category', c->>'key'
                USING ERRCODE = 'check_violation';
        ELSIF octet_length((c->'value')::text) > 16777216 THEN
            RAISE EXCEPTION '%.%: the value is larger than 16 MiB', c->>'category', c->>'key'
                USING ERRCODE = 'check_violation';
        ELSIF NOT configadmin_value_ok(c->>'category', c->>'key', c->'value') THEN
            RAISE EXCEPTION '%.%: the value does not have the setting''s JSON type', c->>'category',
                c->>'key' USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT (e->>'category', e->>'key')) FROM json_array_elements(v_changes) e) <> v_count THEN
        RAISE EXCEPTION 'a setting is named twice in one change request' USING ERRCODE = 'check_violation';
    END IF;
    IF p_supersedes IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM configuration_request WHERE id = p_supersedes AND environment = p_environment) THEN
        RAISE EXCEPTION 'there is no change request % in %', p_supersedes, p_environment
            USING ERRCODE = 'CA002';
    END IF;
    INSERT INTO configuration_request (environment, proposer, db_user, reason, changes,
                                       required_approvals, supersedes, created_at, client)
    VALUES (p_environment, v_actor, session_user, p_reason, v_changes, v_policy.approvals,
            p_supersedes, v_at, v_client)
    RETURNING id INTO v_id;
    v_digest := encode(sha256(convert_to(concat_ws('|', configadmin_audit_field(v_id::text),
        configadmin_audit_field(p_environment), configadmin_audit_field(v_actor),
        configadmin_audit_field(session_user::text), configadmin_audit_field(p_reason),
        configadmin_audit_field(v_changes::text), configadmin_audit_field(v_policy.approvals::text),
        configadmin_audit_field(p_supersedes::text), configadmin_audit_field({TS.format('v_at')}),
        configadmin_audit_field(v_client)), 'UTF8')), 'hex');
    PERFORM configadmin_request_event(v_id, p_environment, 'proposed', 'open', v_actor, NULL, v_digest);
    RETURN v_id;
END $$"""

APPROVE = f"""
CREATE FUNCTION configadmin_request_approve(p_id bigint, p_actor text, p_comment text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
DECLARE
    r configuration_request%ROWTYPE := configadmin_request_open(p_id, 'approved');
    v_have integer;
    v_state text;
BEGIN
    IF session_user = r.db_user THEN
        RAISE EXCEPTION 'you proposed request %: another login must approve it', p_id
            USING ERRCODE = '{REFUSED}';
    END IF;
    IF EXISTS (SELECT 1 FROM configuration_request_event
                WHERE request_id = p_id AND action = 'approved' AND db_user = session_user) THEN
        RAISE EXCEPTION 'you already approved request %', p_id USING ERRCODE = '{REFUSED}';
    END IF;
    v_have := 1 + (SELECT count(DISTINCT db_user) FROM configuration_request_event
                    WHERE request_id = p_id AND action = 'approved');
    v_state := CASE WHEN v_have >= {NEEDED} THEN 'approved' ELSE 'open' END;
    PERFORM configadmin_request_event(p_id, r.environment, 'approved', v_state, p_actor,
                                      nullif(p_comment, ''), NULL);
    RETURN v_state;
END $$"""

REJECT = f"""
CREATE FUNCTION configadmin_request_reject(p_id bigint, p_actor text, p_comment text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
DECLARE
    r configuration_request%ROWTYPE := configadmin_request_open(p_id, 'rejected');
BEGIN
    IF session_user = r.db_user THEN
        RAISE EXCEPTION 'you proposed request %: withdraw it instead', p_id USING ERRCODE = '{REFUSED}';
    END IF;
    IF p_comment IS NULL OR btrim(p_comment) = '' THEN
        RAISE EXCEPTION 'a rejection needs a comment saying why' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM configadmin_request_event(p_id, r.environment, 'rejected', 'rejected', p_actor, p_comment, NULL);
    RETURN 'rejected';
END $$"""

WITHDRAW = f"""
CREATE FUNCTION configadmin_request_withdraw(p_id bigint, p_actor text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
DECLARE
    r configuration_request%ROWTYPE := configadmin_request_open(p_id, 'withdrawn');
BEGIN
    IF session_user <> r.db_user THEN
        RAISE EXCEPTION 'only its proposer (%) may withdraw request %', r.db_user, p_id
            USING ERRCODE = '{REFUSED}';
    END IF;
    PERFORM configadmin_request_event(p_id, r.environment, 'withdrawn', 'withdrawn', p_actor, NULL, NULL);
    RETURN 'withdrawn';
END $$"""

APPLY = f"""
CREATE FUNCTION configadmin_request_apply(p_id bigint, p_actor text, p_client text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
DECLARE
    r configuration_request%ROWTYPE := configadmin_request_open(p_id, 'applied');
    c json;
    v_have integer;
    v_needed integer;
    v_approvers text;
    v_reason text;
    v_reset boolean;
    v_stale text;
    v_first bigint;
    v_last bigint;
    v_actor text := left(coalesce(nullif(p_actor, ''), session_user::text), 150);
BEGIN
    v_have := (SELECT count(DISTINCT db_user) FROM configuration_request_event
                WHERE request_id = p_id AND action = 'approved');
    v_needed := {NEEDED};
    IF v_have < v_needed THEN
        RAISE EXCEPTION 'request % is not approved: it has % of the % approval(s) it needs from other '
            'logins', p_id, v_have, v_needed USING ERRCODE = '{REFUSED}';
    END IF;
    SELECT string_agg(CASE WHEN actor = db_user THEN actor ELSE actor || ' (db: ' || db_user || ')' END,
                      ', ' ORDER BY id) INTO v_approvers
      FROM (SELECT DISTINCT ON (db_user) id, actor, db_user FROM configuration_request_event
             WHERE request_id = p_id AND action = 'approved' ORDER BY db_user, id) first_approvals;
    v_reason := left(format('request #%s approved by %s: %s', p_id, v_approvers,
                            regexp_replace(r.reason, '\\s+', ' ', 'g')), 2000);
    INSERT INTO configuration_request_applying (txid) VALUES (txid_current());
    BEGIN
        FOR c IN SELECT value FROM json_array_elements(r.changes) LOOP
            v_reset := (c->>'reset')::boolean;
            v_last := configadmin_save(r.environment, c->>'category', c->>'key',
                CASE WHEN v_reset THEN NULL ELSE (c->'value')::text END, NOT v_reset,
                coalesce((c->>'base_version')::integer, 0), CASE WHEN v_reset THEN 'reset' ELSE 'set' END,
                v_actor, v_reason, left('request ' || p_id || '; ' || coalesce(p_client, ''), 255));
            v_first := coalesce(v_first, v_last);
        END LOOP;
    EXCEPTION WHEN SQLSTATE 'CA001' OR SQLSTATE 'CA002' THEN
        GET STACKED DIAGNOSTICS v_stale = MESSAGE_TEXT;
    END;
    DELETE FROM configuration_request_applying WHERE txid = txid_current();
    IF v_stale IS NOT NULL THEN
        PERFORM configadmin_request_event(p_id, r.environment, 'stale', 'stale', v_actor,
                                          left(v_stale, 2000), NULL);
        RETURN 'stale';
    END IF;
    PERFORM configadmin_request_event(p_id, r.environment, 'applied', 'applied', v_actor, NULL,
                                      'audit ' || v_first || '..' || v_last);  -- NULL: audited at COMMIT
    RETURN 'applied';
END $$"""

POLICY = [
    f"""
    CREATE FUNCTION configadmin_may_set_policy() RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER
    {PATH} AS $$
    BEGIN
        IF session_user = current_user OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
            RETURN true;  -- current_user is the schema owner here (the function's owner)
        END IF;
        RETURN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'configadmin_admin')
           AND pg_has_role(session_user, 'configadmin_admin', 'MEMBER');
    END $$""",
    f"""
    CREATE FUNCTION configadmin_protect(p_environment text, p_approvals integer) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
    BEGIN
        IF NOT configadmin_may_set_policy() THEN
            RAISE EXCEPTION 'only the schema owner or a member of configadmin_admin may protect an environment'
                USING ERRCODE = '{REFUSED}';
        END IF;
        IF p_approvals IS NULL OR p_approvals < 1 OR p_approvals > 10 THEN
            RAISE EXCEPTION 'approvals must be 1 to 10, not %', p_approvals USING ERRCODE = 'check_violation';
        END IF;
        INSERT INTO configuration_policy AS p (environment, approvals, set_by, set_at)
        VALUES (p_environment, p_approvals, session_user, clock_timestamp())
        ON CONFLICT (environment) DO UPDATE SET approvals = EXCLUDED.approvals, set_by = EXCLUDED.set_by,
                                               set_at = EXCLUDED.set_at
         WHERE p.approvals <> EXCLUDED.approvals;
    END $$""",
    f"""
    CREATE FUNCTION configadmin_unprotect(p_environment text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER {PATH} SET lock_timeout = '5s' AS $$
    BEGIN
        IF NOT configadmin_may_set_policy() THEN
            RAISE EXCEPTION 'only the schema owner or a member of configadmin_admin may unprotect an '
                'environment' USING ERRCODE = '{REFUSED}';
        END IF;
        DELETE FROM configuration_policy WHERE environment = p_environment;
        RETURN FOUND;
    END $$""",
    # Whatever changes a policy (the functions, or the owner's raw SQL) leaves an event.
    f"""
    CREATE FUNCTION configadmin_policy_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {PATH} AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM configadmin_request_event(NULL, OLD.environment, 'unprotected', NULL, NULL, NULL,
                                              'approvals=' || OLD.approvals);
            RETURN OLD;
        END IF;
        PERFORM configadmin_request_event(NULL, NEW.environment, 'protected', NULL, NULL, NULL,
                                          'approvals=' || NEW.approvals);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER configuration_policy_event AFTER INSERT OR UPDATE OR DELETE ON configuration_policy
       FOR EACH ROW EXECUTE FUNCTION configadmin_policy_event()""",
]

GUARDS = [
    f"""
    CREATE FUNCTION configadmin_protected_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {PATH}
    AS $$
    DECLARE
        v_env text := CASE WHEN TG_OP = 'INSERT' THEN NEW.environment ELSE OLD.environment END;
    BEGIN
        IF EXISTS (SELECT 1 FROM configuration_policy
                    WHERE environment IN (v_env, CASE WHEN TG_OP = 'UPDATE' THEN NEW.environment END))
           AND NOT EXISTS (SELECT 1 FROM configuration_request_applying WHERE txid = txid_current()) THEN
            RAISE EXCEPTION '% is protected: propose the change with `configadmin propose` or the '
                'window''s Propose button', v_env USING ERRCODE = '{PROTECTED}';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""",
    """CREATE TRIGGER system_configuration_protected BEFORE INSERT OR UPDATE OR DELETE
       ON system_configuration FOR EACH ROW EXECUTE FUNCTION configadmin_protected_write()""",
    f"""
    CREATE FUNCTION configadmin_request_append_only() RETURNS trigger LANGUAGE plpgsql {PATH} AS $$
    BEGIN
        RAISE EXCEPTION '% refused on %: change requests and their events are append-only', TG_OP,
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$""",
] + [
    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION configadmin_request_append_only()"""
    for table in ("configuration_request", "configuration_request_event")
] + [
    f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION configadmin_request_append_only()"""
    for table in ("configuration_request", "configuration_request_event")
]

FUNCTIONS = (
    "configadmin_request_event(bigint,text,text,text,text,text,text)",
    "configadmin_request_open(bigint,text)",
    "configadmin_request_propose(text,text,text,text,text,bigint)",
    "configadmin_request_approve(bigint,text,text)", "configadmin_request_reject(bigint,text,text)",
    "configadmin_request_withdraw(bigint,text)", "configadmin_request_apply(bigint,text,text)",
    "configadmin_may_set_policy()", "configadmin_protect(text,integer)", "configadmin_unprotect(text)",
    "configadmin_policy_event()", "configadmin_protected_write()",
)
PG = TABLES + [EVENT, STATE, OPEN_REQUEST, PROPOSE, APPROVE, REJECT, WITHDRAW, APPLY] + POLICY + GUARDS + [
    f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC" for signature in FUNCTIONS]

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {table}_no_{op_} BEFORE {op_.upper()} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_.upper()} refused'); END"""
    for table in ("configuration_request", "configuration_request_event") for op_ in ("update", "delete")
]


def _postgres() -> None:
    bind = op.get_bind()
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar()
    quoted = '"' + str(schema).replace('"', '""') + '"'
    for statement in PG:
        op.execute(statement.replace("@SCHEMA@", quoted))


def _sqlite() -> None:
    """The same tables; the service enforces the rules (one login) and chains the events."""
    op.create_table(
        "configuration_policy",
        sa.Column("environment", sa.String(64), primary_key=True),
        sa.Column("approvals", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(150), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "configuration_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("proposer", sa.String(150), nullable=False),
        sa.Column("db_user", sa.String(150), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("required_approvals", sa.Integer, nullable=False),
        sa.Column("supersedes", sa.Integer, sa.ForeignKey("configuration_request.id")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(255)),
    )
    op.create_index("ix_request_environment", "configuration_request", ["environment", "id"])
    op.create_table(
        "configuration_request_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("configuration_request.id")),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16)),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("db_user", sa.String(150), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_request_event_request", "configuration_request_event", ["request_id", "id"])
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres()
    else:
        _sqlite()


def downgrade() -> None:
    raise NotImplementedError("0004 is not downgraded: restore a backup taken before `configadmin migrate`")
