import { describe, expect, it } from 'vitest';
import { chooseWasmThreads } from '@/lib/client/ort-web-session';

describe('chooseWasmThreads', () => {
  it('leaves one core to the page, at least 1 and at most 4 threads', () => {
    expect(chooseWasmThreads({ isIsolated: true, cores: 1 })).toBe(1);
    expect(chooseWasmThreads({ isIsolated: true, cores: 2 })).toBe(1);
    expect(chooseWasmThreads({ isIsolated: true, cores: 4 })).toBe(3);
    expect(chooseWasmThreads({ isIsolated: true, cores: 16 })).toBe(4);
  });

  it('takes a requested count up to the cores there are', () => {
    expect(chooseWasmThreads({ isIsolated: true, cores: 2, requested: 2 })).toBe(2);
    expect(chooseWasmThreads({ isIsolated: true, cores: 2, requested: 8 })).toBe(2);
    expect(chooseWasmThreads({ isIsolated: true, cores: 8, requested: 0 })).toBe(1);
  });

  it('uses one thread without cross-origin isolation (no SharedArrayBuffer)', () => {
    expect(chooseWasmThreads({ isIsolated: false, cores: 8 })).toBe(1);
    expect(chooseWasmThreads({ isIsolated: false, cores: 8, requested: 4 })).toBe(1);
  });
});
