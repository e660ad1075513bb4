import 'server-only';

// The exact int8-scan-then-float32-certificate search (see exact-scan-kernel.mjs for how it stays
// exact). The kernel is plain JavaScript so that the scan workers (scan-pool.ts) run the very same code
// as an in-thread scan; this module is its typed, server-only face for the rest of the application.
export { angleBound, dotRow, quantiseQuery, quantiseRowInt8, scanExact } from './exact-scan-kernel.mjs';
export type { ScanBlock, ScanCandidate, ScanOptions, ScanQuery, ScanResult } from './exact-scan-kernel.mjs';
