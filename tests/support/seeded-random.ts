/** A small xorshift generator: the same seed gives the same sequence, values in [-0.5, 0.5). */
export function seeded(seed: number): () => number {
  let state = (Math.imul(seed + 0x9e3779b9, 0x85ebca6b) >>> 0) || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296 - 0.5;
  };
}
