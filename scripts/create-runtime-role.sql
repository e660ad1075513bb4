-- Two PostgreSQL roles for one workstation database, run once by a database administrator:
--
--   psql -h HOST -U postgres -v db=rfr -v owner=rfr_owner -v owner_password='…' \
--        -v runtime=rfr_app -v runtime_password='…' -f scripts/create-runtime-role.sql
--
-- then configure
--
--   DATABASE_MIGRATION_URL=postgres://rfr_owner:…@HOST/rfr   (npm start's prepare step and db:migrate only)
--   DATABASE_URL=postgres://rfr_app:…@HOST/rfr               (the server)
--
-- The owner role owns the schema and every table and applies the migrations; after each migration
-- run it grants the runtime role what the application needs (lib/server/db/runtime-role.ts): the
-- domain tables read/write, `audit_events` SELECT and INSERT only, `_prisma_migrations` SELECT only.
-- The runtime role owns nothing, so it cannot ALTER a table (no DISABLE TRIGGER), and it is no
-- superuser, so it cannot SET session_replication_role = replica to skip the trigger either. Whoever
-- holds the owner's (or a superuser's) password can still change the log: the hash chain and the
-- signed checkpoints (npm run audit:verify) are what reveal that.
--
-- Retention's pruning of audit events over a year old goes through the owner's SECURITY DEFINER
-- function prune_audit_events (migration 20261202070000), which the trigger still bounds; the runtime
-- role may execute it but holds no DELETE on audit_events.

\set ON_ERROR_STOP on

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"runtime" LOGIN PASSWORD :'runtime_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE :"db" OWNER :"owner";

\connect :"db"

-- PostgreSQL 15 gives the public schema to the database owner and no CREATE to anyone else; older
-- versions let every role create objects there, which would let the runtime role own tables.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"owner", :"runtime";
GRANT USAGE ON SCHEMA public TO :"runtime";
