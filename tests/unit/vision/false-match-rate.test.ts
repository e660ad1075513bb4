import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CalibrationTable,
  calibrationTableById,
  calibrationTableFor,
  calibrationTableId,
  describeCalibrationTable,
  describeChanceOfScore,
  describeRecordedChance,
  expectedFalsePositiveRate,
  falseMatchRate,
} from '@/lib/shared/calibration/false-match-rate';

const table: CalibrationTable = {
  modelId: 'toy@1',
  dataset: 'toy',
  impostorComparisons: 1_000_000,
  genuineComparisons: 100,
  points: [
    { score: 0, fmr: 0.5 },
    { score: 0.2, fmr: 1e-2 },
    { score: 0.4, fmr: 1e-4 },
    { score: 0.5, fmr: 0 },
  ],
  thresholds: [],
  measuredAt: '2026-11-27',
  notes: '',
};

describe('score calibration', () => {
  it('interpolates FMR log-linearly between table points', () => {
    expect(falseMatchRate('toy@1', 0.2, table)!.fmr).toBeCloseTo(1e-2, 12);
    expect(falseMatchRate('toy@1', 0.3, table)!.fmr).toBeCloseTo(1e-3, 9);
  });

  it('beyond the last impostor gives an upper bound of one in the number of comparisons', () => {
    expect(falseMatchRate('toy@1', 0.9, table)).toEqual({ fmr: 1e-6, isUpperBound: true });
  });

  it('has no reading for a model without a table', () => {
    expect(falseMatchRate('unknown@1', 0.5)).toBeNull();
    expect(describeChanceOfScore('unknown@1', 0.5, 100)).toMatch(/No calibration/);
  });

  it('expected false positive rate is 1 − (1 − FMR)^N, precise for tiny FMR', () => {
    expect(expectedFalsePositiveRate(0.01, 1)).toBeCloseTo(0.01, 12);
    expect(expectedFalsePositiveRate(1e-6, 1000)).toBeCloseTo(1 - (1 - 1e-6) ** 1000, 12);
    expect(expectedFalsePositiveRate(1e-3, 0)).toBe(0);
  });

  it('says it in plain words for the default model', () => {
    // Uses the committed LFW table: a very high score in a small gallery is rare by chance.
    expect(describeChanceOfScore('faceplugin-fr-feature-512@0.0.1', 0.9, 1000)).toMatch(/fewer than 1 in|about 1 in/);
    expect(describeChanceOfScore('faceplugin-fr-feature-512@0.0.1', 0.0, 100_000)).toMatch(/most searches/);
  });
});

describe('describeRecordedChance', () => {
  it('reads the figures stored with a candidate the same way as a fresh calibration', () => {
    const modelId = 'faceplugin-fr-feature-512@0.0.1';
    for (const score of [0.2, 0.45, 0.6, 0.95]) {
      const fmr = falseMatchRate(modelId, score)!.fmr;
      const recorded = describeRecordedChance({ modelId, falseMatchRate: fmr, expectedFpir: expectedFalsePositiveRate(fmr, 5000), gallerySize: 5000 });
      expect(recorded).toBe(describeChanceOfScore(modelId, score, 5000));
    }
  });
});

describe('calibration tables per probe-quality band', () => {
  const modelId = 'faceplugin-fr-feature-512@0.0.1';
  const general = calibrationTableFor(modelId)!;
  const poor: CalibrationTable = { ...table, id: `${modelId}/poor-probes`, modelId, probeQuality: 'poor' };

  it('picks the table measured for the probe quality, and the general table for a band without one', () => {
    expect(calibrationTableId(general)).toBe(`${modelId}/2026-12-03`);
    expect(calibrationTableFor(modelId, 'poor', [general, poor])).toBe(poor);
    expect(calibrationTableFor(modelId, 'usable', [general, poor])).toBe(general);
    expect(calibrationTableFor(modelId, null, [general, poor])).toBe(general);
    expect(calibrationTableFor('unknown@1', 'poor')).toBeUndefined();
  });

  it('as shipped, every band reads with the general table (no band table passed the honesty check yet)', () => {
    for (const band of ['good', 'usable', 'poor'] as const) expect(calibrationTableFor(modelId, band)).toBe(general);
  });

  it('reads a search with the table it recorded, after that table was re-measured', () => {
    const first = calibrationTableById(modelId, modelId)!;
    expect(first.measuredAt).toBe('2026-11-27');
    expect(first.supersededBy).toBe(calibrationTableId(general));
    // No table id recorded (before tables had ids): the first general table read those scores.
    expect(calibrationTableById(null, modelId)).toBe(first);
    expect(calibrationTableById(calibrationTableId(general), modelId)).toBe(general);
    expect(describeCalibrationTable(first)).toMatch(/2026-11-27.*since been re-measured/);
    expect(describeCalibrationTable(general)).not.toMatch(/re-measured/);
  });

  it('never reads a new search with a superseded table, for any band', () => {
    const retiredPoor: CalibrationTable = { ...poor, id: `${modelId}/poor-probes/old`, supersededBy: `${modelId}/poor-probes` };
    expect(calibrationTableFor(modelId, 'poor', [general, retiredPoor])).toBe(general);
    expect(calibrationTableFor(modelId, null, [calibrationTableById(modelId, modelId)!, general])).toBe(general);
  });

  it('describes the table used in words', () => {
    expect(describeCalibrationTable(general)).toMatch(/any quality/);
    expect(describeCalibrationTable(poor)).toMatch(/poor quality/);
    expect(describeCalibrationTable(undefined)).toMatch(/No calibration table/);
  });

  it('registers every table kept in lib/shared/calibration, each under its own id', () => {
    const folder = join(process.cwd(), 'lib/shared/calibration');
    const ids = readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as CalibrationTable)
      .map((stored) => calibrationTableId(stored));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(calibrationTableById(id, modelId), id).toBeDefined();
  });
});
