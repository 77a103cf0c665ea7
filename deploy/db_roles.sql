-- The two database roles of a deployment (docs/deployment.md), run as a PostgreSQL superuser by
-- deploy/migrate.sh before and after `manage.py migrate`. Safe to run again on every deploy.
--
--   owner: owns the database, its schema and every table; only migrations connect as it.
--   app:   the web app, the worker and beat. It owns nothing, so it cannot switch off or drop
--          the triggers that keep published periods, locked actuals, period statuses and the
--          audit log as they are; it reads and writes rows, and nothing else.
--
-- psql variables: owner, owner_password, app, app_password, db; and step = roles | grants.
\set ON_ERROR_STOP on

SELECT :'step' = 'roles' AS roles_step \gset
\if :roles_step
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" PASSWORD :'owner_password';
ALTER ROLE :"app" PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
-- A database made before these roles (its tables owned by the superuser the app used to be)
-- passes its tables to the owner; their sequences follow them.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER FUNCTION public.%I() OWNER TO %I', p.proname, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
 WHERE n.nspname = 'public' AND r.rolname <> :'owner' AND p.prorettype = 'trigger'::regtype \gexec
-- Nobody else creates tables (or triggers' replacements) in the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
\else
-- After migrate: the app's rights on every table and sequence, now and for tables added later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- The app role must own nothing: stop the deploy if it does.
SELECT count(*) > 0 AS owned FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = :'app' \gset
\if :owned
\echo 'The app role owns tables; reassign them to the owner role (docs/deployment.md).'
SELECT 1/0;
\endif
\endif
