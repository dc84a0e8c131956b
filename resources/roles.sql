-- configadmin roles on PostgreSQL: run once per database, as the owner of its tables
-- (the user that ran `configadmin migrate`):
--
--     psql "postgresql://owner@db-host/mlconfig" -f roles.sql
--
-- Three group roles; people and services log in as members of them:
--     CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE configadmin_editor;
--     CREATE ROLE dashboard LOGIN PASSWORD '...' IN ROLE configadmin_viewer;
--     CREATE ROLE scoring_api LOGIN PASSWORD '...' IN ROLE configadmin_reader;
--
-- The audit table stays append-only for everyone: no role here gets UPDATE, DELETE or TRUNCATE
-- on configuration_audit, and the schema's triggers refuse those statements even for the owner.
-- `configadmin verify-audit` detects any row changed behind the triggers' back (hash chain).

DO $$ BEGIN CREATE ROLE configadmin_viewer NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE configadmin_editor NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE configadmin_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;

GRANT USAGE ON SCHEMA public TO configadmin_viewer, configadmin_editor, configadmin_reader;

-- Everyone may read values, history, readers and the schema version.
GRANT SELECT ON system_configuration, configuration_audit, config_reader, alembic_version
    TO configadmin_viewer, configadmin_editor, configadmin_reader;

-- Editors change values (a reset deactivates the row, so no DELETE) and append audit rows.
GRANT INSERT, UPDATE ON system_configuration TO configadmin_editor;
GRANT USAGE ON SEQUENCE system_configuration_id_seq TO configadmin_editor;
GRANT INSERT ON configuration_audit TO configadmin_editor;

-- Inference services report which revision they loaded (the window's "loaded by N of M readers").
GRANT INSERT, UPDATE, DELETE ON config_reader TO configadmin_reader;
