import { describe, expect, it } from 'vitest';
import { describeClipFrame, formatClipTime } from '@/lib/shared/clip-frame-label';

describe('clip frame provenance wording', () => {
  it('formats a time in the clip to a tenth of a second', () => {
    expect(formatClipTime(0)).toBe('00:00.0');
    expect(formatClipTime(3200)).toBe('00:03.2');
    expect(formatClipTime(3249)).toBe('00:03.2');
    expect(formatClipTime(59_960)).toBe('01:00.0');
    expect(formatClipTime(3_723_400)).toBe('1:02:03.4');
  });

  it('names the frame by its time and the clip by a hash prefix, and says nothing for a still', () => {
    const sha = '0123456789abcdef'.repeat(4);
    expect(describeClipFrame({ clipSha256: sha, clipFileName: 'door.mp4', frameTimeMs: 3200 })).toBe('Frame at 00:03.2 of clip 0123456789ab… (door.mp4)');
    expect(describeClipFrame({ clipSha256: null, clipFileName: null, frameTimeMs: null })).toBeNull();
  });
});
