import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { buildFacePipeline } from '@/lib/vision/build-pipeline';
import { computeSha256, parseModelManifest, verifyModelBytes } from '@/lib/vision/model-manifest';
import { VisionError } from '@/lib/vision/vision-error';

const manifest = parseModelManifest(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')));

describe('model manifest', () => {
  it('lists a detector, landmarker and recogniser with name@version ids and the default recogniser is 512-D', () => {
    expect(manifest.models.map((m) => m.role).sort()).toEqual(['detector', 'landmarker', 'recognizer']);
    const rec = manifest.models.find((m) => m.id === manifest.defaults.recognizer)!;
    expect(rec.id).toBe('faceplugin-fr-feature-512@0.0.1');
    expect(rec.embeddingDimension).toBe(512);
  });

  it('hashes with WebCrypto (the same code path in the worker)', async () => {
    expect(await computeSha256(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses bytes whose hash differs, with a typed error naming the model', async () => {
    const entry = manifest.models[0]!;
    const error = await verifyModelBytes(entry, new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisionError);
    expect((error as VisionError).code).toBe('MODEL_HASH_MISMATCH');
    expect((error as VisionError).details?.modelId).toBe(entry.id);
  });

  it('never opens a session for a tampered model file', async () => {
    const createSession = vi.fn();
    const error = await buildFacePipeline({ manifest, loadModelBytes: async () => new Uint8Array(16), createSession }).catch((e: unknown) => e);
    expect((error as VisionError).code).toBe('MODEL_HASH_MISMATCH');
    expect(createSession).not.toHaveBeenCalled();
  });

  it('reports a missing file as MODEL_MISSING', async () => {
    const error = await buildFacePipeline({
      manifest,
      loadModelBytes: async (entry) => {
        throw new VisionError('MODEL_MISSING', `missing ${entry.file}`);
      },
      createSession: vi.fn(),
    }).catch((e: unknown) => e);
    expect((error as VisionError).code).toBe('MODEL_MISSING');
  });

  it('rejects a malformed manifest and a default that names no listed model', () => {
    expect(() => parseModelManifest({ version: 1 })).toThrow(VisionError);
    const broken = structuredClone(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')));
    broken.defaults.recognizer = 'other@1';
    expect(() => parseModelManifest(broken)).toThrow(/default recognizer/);
  });
});
