import 'server-only';
import { userInfo } from 'node:os';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from './current-actor';

/**
 * The user a command-line tool acts as (`--as EMAIL`), as the database sees them now: an existing,
 * enabled account, or null. A command-line run has no session and no password; whoever can run it can
 * already read the data folder. What `--as` adds is attribution: the audit log names the person who
 * answers for the run, with their role checked by the same wrapper as on the web, and the operating-
 * system account that ran it in the request context (`commandLineRequestContext`).
 */
export async function findCommandLineActor(prisma: PrismaClient, email: string): Promise<Actor | null> {
  return prisma.user.findFirst({
    where: { email: email.trim().toLowerCase(), disabled: false },
    select: { id: true, email: true, displayName: true, role: true, teamId: true },
  });
}

/** The request context of a command-line run: no address; the tool and the operating-system account. */
export function commandLineRequestContext(tool: string): RequestContext {
  let account = 'unknown';
  try {
    account = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the tool is still named.
  }
  return { ip: null, userAgent: `cli:${tool} (os user ${account})` };
}
