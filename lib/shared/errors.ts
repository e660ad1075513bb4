// Error codes shared by server and client. Expected failures carry one of these and a message fit to
// show the user; anything else becomes INTERNAL with an event id to quote to support.
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION',
  'CONFLICT',
  'CASE_CLOSED',
  'AUDIT_UNAVAILABLE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export type ActionError = {
  code: ErrorCode;
  message: string;
  fieldErrors?: Record<string, string[]>;
  /** Present for INTERNAL errors: the audit/log reference to quote. */
  eventId?: string;
};

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };
