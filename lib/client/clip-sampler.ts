// Samples frames of a short CCTV clip in the browser: the clip never leaves the machine. The page's own
// <video> element decodes it (Chromium plays H.264 MP4 and VP8/VP9 WebM); each sampled frame becomes an
// ImageBitmap that is transferred to the vision worker. WebCodecs would decode off the main thread, but
// needs a demuxer for each container; seeking a video element costs a few milliseconds a frame against
// the worker's hundred or so for the faces, so it is not the bottleneck worth a demuxer.

/** A clip much bigger than this is not a "short clip"; it is read whole to hash it. */
export const MAX_CLIP_BYTES = 200 * 1024 * 1024;
/** Longer footage should be cut to the minutes that matter before it is searched. */
export const MAX_CLIP_SECONDS = 5 * 60;
export const MAX_SAMPLES_PER_SECOND = 4;
export const MAX_SAMPLED_FRAMES = 80;
/** Frames are analysed at no more than this many pixels (a 1920×1080 frame is kept whole). */
export const MAX_FRAME_PIXELS = 1920 * 1080;

export type ClipContainer = 'mp4' | 'webm';

export class ClipError extends Error {
  constructor(
    readonly code: 'NOT_A_CLIP' | 'CLIP_TOO_LARGE' | 'CLIP_TOO_LONG' | 'CLIP_UNPLAYABLE' | 'CLIP_EMPTY' | 'CANCELLED',
    message: string,
  ) {
    super(message);
    this.name = 'ClipError';
  }
}

/** MP4/MOV by the `ftyp` box at byte 4, WebM/Matroska by the EBML magic; anything else is not a clip. */
export function sniffClipContainer(head: Uint8Array): ClipContainer | null {
  if (head.length >= 8 && head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70) return 'mp4';
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  return null;
}

/** Size and container checks that need only the file's first bytes; throws a ClipError the panel shows as is. */
export async function checkClipFile(file: Blob): Promise<ClipContainer> {
  if (file.size === 0) throw new ClipError('CLIP_EMPTY', 'The file is empty.');
  if (file.size > MAX_CLIP_BYTES) {
    throw new ClipError('CLIP_TOO_LARGE', `The clip is ${Math.round(file.size / 1024 / 1024)} MB; the limit is ${MAX_CLIP_BYTES / 1024 / 1024} MB. Cut it to the part that matters.`);
  }
  const container = sniffClipContainer(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (!container) throw new ClipError('NOT_A_CLIP', 'This file is not a video clip the workstation can read (MP4 with H.264, or WebM).');
  return container;
}

/**
 * When to sample: evenly, at most MAX_SAMPLES_PER_SECOND and at most MAX_SAMPLED_FRAMES in all, each in
 * the middle of its slot so the first and last frames (often a black fade or a half-written frame) are avoided.
 */
export function planSampleTimes(durationS: number, options: { maxPerSecond?: number; maxFrames?: number } = {}): number[] {
  const maxPerSecond = options.maxPerSecond ?? MAX_SAMPLES_PER_SECOND;
  const maxFrames = options.maxFrames ?? MAX_SAMPLED_FRAMES;
  if (!(durationS > 0) || !Number.isFinite(durationS)) return [];
  const count = Math.max(1, Math.min(maxFrames, Math.floor(durationS * maxPerSecond)));
  const slot = durationS / count;
  return Array.from({ length: count }, (_, k) => Math.round((k + 0.5) * slot * 1000) / 1000);
}

export async function sha256OfFile(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Keeps the source's next item in flight while the consumer works on the current one: the page seeks and
 * grabs frame k+1 while the worker analyses frame k (a VP9 seek decodes from the last key frame, tens of
 * milliseconds). An item fetched but never consumed (the consumer stopped) is handed to `drop`.
 */
export async function* withLookahead<T>(source: AsyncGenerator<T>, drop: (item: T) => void): AsyncGenerator<T> {
  let pending = source.next();
  try {
    while (true) {
      // Handled here so a failure while the consumer is busy is not reported as unhandled; awaited below.
      pending.catch(() => undefined);
      const result = await pending;
      if (result.done) return;
      pending = source.next();
      yield result.value;
    }
  } finally {
    const last = await pending.catch(() => null);
    if (last && !last.done) drop(last.value);
    await source.return(undefined);
  }
}

export type SampledFrame = { index: number; timeMs: number; bitmap: ImageBitmap };
export type OpenedClip = {
  durationS: number;
  width: number;
  height: number;
  times: number[];
  frames: AsyncGenerator<SampledFrame>;
  /** Lets the video and its object URL go; done by `frames` when it ends, needed when it is never read to the end. */
  close(): void;
};

function once(target: HTMLVideoElement, ok: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      target.removeEventListener(ok, onOk);
      target.removeEventListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onOk = () => (cleanup(), resolve());
    const onError = () => (cleanup(), reject(new ClipError('CLIP_UNPLAYABLE', 'The clip could not be played: it is damaged, or its video codec is not H.264, VP8 or VP9.')));
    const onAbort = () => (cleanup(), reject(new ClipError('CANCELLED', 'Cancelled.')));
    target.addEventListener(ok, onOk);
    target.addEventListener('error', onError);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Opens the clip in a detached video element and plans the samples; `frames` then seeks to each time in
 * turn and yields the frame as an ImageBitmap (the caller transfers or closes it). Aborting the signal
 * stops the sampling and lets the video go.
 */
export async function openClip(file: Blob, options: { signal?: AbortSignal; maxFrames?: number } = {}): Promise<OpenedClip> {
  const { signal } = options;
  await checkClipFile(file);
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  let isReleased = false;
  const release = () => {
    if (isReleased) return;
    isReleased = true;
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  };
  try {
    const loaded = once(video, 'loadeddata', signal);
    video.src = url;
    await loaded;
    let durationS = video.duration;
    // A WebM written live may not state its length: seeking far past the end makes the browser find it.
    if (!Number.isFinite(durationS)) {
      const found = once(video, 'seeked', signal);
      video.currentTime = 1e7;
      await found;
      durationS = video.duration;
    }
    if (!Number.isFinite(durationS) || durationS <= 0 || video.videoWidth < 1) throw new ClipError('CLIP_UNPLAYABLE', 'The clip has no video frames the browser can show.');
    if (durationS > MAX_CLIP_SECONDS) {
      throw new ClipError('CLIP_TOO_LONG', `The clip is ${Math.round(durationS)} s long; the limit is ${MAX_CLIP_SECONDS / 60} minutes. Cut it to the part that matters.`);
    }
    const times = planSampleTimes(durationS, { maxFrames: options.maxFrames });
    const scale = Math.min(1, Math.sqrt(MAX_FRAME_PIXELS / (video.videoWidth * video.videoHeight)));
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    async function* frames(): AsyncGenerator<SampledFrame> {
      try {
        for (const [index, time] of times.entries()) {
          if (signal?.aborted) throw new ClipError('CANCELLED', 'Cancelled.');
          const seeked = once(video, 'seeked', signal);
          video.currentTime = time;
          await seeked;
          const bitmap = scale < 1 ? await createImageBitmap(video, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' }) : await createImageBitmap(video);
          yield { index, timeMs: Math.round(time * 1000), bitmap };
        }
      } finally {
        release();
      }
    }
    return { durationS, width, height, times, frames: withLookahead(frames(), (frame) => frame.bitmap.close()), close: release };
  } catch (error) {
    release();
    throw error;
  }
}
