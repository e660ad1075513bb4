import fpFeature512 from './faceplugin-fr-feature-512.json';
import fpFeature512Of20261127 from './faceplugin-fr-feature-512.2026-11-27.json';

// Turns a raw cosine score into what it means: how often two *different* people score this high. The
// tables are measured (scripts/calibrate.ts) on impostor pairs, per model id because scores from
// different models are not comparable, and per probe-quality band because a degraded probe's impostor
// scores are distributed differently from a clean one's: the search reads its scores with the table of
// the band its probe face was measured in, and records which table that was.

/** The probe-quality bands a table can be measured for: the server's quality verdict on the probe face. */
export type ProbeQualityBand = 'good' | 'usable' | 'poor';

export type CalibrationTable = {
  /** Recorded with every search that used the table; absent = the model id (the first general table). */
  id?: string;
  modelId: string;
  /**
   * Set on a table that was re-measured (the embeddings changed): the id of the table that replaced it.
   * It stays registered so that the searches which recorded it still name what read their scores; no new
   * search reads with it.
   */
  supersededBy?: string;
  /**
   * The probe adapter (lib/server/search/probe-adapter.ts) a search applies to its probe vectors before
   * reading their scores with this table, so the table a search records also says how it searched.
   * The table is measured on unadapted gallery pairs; BENCHMARKS.md shows it stays conservative for
   * adapted probes ("A probe adapter for degraded faces").
   */
  probeAdapterId?: string;
  /** Absent for a model's general table (gallery photographs against each other, any quality). */
  probeQuality?: ProbeQualityBand;
  dataset: string;
  impostorComparisons: number;
  genuineComparisons: number;
  /** Ascending scores; `fmr` = share of impostor comparisons scoring at least `score`. */
  points: { score: number; fmr: number; tar?: number }[];
  thresholds: { fmr: number; score: number | null }[];
  measuredAt: string;
  notes: string;
};

// Band tables are registered here once measured AND shown honest on people they were not measured on
// (BENCHMARKS.md, "Quality-aware calibration"). The first ones (usable, poor; 116 k and 82 k impostor
// comparisons) over-claimed at 1 in 100 on the degraded evaluation probes (12 of 533, p = 0.01), so none is
// registered yet and every band reads with the general table, which stayed honest.
// The general table measured 2026-11-27 read the scores of every search before the 3×3 median went into
// the embedding (issue 11); it is kept for those searches' provenance.
const ALL_TABLES = [fpFeature512, fpFeature512Of20261127] as CalibrationTable[];

export function calibrationTableId(table: CalibrationTable): string {
  return table.id ?? table.modelId;
}

const tablesById = new Map<string, CalibrationTable>(ALL_TABLES.map((table) => [calibrationTableId(table), table]));

/**
 * The table a search reads its scores with: the one measured for the probe's quality band where there is
 * one, else the model's general table. Undefined for a model with no table at all.
 */
export function calibrationTableFor(modelId: string, probeQuality?: ProbeQualityBand | null, tables: readonly CalibrationTable[] = ALL_TABLES): CalibrationTable | undefined {
  const current = tables.filter((table) => table.modelId === modelId && !table.supersededBy);
  const general = current.find((table) => !table.probeQuality);
  if (!probeQuality) return general;
  return current.find((table) => table.probeQuality === probeQuality) ?? general;
}

/**
 * A table by the id a search recorded, superseded ones included. Searches recorded before tables had ids
 * (no id) read with the model's first general table, whose id is the model id.
 */
export function calibrationTableById(id: string | null | undefined, modelId: string): CalibrationTable | undefined {
  return tablesById.get(id ?? modelId);
}

/** Words for the review bench: which table read the scores, and what it was measured on. */
export function describeCalibrationTable(table: CalibrationTable | undefined): string {
  if (!table) return 'No calibration table: these scores cannot be read as probabilities.';
  const band = table.probeQuality ? `probe faces of ${table.probeQuality} quality` : 'probe faces of any quality';
  const replaced = table.supersededBy ? ' It has since been re-measured; this search keeps the table it was read with.' : '';
  const adapted = table.probeAdapterId ? ' Probe faces were searched through the degraded-face adapter that goes with it.' : '';
  return `Scores read with the calibration measured for ${band} (${table.impostorComparisons.toLocaleString('en-GB')} impostor comparisons, ${table.measuredAt}).${adapted}${replaced}`;
}

export type FalseMatchRate = {
  fmr: number;
  /** True above the highest impostor score seen: the true rate is below `fmr`, which is 1/comparisons. */
  isUpperBound: boolean;
};

/** Interpolated in log-FMR between table points; null for a model with no table. */
export function falseMatchRate(modelId: string, score: number, table = calibrationTableFor(modelId)): FalseMatchRate | null {
  if (!table || table.points.length === 0) return null;
  const points = table.points;
  const floor = 1 / table.impostorComparisons;
  if (score <= points[0]!.score) return { fmr: points[0]!.fmr, isUpperBound: false };
  for (let i = 1; i < points.length; i++) {
    const hi = points[i]!;
    if (score <= hi.score) {
      const lo = points[i - 1]!;
      if (hi.fmr === 0) return { fmr: floor, isUpperBound: true };
      const t = (score - lo.score) / (hi.score - lo.score);
      return { fmr: Math.exp(Math.log(lo.fmr) + t * (Math.log(hi.fmr) - Math.log(lo.fmr))), isUpperBound: false };
    }
  }
  return { fmr: floor, isUpperBound: true };
}

/** Chance that a search of `gallerySize` unrelated people returns at least one at or above this FMR: 1 − (1 − FMR)^N. */
export function expectedFalsePositiveRate(fmr: number, gallerySize: number): number {
  if (gallerySize <= 0 || fmr <= 0) return 0;
  if (fmr >= 1) return 1;
  // log1p/expm1 keep precision for FMR around 1e-6 and galleries of millions.
  return -Math.expm1(gallerySize * Math.log1p(-fmr));
}

/**
 * The plain-words reading shown next to a candidate, e.g. "A score this high would occur by chance in
 * about 1 in 40 searches of a gallery this size."
 */
export function describeChanceOfScore(modelId: string, score: number, gallerySize: number, table = calibrationTableFor(modelId)): string {
  const rate = falseMatchRate(modelId, score, table);
  if (!rate) return `No calibration is available for model ${modelId}; this score cannot be read as a probability.`;
  return describeExpectedFalsePositives({ expectedFpir: expectedFalsePositiveRate(rate.fmr, gallerySize), gallerySize, isUpperBound: rate.isUpperBound });
}

/**
 * The same words from a candidate's stored figures, so the review page shows exactly what was
 * recorded at search time even if the calibration table is re-measured later.
 */
export function describeRecordedChance(candidate: {
  modelId: string;
  falseMatchRate: number;
  expectedFpir: number;
  gallerySize: number;
  calibrationTableId?: string | null;
}): string {
  const table = calibrationTableById(candidate.calibrationTableId, candidate.modelId);
  const isUpperBound = table ? candidate.falseMatchRate <= 1 / table.impostorComparisons : false;
  return describeExpectedFalsePositives({ expectedFpir: candidate.expectedFpir, gallerySize: candidate.gallerySize, isUpperBound });
}

export function describeExpectedFalsePositives(options: { expectedFpir: number; gallerySize: number; isUpperBound: boolean }): string {
  const p = options.expectedFpir;
  const galleryWords = `a gallery of ${options.gallerySize.toLocaleString('en-GB')}`;
  if (p >= 0.5) return `A score this high would be expected by chance in most searches of ${galleryWords}: it is weak evidence on its own.`;
  const oneIn = 1 / p;
  const rounded = oneIn < 20 ? Math.round(oneIn) : Number(oneIn.toPrecision(2));
  const phrase = `1 in ${rounded.toLocaleString('en-GB')} searches of ${galleryWords}`;
  return options.isUpperBound
    ? `A score this high would occur by chance in fewer than ${phrase} (beyond the calibration data; the true rate is lower still).`
    : `A score this high would occur by chance in about ${phrase}.`;
}
