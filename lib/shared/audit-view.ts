import { z } from 'zod';

/** One audit event as the viewer shows it (plain data). */
export type AuditEventView = {
  sequence: string;
  createdAt: Date;
  actorRole: string | null;
  actorId: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  payload: unknown;
  hash: string;
};

// The viewer's filters, read from the page's query string; anything malformed is simply not applied.
export const auditListFilterSchema = z.object({
  actorId: z.string().uuid().optional().catch(undefined),
  action: z.string().trim().min(1).max(100).optional().catch(undefined),
  outcome: z.enum(['success', 'refused', 'error']).optional().catch(undefined),
  from: z.coerce.date().optional().catch(undefined),
  to: z.coerce.date().optional().catch(undefined),
  before: z.string().regex(/^\d{1,18}$/).optional().catch(undefined),
});
export type AuditListFilter = z.infer<typeof auditListFilterSchema>;

/** The query string for the same filter, one page further back. */
export function olderEventsQuery(filter: AuditListFilter, beforeSequence: string): string {
  const params = new URLSearchParams();
  if (filter.actorId) params.set('actorId', filter.actorId);
  if (filter.action) params.set('action', filter.action);
  if (filter.outcome) params.set('outcome', filter.outcome);
  if (filter.from) params.set('from', filter.from.toISOString().slice(0, 10));
  if (filter.to) params.set('to', filter.to.toISOString().slice(0, 10));
  params.set('before', beforeSequence);
  return params.toString();
}
