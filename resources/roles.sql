-- configadmin roles on PostgreSQL: run once per database, as the owner of its tables
-- (the user that ran `configadmin migrate`, at the current schema):
--
--     psql "postgresql://owner@db-host/mlconfig" -f roles.sql
--
-- Running it again is harmless. ROLES ARE CLUSTER-WIDE: the four group roles below exist once
-- for the whole server, so every database on it that runs this file shares them (a member of
-- configadmin_editor may edit in each such database). Grants and CONNECT are per database.
--
-- People and services log in as members of the group roles:
--     CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE configadmin_editor;
--     CREATE ROLE dashboard LOGIN PASSWORD '...' IN ROLE configadmin_viewer;
--     CREATE ROLE scoring_api LOGIN PASSWORD '...' IN ROLE configadmin_reader;
--
-- No group role gets INSERT, UPDATE, DELETE or TRUNCATE on any table. Editors change values only
-- through configadmin_save(), which checks the version and whose trigger writes the audit entry
-- (database time, session_user, hash); readers report heartbeats only through
-- configadmin_heartbeat(). `configadmin verify-audit` checks the chain and the live values.

DO $$ BEGIN CREATE ROLE configadmin_viewer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE configadmin_editor NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE configadmin_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE configadmin_admin NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

-- Only these roles (and the owner) may connect: a login with no grants cannot LISTEN, NOTIFY or
-- take locks in this database.
DO $$ BEGIN
    EXECUTE 'REVOKE CONNECT, TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' FROM PUBLIC';
    EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database())
        || ' TO configadmin_viewer, configadmin_editor, configadmin_reader, configadmin_admin, '
        || quote_ident(current_user);
END $$;

-- What earlier versions of this file granted: direct writes are gone.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON system_configuration, configuration_audit, config_reader
    FROM configadmin_viewer, configadmin_editor, configadmin_reader;

GRANT USAGE ON SCHEMA public TO configadmin_viewer, configadmin_editor, configadmin_reader, configadmin_admin;

-- Everyone may read values, history, readers and the schema version.
GRANT SELECT ON system_configuration, configuration_audit, config_reader, alembic_version
    TO configadmin_viewer, configadmin_editor, configadmin_reader;

-- Editors save (set, reset, revert, import, promote) through the write function only.
GRANT EXECUTE ON FUNCTION configadmin_save(text, text, text, text, boolean, integer, text, text, text, text)
    TO configadmin_editor;

-- Inference services report which revision they loaded (the window's "loaded by N of M readers").
GRANT EXECUTE ON FUNCTION configadmin_heartbeat(text, text, integer, text, bigint),
                          configadmin_forget_reader(text)
    TO configadmin_reader;

-- Change requests (schema 0004, DESIGN §10). Viewers and editors read requests, their events and
-- the policies; readers see none of them (they serve the applied values as before).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON configuration_policy, configuration_request,
    configuration_request_event FROM configadmin_viewer, configadmin_editor, configadmin_reader, configadmin_admin;
GRANT SELECT ON configuration_policy, configuration_request, configuration_request_event
    TO configadmin_viewer, configadmin_editor, configadmin_admin;
GRANT SELECT ON system_configuration, configuration_audit, alembic_version TO configadmin_admin;

-- Editors propose, approve others' requests, reject, withdraw their own and apply approved ones;
-- the functions take the login from session_user and refuse self-approval themselves.
GRANT EXECUTE ON FUNCTION configadmin_request_propose(text, text, text, text, text, bigint),
                          configadmin_request_approve(bigint, text, text),
                          configadmin_request_reject(bigint, text, text),
                          configadmin_request_withdraw(bigint, text),
                          configadmin_request_apply(bigint, text, text)
    TO configadmin_editor;

-- configadmin_admin sets and removes policies (`configadmin protect ENV --approvals N`):
--     CREATE ROLE lead LOGIN PASSWORD '...' IN ROLE configadmin_admin;
-- The functions themselves refuse everyone but the schema owner and configadmin_admin's members;
-- editors and viewers may call them only to be told so in those words.
GRANT EXECUTE ON FUNCTION configadmin_protect(text, integer), configadmin_unprotect(text)
    TO configadmin_admin, configadmin_editor, configadmin_viewer;
