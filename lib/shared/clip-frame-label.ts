// How a frame sampled from a clip is named wherever a still's provenance is shown: its time in the clip
// (to a tenth of a second, the precision the sampler keeps) and enough of the clip's SHA-256 to find
// the exhibit; the full hash is shown beside it.

export type ClipFrameProvenance = { clipSha256?: string | null; clipFileName?: string | null; frameTimeMs?: number | null };

/** 3200 → "00:03.2"; an hour or more → "1:02:03.4". */
export function formatClipTime(ms: number): string {
  const tenths = Math.max(0, Math.round(ms / 100));
  const seconds = Math.floor(tenths / 10) % 60;
  const minutes = Math.floor(tenths / 600) % 60;
  const hours = Math.floor(tenths / 36_000);
  const ss = `${String(seconds).padStart(2, '0')}.${tenths % 10}`;
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${String(minutes).padStart(2, '0')}:${ss}`;
}

/** "Frame at 00:03.2 of clip 1a2b3c4d5e6f… (door-cam.mp4)", or null for a still that is no clip frame. */
export function describeClipFrame(probe: ClipFrameProvenance): string | null {
  if (!probe.clipSha256 || probe.frameTimeMs === null || probe.frameTimeMs === undefined) return null;
  const name = probe.clipFileName ? ` (${probe.clipFileName})` : '';
  return `Frame at ${formatClipTime(probe.frameTimeMs)} of clip ${probe.clipSha256.slice(0, 12)}…${name}`;
}
