import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { TransactionClient } from '@/lib/server/db/database';
import { appendAuditEvent, recordAuditEvent, type AuditEntry } from '@/lib/server/audit/append-audit-event';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError, type ActionResult, type ErrorCode } from '@/lib/shared/errors';
import { hasPermission, type Permission } from '@/lib/shared/permissions';

export type ActionContext<Input> = { actor: Actor; input: Input; tx: TransactionClient };

export type ActionOutcome<Data> = {
  data: Data;
  /** What the audit event is about. */
  target: { type: string; id: string };
  /** Extra, non-secret facts for the audit record (never embeddings, passwords or image bytes). */
  auditPayload?: Record<string, unknown>;
};

export type ActionSpec<Schema extends z.ZodType, Data, Authorized = void, Prepared = void> = {
  /** Audit action name, e.g. `case.open`. */
  name: string;
  permission: Permission;
  input: Schema;
  /**
   * Object-level check, inside the transaction: throw AppError NOT_FOUND or FORBIDDEN when this actor
   * may not act on the object the input names. Required, so that no action can forget it. What it
   * returns (the objects it looked up) is handed to `run`.
   */
  authorize: (context: ActionContext<z.output<Schema>>) => Promise<Authorized>;
  /**
   * Slow work that needs no database (decoding an image, running a model), done after the caller is
   * authenticated and the input validated but before the transaction opens, so no transaction (and, on
   * the embedded store, no other request) waits for it. Its result is handed to `run`.
   */
  prepare?: (context: { actor: Actor; input: z.output<Schema> }) => Promise<Prepared>;
  run: (context: ActionContext<z.output<Schema>> & { authorized: Authorized; prepared: Prepared }) => Promise<ActionOutcome<Data>>;
};

export type ActionDependencies = {
  getActor: () => Promise<Actor | null>;
  getPrisma: () => Promise<PrismaClient>;
  logError?: (eventId: string, error: unknown) => void;
};

/**
 * Declares an action's specification on its own, so the same specification can be wrapped for the
 * server (the signed-in user) and for command-line tools such as the evaluation harness (a system
 * user), and both run exactly the same checks and writes.
 */
export function specifyAction<Schema extends z.ZodType, Data, Authorized = void, Prepared = void>(
  spec: ActionSpec<Schema, Data, Authorized, Prepared>,
): ActionSpec<Schema, Data, Authorized, Prepared> {
  return spec;
}

/** For actions that create a new object: the permission check is all there is to authorise. */
export async function authorizeCreation(): Promise<void> {}

/**
 * Builds the one wrapper every server action goes through. In order: authenticate (the user as the
 * database sees them now), check the role's permission, validate the input, then in one transaction
 * authorise the object, do the work and append the audit event. Refusals and failures are audited
 * too, in their own transaction. If no audit record can be written, the action fails: nothing
 * happens without a trace (fail closed).
 */
export function createActionDefiner(dependencies: ActionDependencies) {
  const logError = dependencies.logError ?? ((eventId, error) => console.error(`[action] ${eventId}`, error));

  return function defineAction<Schema extends z.ZodType, Data, Authorized = void, Prepared = void>(
    spec: ActionSpec<Schema, Data, Authorized, Prepared>,
  ) {
    return async function action(rawInput: unknown): Promise<ActionResult<Data>> {
      let actor: Actor | null = null;
      let prisma: PrismaClient;
      try {
        prisma = await dependencies.getPrisma();
        actor = await dependencies.getActor();
      } catch (error) {
        const eventId = randomUUID();
        logError(eventId, error);
        return failure('UNAVAILABLE', 'The service is unavailable. Nothing was changed.', { eventId });
      }

      const refuse = async (code: ErrorCode, message: string, details: Record<string, unknown> = {}) => {
        const eventId = code === 'INTERNAL' ? randomUUID() : undefined;
        const entry: AuditEntry = {
          actorId: actor?.id ?? null,
          actorRole: actor?.role ?? null,
          action: spec.name,
          outcome: code === 'INTERNAL' ? 'error' : 'refused',
          payload: { code, ...details, ...(eventId ? { eventId } : {}) },
        };
        try {
          await recordAuditEvent(prisma, entry);
        } catch (error) {
          logError(eventId ?? randomUUID(), error);
          return failure('AUDIT_UNAVAILABLE', 'The audit log could not be written, so nothing was done.');
        }
        return failure(code, message, { eventId, fieldErrors: details.fieldErrors as Record<string, string[]> });
      };

      if (!actor) return refuse('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
      if (!hasPermission(actor.role, spec.permission)) {
        return refuse('FORBIDDEN', 'Your role does not allow this.', { permission: spec.permission });
      }

      const parsed = spec.input.safeParse(rawInput);
      if (!parsed.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const key = issue.path.join('.') || '_';
          (fieldErrors[key] ??= []).push(issue.message);
        }
        return refuse('VALIDATION', 'Some fields need attention.', { fieldErrors });
      }

      const signedIn = actor;
      try {
        const prepared = (spec.prepare ? await spec.prepare({ actor: signedIn, input: parsed.data }) : undefined) as Prepared;
        const data = await prisma.$transaction(async (tx) => {
          const context = { actor: signedIn, input: parsed.data, tx };
          const authorized = await spec.authorize(context);
          const outcome = await spec.run({ ...context, authorized, prepared });
          await appendAuditEvent(tx, {
            actorId: signedIn.id,
            actorRole: signedIn.role,
            action: spec.name,
            outcome: 'success',
            targetType: outcome.target.type,
            targetId: outcome.target.id,
            payload: outcome.auditPayload ?? {},
          });
          return outcome.data;
        });
        return { ok: true, data };
      } catch (error) {
        const expected = toAppError(error);
        if (expected) return refuse(expected.code, expected.message, expected.fieldErrors ? { fieldErrors: expected.fieldErrors } : {});
        const refusal = await refuse('INTERNAL', 'Something went wrong. Nothing was changed.');
        if (!refusal.ok && refusal.error.eventId) logError(refusal.error.eventId, error);
        return refusal;
      }
    };
  };
}

function failure(
  code: ErrorCode,
  message: string,
  extra: { eventId?: string | undefined; fieldErrors?: Record<string, string[]> | undefined } = {},
): { ok: false; error: { code: ErrorCode; message: string; eventId?: string; fieldErrors?: Record<string, string[]> } } {
  return {
    ok: false,
    error: {
      code,
      message,
      ...(extra.eventId ? { eventId: extra.eventId } : {}),
      ...(extra.fieldErrors ? { fieldErrors: extra.fieldErrors } : {}),
    },
  };
}

// Database constraint violations are expected outcomes (a double submit, a stale id), not crashes.
function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'P2002') return new AppError('CONFLICT', 'This has already been recorded.');
  if (code === 'P2025') return new AppError('NOT_FOUND', 'That record no longer exists.');
  return null;
}
