import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromiumPath } from '../../scripts/support/headless-chromium';

// LFW lives outside the repository (../shared/data/lfw); tests that need it skip with this message when absent.
export const lfwDir = resolve(process.cwd(), '../shared/data/lfw/images');
export const hasLfw = existsSync(lfwDir);
export const lfwMissingMessage = `LFW not found at ${lfwDir}: skipping tests that need real faces`;

export function lfwImage(name: string, index: number): string {
  return resolve(lfwDir, name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

export const hasChromium = existsSync(chromiumPath);
