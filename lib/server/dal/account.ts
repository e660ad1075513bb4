import 'server-only';
import { redirect } from 'next/navigation';
import { readSessionState, type Actor } from '@/lib/server/auth/current-actor';
import type { SessionNotice } from '@/lib/server/auth/sessions';

/**
 * For the password page, open to every role and to a session opened with a temporary password (which
 * may do nothing else). No session → sign-in.
 */
export async function requireAccountHolder(): Promise<{ actor: Actor; mustChangePassword: boolean }> {
  const state = await readSessionState();
  if (state.status === 'none') redirect('/sign-in');
  return { actor: state.actor, mustChangePassword: state.status === 'password_change_required' };
}

/**
 * The failed sign-ins for this account between its previous successful sign-in and this session's,
 * until its holder dismisses the notice; null when there were none (or no session).
 */
export async function findSignInNotice(): Promise<SessionNotice | null> {
  const state = await readSessionState();
  return state.status === 'active' ? state.notice : null;
}
