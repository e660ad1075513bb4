import { describe, expect, it } from 'vitest';
import { checkClipFile, MAX_CLIP_BYTES, MAX_SAMPLED_FRAMES, planSampleTimes, sniffClipContainer, withLookahead } from '@/lib/client/clip-sampler';

const mp4Head = new Uint8Array([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]);
const webmHead = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]);

describe('clip sampling plan and checks', () => {
  it('recognises MP4 and WebM by their first bytes, and nothing else', () => {
    expect(sniffClipContainer(mp4Head)).toBe('mp4');
    expect(sniffClipContainer(webmHead)).toBe('webm');
    expect(sniffClipContainer(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]))).toBeNull();
    expect(sniffClipContainer(new Uint8Array([]))).toBeNull();
  });

  it('samples at most four frames a second, mid-slot, and at most the frame cap', () => {
    expect(planSampleTimes(2)).toEqual([0.125, 0.375, 0.625, 0.875, 1.125, 1.375, 1.625, 1.875]);
    const long = planSampleTimes(120);
    expect(long).toHaveLength(MAX_SAMPLED_FRAMES);
    expect(long[0]).toBeCloseTo(0.75, 3);
    expect(long.at(-1)).toBeLessThan(120);
    expect(planSampleTimes(0.1)).toEqual([0.05]);
    expect(planSampleTimes(0)).toEqual([]);
    expect(planSampleTimes(Number.POSITIVE_INFINITY)).toEqual([]);
  });

  it('refuses an empty file, a file that is not a clip and a clip over the size limit, saying which', async () => {
    await expect(checkClipFile(new Blob([]))).rejects.toThrow(/empty/);
    await expect(checkClipFile(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4])]))).rejects.toThrow(/not a video clip/);
    const huge = { size: MAX_CLIP_BYTES + 1, slice: () => new Blob([mp4Head]) } as unknown as Blob;
    await expect(checkClipFile(huge)).rejects.toThrow(/the limit is 200 MB/);
    await expect(checkClipFile(new Blob([webmHead]))).resolves.toBe('webm');
  });
});

describe('withLookahead', () => {
  async function* counted(log: string[], count: number, failAt?: number): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        log.push(`fetch ${i}`);
        if (i === failAt) throw new Error(`seek ${i} failed`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  }

  it('fetches the next item before the consumer is done with the current one, and yields them all in order', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of withLookahead(counted(log, 3), () => log.push('dropped'))) {
      log.push(`use ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(log.indexOf('fetch 1')).toBeLessThan(log.indexOf('use 0'));
    expect(log.filter((line) => line === 'closed')).toHaveLength(1);
    expect(log).not.toContain('dropped');
  });

  it('drops the prefetched item and closes the source when the consumer stops early', async () => {
    const log: string[] = [];
    const dropped: number[] = [];
    for await (const item of withLookahead(counted(log, 5), (value) => dropped.push(value))) {
      if (item === 1) break;
    }
    expect(dropped).toEqual([2]);
    expect(log.at(-1)).toBe('closed');
  });

  it('passes a failure of the source on to the consumer', async () => {
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of withLookahead(counted([], 5, 2), () => undefined)) seen.push(item);
      })(),
    ).rejects.toThrow('seek 2 failed');
    expect(seen).toEqual([0, 1]);
  });
});
