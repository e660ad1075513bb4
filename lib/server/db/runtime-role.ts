import 'server-only';
import type { SqlSession } from './sql-driver';

// On PostgreSQL the application connects as a runtime role that owns nothing: it reads and writes the
// domain tables, may only read and append to the audit log, and can neither alter a table (so not
// disable the append-only trigger), nor update, delete or truncate an audit event, nor touch the
// migration history. Migrations run as the owner role (DATABASE_MIGRATION_URL), which re-asserts these
// grants after every migration run, so a table added by a later migration is covered at once.
// scripts/create-runtime-role.sql creates the two roles. PGlite is a single embedded user: nothing to do.

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function runtimeGrantStatements(role: string): string[] {
  const runtime = quoteIdentifier(role);
  return [
    `GRANT USAGE ON SCHEMA public TO ${runtime}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${runtime}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${runtime}`,
    // Read and append only. (TRUNCATE, REFERENCES and TRIGGER were never granted; revoked in case a
    // hand-made set-up did.)
    `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "audit_events" FROM ${runtime}`,
    // Retention's pruning of events over a year old, which the append-only trigger still bounds.
    `GRANT EXECUTE ON FUNCTION "prune_audit_events"(BIGINT) TO ${runtime}`,
    // The server checks that the schema is current; only the owner records migrations.
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "_prisma_migrations" FROM ${runtime}`,
    // Tables made later by this owner outside the app's runner (e.g. `prisma migrate deploy`).
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${runtime}`,
  ];
}

/**
 * Grants the runtime role what it needs, run as the owner after migrations, in one transaction.
 * Returns what is still wrong with the role's set-up (things only a database administrator can
 * change), for the caller to print.
 */
export async function applyRuntimeGrants(owner: SqlSession, role: string): Promise<string[]> {
  await owner.exec('BEGIN');
  try {
    for (const statement of runtimeGrantStatements(role)) await owner.exec(statement);
    await owner.exec('COMMIT');
  } catch (error) {
    await owner.exec('ROLLBACK');
    throw new Error(`Could not grant the runtime role ${role} its privileges: ${(error as Error).message}`);
  }
  return findRuntimeRoleProblems(owner, role);
}

/** Ways the runtime role could still change or remove audit events, each as a sentence. */
export async function findRuntimeRoleProblems(session: SqlSession, role: string): Promise<string[]> {
  const [facts] = await session.query<{ is_superuser: boolean; owns: number; may_create: boolean; is_owner_member: boolean }>(
    `SELECT r.rolsuper AS is_superuser,
            (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owns,
            has_schema_privilege(r.oid, 'public', 'CREATE') AS may_create,
            pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = '"audit_events"'::regclass), 'USAGE') AS is_owner_member
       FROM pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  if (!facts) return [`the runtime role ${role} does not exist`];
  const problems: string[] = [];
  if (facts.is_superuser) problems.push(`the runtime role ${role} is a superuser: it can disable the audit trigger`);
  if (facts.is_owner_member) problems.push(`the runtime role ${role} is (a member of) the owner of audit_events: it can disable the audit trigger`);
  if (facts.owns > 0) problems.push(`the runtime role ${role} owns ${facts.owns} relation(s) in the public schema`);
  if (facts.may_create) problems.push(`the runtime role ${role} may create objects in the public schema (REVOKE CREATE ON SCHEMA public FROM PUBLIC)`);
  return problems;
}
