import 'server-only';
import { MAX_CROP_BYTES, MAX_PAYLOAD_CHARS, PROBE_FACE_FORM_FIELDS } from '@/lib/shared/schemas/probe';

/**
 * Turns the posted form into the object the action's schema validates. It never throws and never
 * refuses on its own: whatever is wrong with the form (not a form, JSON that does not parse, a missing
 * or oversized file) is passed on in a shape the schema refuses, so the refusal goes through the
 * action wrapper and is audited like every other. An oversized file is not read at all.
 */
export async function readProbeFaceForm(form: unknown): Promise<{ payload: unknown; crop: unknown }> {
  if (!(form instanceof FormData)) return { payload: undefined, crop: undefined };
  const text = form.get(PROBE_FACE_FORM_FIELDS.payload);
  let payload: unknown;
  if (typeof text === 'string' && text.length <= MAX_PAYLOAD_CHARS) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
  }
  const file = form.get(PROBE_FACE_FORM_FIELDS.crop);
  let crop: unknown;
  if (file instanceof Blob) {
    // An empty array fails the schema's size check with the same message as an oversized file.
    crop = file.size > MAX_CROP_BYTES ? new Uint8Array(0) : new Uint8Array(await file.arrayBuffer());
  }
  return { payload, crop };
}
