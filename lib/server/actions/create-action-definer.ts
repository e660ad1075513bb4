import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { TransactionClient } from '@/lib/server/db/database';
import { appendAuditEvent, recordAuditEvent, type AuditEntry } from '@/lib/server/audit/append-audit-event';
import { ambientRequestContext, type RequestContext } from '@/lib/server/audit/request-context';
import type { Actor } from '@/lib/server/auth/current-actor';
import { AppError, type ActionResult, type ErrorCode } from '@/lib/shared/errors';
import { hasPermission, type Permission } from '@/lib/shared/permissions';

export type ActionContext<Input> = { actor: Actor; input: Input; tx: TransactionClient };

/**
 * Undoes, after the write transaction has failed, what the database cannot roll back (a file written
 * in `run`). Given the wrapper's client, outside any transaction.
 */
export type Compensation = (prisma: PrismaClient) => Promise<void>;

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
   * Object-level check, inside a transaction: throw AppError NOT_FOUND or FORBIDDEN when this actor
   * may not act on the object the input names. Required, so that no action can forget it. What it
   * returns (the objects it looked up) is handed to `prepare` and `run`. With a `prepare` it runs
   * twice: once before the slow work, so nothing is computed or stored for a caller who will be
   * refused, and again in the write transaction, so what changed meanwhile (a case closed while the
   * crop was being checked) still refuses. It must therefore only read.
   */
  authorize: (context: ActionContext<z.output<Schema>>) => Promise<Authorized>;
  /**
   * Slow work that needs no database (decoding an image, running a model), done after the object check
   * but outside any transaction, so no transaction (and, on the embedded store, no other request)
   * waits for it. It must not write anything (no files either): a later check may still refuse, and
   * only `run` is followed by an audit record of what was done. Its result is handed to `run`.
   */
  prepare?: (context: { actor: Actor; input: z.output<Schema>; authorized: NoInfer<Authorized> }) => Promise<Prepared>;
  /**
   * The write, inside the transaction that also appends the audit event. Anything it does outside the
   * database (a file written) it registers an undo for with `onRollback`, called if the transaction
   * fails afterwards.
   */
  run: (
    context: ActionContext<z.output<Schema>> & { authorized: Authorized; prepared: Prepared; onRollback: (undo: Compensation) => void },
  ) => Promise<ActionOutcome<Data>>;
};

export type ActionDependencies = {
  getActor: () => Promise<Actor | null>;
  getPrisma: () => Promise<PrismaClient>;
  /**
   * Where the call came from, recorded in every event the wrapper writes: the web request's address
   * and user agent on the server (`readRequestContext`), `CLI_REQUEST_CONTEXT` in command-line tools.
   * Left out, the web request in scope is used if there is one.
   */
  getRequestContext?: () => Promise<RequestContext | null>;
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
 * Builds the one wrapper every server action goes through. In this fixed order: authenticate (the user
 * as the database sees them now), check the role's permission, validate the input, authorise the
 * object, then any slow work (`prepare`), then in one transaction authorise again, write and append
 * the audit event. Refusals and failures are audited too, in their own transaction, with the ids the
 * input named. If no audit record can be written, the action fails: nothing happens without a trace
 * (fail closed).
 */
export function createActionDefiner(dependencies: ActionDependencies) {
  const logError = dependencies.logError ?? ((eventId, error) => console.error(`[action] ${eventId}`, error));
  const getRequestContext = dependencies.getRequestContext ?? ambientRequestContext;

  return function defineAction<Schema extends z.ZodType, Data, Authorized = void, Prepared = void>(
    spec: ActionSpec<Schema, Data, Authorized, Prepared>,
  ) {
    return markDefined(async function action(rawInput: unknown): Promise<ActionResult<Data>> {
      let actor: Actor | null = null;
      let prisma: PrismaClient;
      let request: RequestContext | null;
      try {
        prisma = await dependencies.getPrisma();
        actor = await dependencies.getActor();
        // Not knowing where a call came from is worth a log line, not a refused action.
        request = await getRequestContext().catch((error: unknown) => {
          logError(randomUUID(), error);
          return null;
        });
      } catch (error) {
        const eventId = randomUUID();
        logError(eventId, error);
        return failure('UNAVAILABLE', 'The service is unavailable. Nothing was changed.', { eventId });
      }

      const refuse = async (code: ErrorCode, message: string, details: Record<string, unknown> = {}, internalEventId?: string) => {
        const eventId = code === 'INTERNAL' ? (internalEventId ?? randomUUID()) : undefined;
        const entry: AuditEntry = {
          actorId: actor?.id ?? null,
          actorRole: actor?.role ?? null,
          action: spec.name,
          outcome: code === 'INTERNAL' ? 'error' : 'refused',
          payload: { code, ...attemptedTargets(rawInput), ...details, ...(eventId ? { eventId } : {}) },
          request,
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
      const compensations: Compensation[] = [];
      try {
        let prepared = undefined as Prepared;
        if (spec.prepare) {
          // Its own short transaction: the object check is done before any slow work, so a refused
          // caller costs no decoding or model time and leaves nothing behind.
          const authorized = await prisma.$transaction((tx) => spec.authorize({ actor: signedIn, input: parsed.data, tx }));
          prepared = await spec.prepare({ actor: signedIn, input: parsed.data, authorized });
        }
        const data = await prisma.$transaction(async (tx) => {
          const context = { actor: signedIn, input: parsed.data, tx };
          const authorized = await spec.authorize(context);
          const outcome = await spec.run({ ...context, authorized, prepared, onRollback: (undo) => compensations.push(undo) });
          await appendAuditEvent(tx, {
            actorId: signedIn.id,
            actorRole: signedIn.role,
            action: spec.name,
            outcome: 'success',
            targetType: outcome.target.type,
            targetId: outcome.target.id,
            payload: outcome.auditPayload ?? {},
            request,
          });
          return outcome.data;
        });
        return { ok: true, data };
      } catch (error) {
        // Undo in reverse order what the rolled-back transaction cannot; a failed undo is logged, not
        // raised, so the caller still learns why the action itself failed.
        for (const undo of compensations.reverse()) {
          await undo(prisma).catch((undoError: unknown) => logError(randomUUID(), undoError));
        }
        const expected = toAppError(error);
        if (expected) return refuse(expected.code, expected.message, expected.fieldErrors ? { fieldErrors: expected.fieldErrors } : {});
        // Logged first, under the event id the audit record will carry: if that record cannot be
        // written either, the reason the action failed is still in the log.
        const eventId = randomUUID();
        logError(eventId, error);
        return refuse('INTERNAL', 'Something went wrong. Nothing was changed.', {}, eventId);
      }
    });
  };
}

// Every function the definer (or composeAction, around one) has made. Private to this module, so
// nothing else can mark a function as wrapped: the import-boundary test asks `isDefinedAction` of
// every export of lib/actions, and only functions built here answer yes.
const definedActions = new WeakSet<(...args: never[]) => unknown>();

function markDefined<Action extends (...args: never[]) => unknown>(action: Action): Action {
  definedActions.add(action);
  return action;
}

/** Whether a function was made by the action definer (or by composeAction around one). */
export function isDefinedAction(value: unknown): boolean {
  return typeof value === 'function' && definedActions.has(value as (...args: never[]) => unknown);
}

type DefinedAction<Data> = (rawInput: unknown) => Promise<ActionResult<Data>>;

/**
 * What a 'use server' export may put around an action the definer made, and nothing more: read the
 * action's input out of what the browser sent (a form), follow a success (revalidate a page, clear a
 * cookie), and shape the result it returns. Every check, the write and the audit record still happen
 * in the wrapped action. Given anything the definer did not make, it throws as the module loads.
 */
export function composeAction<Data, Raw = unknown, Output = ActionResult<Data>>(
  action: DefinedAction<Data>,
  steps: {
    readInput?: (raw: Raw) => unknown;
    onSuccess?: (data: Data, raw: Raw) => void | Promise<void>;
    after?: (result: ActionResult<Data>, raw: Raw) => Output | Promise<Output>;
  },
): (raw: Raw) => Promise<Output> {
  if (!isDefinedAction(action)) throw new TypeError('composeAction wraps only an action made by the action definer.');
  return markDefined(async (raw: Raw): Promise<Output> => {
    const result = await action(steps.readInput ? await steps.readInput(raw) : raw);
    if (result.ok && steps.onSuccess) await steps.onSuccess(result.data, raw);
    return steps.after ? steps.after(result, raw) : (result as Output);
  });
}

// The ids an input names, for the refusal audit record: what was attempted on what. Only fields known
// to hold ids, at the top level or one level down (a form's `payload`), and only values shaped like a
// UUID, so free text from an unvalidated input never reaches the audit log.
const TARGET_ID_FIELDS = ['caseId', 'probeFaceId', 'searchId', 'candidateId', 'watchlistId', 'subjectId', 'userId', 'disclosureId', 'disputeId', 'exceptionId', 'idempotencyKey'] as const;
// Lists of ids (the watch-lists a refused search would have searched), bounded so that a hostile
// input cannot inflate the log.
const TARGET_ID_LIST_FIELDS = ['watchlistIds', 'extraProbeFaceIds'] as const;
const MAX_LISTED_IDS = 50;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function attemptedTargets(input: unknown): Record<string, string | string[]> {
  const found: Record<string, string | string[]> = {};
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return;
    for (const [key, field] of Object.entries(value)) {
      if ((TARGET_ID_FIELDS as readonly string[]).includes(key) && typeof field === 'string' && UUID_PATTERN.test(field)) found[key] ??= field;
      else if ((TARGET_ID_LIST_FIELDS as readonly string[]).includes(key) && Array.isArray(field)) {
        const ids = field.filter((item): item is string => typeof item === 'string' && UUID_PATTERN.test(item)).slice(0, MAX_LISTED_IDS);
        if (ids.length > 0) found[key] ??= ids;
      } else if (depth === 0) visit(field, 1);
    }
  };
  visit(input, 0);
  return found;
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
