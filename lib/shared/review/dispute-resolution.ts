import { z } from 'zod';
import { DECISIONS, type Decision } from '@/lib/shared/schemas/review';

// What a resolved dispute stores in Dispute.resolution: the supervisor's final decision on each
// candidate the reviewers disagreed on, by candidate id. Candidates they agreed on keep the
// reviewers' common decision.

export const disputeResolutionSchema = z.object({ decisions: z.record(z.string().uuid(), z.enum(DECISIONS)) });
export type DisputeResolution = z.infer<typeof disputeResolutionSchema>;

/** The supervisor's decisions from a stored resolution; empty for none or for anything unreadable. */
export function readResolution(stored: unknown): ReadonlyMap<string, Decision> {
  const parsed = disputeResolutionSchema.safeParse(stored);
  return new Map(parsed.success ? Object.entries(parsed.data.decisions) : []);
}

/**
 * The decision in force for one candidate once both reviews are in: the supervisor's where they
 * resolved a disagreement, the reviewers' where they agreed, otherwise none (still disputed).
 */
export function finalDecision(
  candidateId: string,
  first: ReadonlyMap<string, Decision>,
  second: ReadonlyMap<string, Decision>,
  resolution: ReadonlyMap<string, Decision>,
): Decision | null {
  const resolved = resolution.get(candidateId);
  if (resolved) return resolved;
  const a = first.get(candidateId);
  return a && a === second.get(candidateId) ? a : null;
}
