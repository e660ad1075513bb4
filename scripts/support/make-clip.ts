import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test clips are made in the test run from LFW stills, never committed: Debian's ffmpeg turns a list of
// stills into a short 640×480 clip, each still held for a moment, as a CCTV export of one person would be.

export const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined;
export const ffmpegMissingMessage = "ffmpeg not found: skipping the clip tests (install Debian's ffmpeg, or run `npm test` as root, which installs it)";

export type ClipCodec = 'h264' | 'vp8' | 'vp9';

const CODEC_ARGS: Record<ClipCodec, { ext: string; args: string[] }> = {
  h264: { ext: 'mp4', args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'] },
  vp8: { ext: 'webm', args: ['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'] },
  vp9: { ext: 'webm', args: ['-c:v', 'libvpx-vp9', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'] },
};

/** Writes a clip of the stills (each shown `secondsEach`) into a fresh temp folder; returns its path and bytes. */
export function makeClip(stills: string[], options: { codec: ClipCodec; secondsEach?: number; fps?: number }): { path: string; bytes: Buffer; name: string } {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'rfr-clip-'));
  stills.forEach((still, index) => copyFileSync(still, join(dir, `still-${String(index).padStart(3, '0')}.jpg`)));
  const { ext, args } = CODEC_ARGS[options.codec];
  const name = `cctv-${options.codec}.${ext}`;
  const path = join(dir, name);
  const secondsEach = options.secondsEach ?? 0.5;
  const result = spawnSync(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-framerate', String(1 / secondsEach),
      '-i', join(dir, 'still-%03d.jpg'),
      // Each still scaled to 360 px high and centred on a grey 640×480 frame, resampled to a video frame rate.
      '-vf', `scale=-2:360,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x5a5f66,fps=${options.fps ?? 10},format=yuv420p`,
      ...args,
      path,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not make the ${options.codec} clip: ${result.stderr || result.error?.message}`);
  return { path, bytes: readFileSync(path), name };
}

/** A blank clip of the given length (tiny frames, one a second): for the length limit, not for faces. */
export function makeBlankClip(seconds: number): { path: string; bytes: Buffer; name: string } {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'rfr-clip-'));
  const path = join(dir, 'long.mp4');
  const result = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=gray:s=64x48:r=1:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not make the blank clip: ${result.stderr || result.error?.message}`);
  return { path, bytes: readFileSync(path), name: 'long.mp4' };
}
