import { findEnrolledCropKeyForActor } from '@/lib/server/dal/face-crops';
import { serveCrop } from '@/lib/server/http/serve-crop';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return serveCrop({ id: (await params).id, kind: 'enrolled_face', findKey: findEnrolledCropKeyForActor });
}
