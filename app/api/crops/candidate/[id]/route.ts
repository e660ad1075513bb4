import { findCandidateCropKeyForActor } from '@/lib/server/dal/face-crops';
import { serveCrop } from '@/lib/server/http/serve-crop';

// Casework addresses a candidate's face by the candidate id, which says nothing about the subject or
// the rank: the blind second reviewer's page can load faces without learning who they are.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return serveCrop({ id: (await params).id, kind: 'candidate', findKey: findCandidateCropKeyForActor });
}
