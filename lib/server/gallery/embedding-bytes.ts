import 'server-only';

// Embeddings are stored as little-endian float32 bytes (x86 and ARM are both little-endian, and
// Float32Array uses the platform's order).
export function embeddingToBytes(embedding: Float32Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(embedding.byteLength);
  copy.set(new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));
  return copy;
}

export function bytesToEmbedding(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`Stored embedding has ${bytes.byteLength} bytes, not a multiple of 4`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
