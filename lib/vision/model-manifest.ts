import { z } from 'zod';
import { VisionError } from './vision-error';

// The manifest is what lets a force swap in a licensed model: the code reads sizes, colour order and
// normalisation from it instead of hard-coding them, and refuses any file whose bytes are not the ones
// the manifest names.

const normalisationSchema = z.object({
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
});

const modelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*@[0-9A-Za-z.+-]+$/, 'model id must look like name@version'),
  role: z.enum(['detector', 'landmarker', 'recognizer']),
  kind: z.string().min(1),
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'model file must be a plain .onnx file name'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive().optional(),
  licence: z.string().min(1),
  source: z.object({
    package: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    note: z.string().optional(),
  }),
  input: z.object({
    name: z.string().min(1),
    shape: z.array(z.number().int().positive()),
    colour: z.enum(['rgb', 'bgr', 'grey']),
    normalisation: normalisationSchema,
  }),
  output: z.record(z.string(), z.string()),
  embeddingDimension: z.number().int().positive().optional(),
  alignment: z.literal('arcface-112-5pt').optional(),
  notes: z.string().optional(),
});

export const modelManifestSchema = z.object({
  version: z.literal(1),
  defaults: z.object({ detector: z.string(), landmarker: z.string(), recognizer: z.string() }),
  models: z.array(modelEntrySchema).min(1),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ModelRole = ModelEntry['role'];

export function parseModelManifest(value: unknown): ModelManifest {
  const parsed = modelManifestSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new VisionError('MODEL_MISSING', `The model manifest is invalid: ${problems}`);
  }
  const ids = new Set(parsed.data.models.map((m) => m.id));
  for (const [role, id] of Object.entries(parsed.data.defaults)) {
    const entry = parsed.data.models.find((m) => m.id === id);
    if (!entry || entry.role !== role) {
      throw new VisionError('MODEL_MISSING', `The manifest's default ${role} ${id} is not listed as a ${role}.`);
    }
  }
  if (ids.size !== parsed.data.models.length) throw new VisionError('MODEL_MISSING', 'The manifest lists a model id twice.');
  return parsed.data;
}

export function findModel(manifest: ModelManifest, role: ModelRole, id?: string): ModelEntry {
  const wanted = id ?? manifest.defaults[role];
  const entry = manifest.models.find((m) => m.id === wanted && m.role === role);
  if (!entry) throw new VisionError('MODEL_MISSING', `No ${role} model ${wanted} in the manifest.`, { modelId: wanted });
  return entry;
}

export async function computeSha256(bytes: Uint8Array): Promise<string> {
  // WebCrypto exists in Node ≥ 19 and in workers, so one implementation serves both runtimes.
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Refuses bytes that are not exactly the reviewed model: a swapped file would silently change every score. */
export async function verifyModelBytes(entry: ModelEntry, bytes: Uint8Array): Promise<void> {
  const actual = await computeSha256(bytes);
  if (actual !== entry.sha256) {
    throw new VisionError(
      'MODEL_HASH_MISMATCH',
      `Model ${entry.id} (${entry.file}) does not match its manifest hash; refusing to load it.`,
      { modelId: entry.id, expected: entry.sha256, actual },
    );
  }
}
