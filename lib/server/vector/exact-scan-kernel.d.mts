// Types for exact-scan-kernel.mjs (plain JavaScript so that the scan workers can load it without a
// bundler or a TypeScript loader). Import through exact-scan.ts, never directly from application code.

export type ScanBlock = {
  f32: Float32Array;
  i8: Int8Array;
  rows: number;
  /** Largest ‖dequantised − original‖ of any row ever stored here; stale-high is safe, never low. */
  maxQuantError: number;
};

export type ScanQuery = { f32: Float32Array; i8: Int8Array; quantError: number };

export type ScanCandidate = { block: number; row: number; score: number };

export type ScanOptions = { dimension: number; limit: number; minScore?: number; threads?: number };

export type ScanResult = { candidates: ScanCandidate[]; passes: number; rescored: number };

export function quantiseRowInt8(source: Float32Array, sourceOffset: number, target: Int8Array, targetOffset: number, dimension: number): number;
export function quantiseQuery(unit: Float32Array): ScanQuery;
/** Largest angle between a vector and its int8 copy, given their relative distance. */
export function angleBound(relativeError: number): number;
export function dotRow(data: Float32Array, offset: number, query: Float32Array, dimension: number): number;
export function scanExact(blocks: ScanBlock[], query: ScanQuery, options: ScanOptions): ScanResult;
