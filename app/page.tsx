import { redirect } from 'next/navigation';
import { getCurrentActor } from '@/lib/server/auth/current-actor';
import { ROLE_HOME } from '@/lib/shared/roles';

export default async function HomePage() {
  const actor = await getCurrentActor();
  redirect(actor ? ROLE_HOME[actor.role] : '/sign-in');
}
