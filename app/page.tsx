import { redirect } from 'next/navigation';
import { findSessionLanding } from '@/lib/server/dal/require-permission';

export default async function HomePage() {
  redirect((await findSessionLanding()) ?? '/sign-in');
}
