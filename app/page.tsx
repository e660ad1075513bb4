import { redirect } from 'next/navigation';
import { findSignedInActor } from '@/lib/server/dal/require-permission';
import { ROLE_HOME } from '@/lib/shared/roles';

export default async function HomePage() {
  const actor = await findSignedInActor();
  redirect(actor ? ROLE_HOME[actor.role] : '/sign-in');
}
