import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { loadFacePipeline } from '@/lib/server/vision/load-face-pipeline';
import type { FivePoints } from '@/lib/vision/face-models';
import type { FacePipeline } from '@/lib/vision/face-pipeline';
import type { RgbImage } from '@/lib/vision/pixel-image';
import { isGreyscaleCrop, toGreyscaleRgb } from '@/lib/vision/template-variants';
import { alignFace } from '@/lib/vision/align-face';
import { squareAround } from '@/lib/vision/landmark-locator';
import { CROP_FILTERS, type CropFilterName, CROP_HYPOTHESES, type LandmarkAveraging, locateAveragedLandmarks, perturbCrop, pointsFromBox, pointsInBox } from './degraded-study-variants';
import { embedImageFile } from './embed-image-file';
import { seededRandom } from './degrade-image';
import { fuseEmbeddings, fuseScores } from '@/lib/vision/fuse-probe-faces';
import { type ProbeOutcome, summariseHonesty, summariseIdentification } from './identification-metrics';
import { calibrationTableFor, expectedFalsePositiveRate, falseMatchRate, type ProbeQualityBand } from '@/lib/shared/calibration/false-match-rate';
import { parseCommandLine } from '../support/parse-args';
import { readLabelledCsv } from '../support/read-csv';

// `npm run eval -- degraded-study --gallery G.csv --probes P.csv --cache FILE [--mated 100] [--non-mated 100]`
//
// The measuring bench for item 2 of issue 11: embeds the gallery once with several modelled degradations
// of each aligned crop (the candidate enrolment templates) and each probe once (plus a re-framed variant for
// small faces), caches every vector, then scores matching strategies per condition from the cache. It uses
// the pipeline directly (an exact in-memory scan, one candidate per person), not the app: it is for
// choosing what to build; what ships is measured through the app with `npm run eval -- identify`.
// Its scores are of the embeddings as the pipeline gives them: the search's probe adapter
// (lib/server/search/probe-adapter.ts, fitted afterwards on its output's kind of data) is not applied.

// Each variant costs two recogniser passes per gallery image; on a shared 2-core machine the study keeps
// to the four whose effect is worth knowing first (JPEG and grey+X variants are in variantOf for later).
const GALLERY_VARIANTS = ['original', 'grey', 'blur', 'low-resolution', 'tta', 'lm-mirror', 'lm-mirror+scale'] as const;
const DEFAULT_GALLERY_VARIANTS: GalleryVariant[] = ['original', 'grey', 'blur', 'low-resolution'];
type KnownVariant = Exclude<GalleryVariant, 'tta' | LandmarkVariant> | 'jpeg' | 'grey+low-resolution' | 'grey+jpeg';
/** Third round: templates aligned from landmarks averaged over several looks (mirror, framings). */
const LANDMARK_VARIANTS = { 'lm-mirror': 'mirror', 'lm-mirror+scale': 'mirror+scale' } as const satisfies Record<string, LandmarkAveraging>;
type LandmarkVariant = keyof typeof LANDMARK_VARIANTS;
const isLandmarkVariant = (v: string): v is LandmarkVariant => v in LANDMARK_VARIANTS;
type GalleryVariant = (typeof GALLERY_VARIANTS)[number];
/** Gallery-side test-time augmentation (second round): the original crop and four crop-space hypotheses, averaged. */
const GALLERY_TTA_HYPOTHESES = ['s0.94', 's1.06', 'r+5', 'r-5'] as const;

export async function variantOf(aligned: RgbImage, variant: KnownVariant): Promise<RgbImage> {
  const input = () => sharp(Buffer.from(aligned.data), { raw: { width: aligned.width, height: aligned.height, channels: 3 } });
  const toRgb = async (s: sharp.Sharp): Promise<RgbImage> => {
    const { data } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { width: aligned.width, height: aligned.height, channels: 3, data: new Uint8Array(data) };
  };
  const grey = async () => toGreyscaleRgb(aligned);
  const rawSharp = (image: RgbImage) => sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });
  const lowres = async (image: RgbImage) => toRgb(sharp(await rawSharp(image).resize(40, 40, { kernel: 'cubic' }).png().toBuffer()).resize(112, 112, { kernel: 'cubic' }));
  const jpeg = async (image: RgbImage) => toRgb(sharp(await rawSharp(image).jpeg({ quality: 15 }).toBuffer()));
  switch (variant) {
    case 'original':
      return aligned;
    case 'grey':
      return grey();
    case 'blur':
      return toRgb(input().blur(1.5));
    case 'low-resolution':
      return lowres(aligned);
    case 'jpeg':
      return jpeg(aligned);
    case 'grey+low-resolution':
      return lowres(await grey());
    case 'grey+jpeg':
      return jpeg(await grey());
  }
}

/** Round four: a gallery template embedded from the filtered crop, `filter:<name>`. */
type FilterVariant = `filter:${CropFilterName}`;
const isFilterVariant = (v: string): v is FilterVariant => v.startsWith('filter:') && v.slice(7) in CROP_FILTERS;
const filterOf = (v: FilterVariant) => v.slice(7) as CropFilterName;
type CachedGallery = { subject: string; vectors: Partial<Record<GalleryVariant | FilterVariant, number[]>> };
type CachedProbe = {
  subject: string;
  condition: string;
  isMated: boolean;
  isGrey: boolean;
  verdict: string | null;
  interEyePx: number | null;
  vector: number[] | null;
  reframed: number[] | null;
  /** Second round: the crop's measured sharpness / brightness / contrast, for gating a variant by quality. */
  metrics?: { sharpness: number; brightness: number; contrast: number };
  /** Second round: one vector per probe-side rendering (crop hypotheses, filters, alignment framings). */
  variants?: Record<string, number[]>;
};
type Cache = {
  gallery: CachedGallery[];
  probes: CachedProbe[];
  msGalleryOriginal: number;
  msGalleryPerVariant: number;
  msProbe: number;
  msReframe: number;
  /** Milliseconds per probe face for each second-round rendering (the rendering plus its embedding). */
  msPerProbeVariant?: Record<string, number>;
  msGalleryTta?: number;
};

type BuildOptions = {
  galleryVariants: (GalleryVariant | FilterVariant)[];
  /** Round four: the probe crop filters to embed (each one more rendering per probe). */
  cropFilters: CropFilterName[];
  isProbeVariants: boolean;
  /** Third round: landmark averaging (mirror, framings) and the two best second-round filters, nothing else. */
  isLandmarkVariants: boolean;
  isReframed: boolean;
  /** Build only the gallery or only the probes (two processes on two cores); merged with --cache A,B. */
  part: 'all' | 'gallery' | 'probes';
  /** Called every 50 probes with the cache so far, so a run stopped early still leaves a balanced sample. */
  checkpoint(cache: Cache): Promise<void>;
};

/** Round-robin over (condition, mated) groups, so any prefix of the list samples every condition alike. */
function interleave<T extends { condition?: string; subject: string }>(rows: T[], isMated: (row: T) => boolean): T[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = `${row.condition}|${isMated(row)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const out: T[] = [];
  for (let i = 0; out.length < rows.length; i++) for (const list of groups.values()) if (list[i]) out.push(list[i]!);
  return out;
}

async function buildCache(pipeline: FacePipeline, galleryCsv: string, probesCsv: string, mated: number, nonMated: number, options: BuildOptions): Promise<Cache> {
  const galleryRows = await readLabelledCsv(galleryCsv);
  const enrolled = new Set(galleryRows.map((r) => r.subject));
  const probeRows = (await readLabelledCsv(probesCsv)).filter(() => true);
  const kept: typeof probeRows = [];
  const counts = new Map<string, { mated: number; nonMated: number }>();
  for (const row of probeRows) {
    const c = counts.get(row.condition ?? '') ?? { mated: 0, nonMated: 0 };
    counts.set(row.condition ?? '', c);
    if (enrolled.has(row.subject) ? c.mated++ < mated : c.nonMated++ < nonMated) kept.push(row);
  }
  if (options.part === 'gallery') kept.length = 0;
  const ordered = interleave(kept, (row) => enrolled.has(row.subject));
  const gallery: CachedGallery[] = [];
  let msOriginal = 0;
  let msVariants = 0;
  let msGalleryTta = 0;
  // Five points relative to the detector box, averaged over the gallery: the template for box-only alignment.
  const boxPoints: number[][] = [];
  // A probes-only part still needs the box-only template: the first 20 gallery faces give it (not stored).
  const galleryToEmbed = options.part === 'probes' ? galleryRows.slice(0, 20) : galleryRows;
  for (const [i, row] of galleryToEmbed.entries()) {
    const t0 = performance.now();
    const result = await embedImageFile(pipeline, row.path);
    msOriginal += performance.now() - t0;
    if (!result.analysis || !result.embedding) continue;
    const vectors: CachedGallery['vectors'] = { original: [...result.embedding] };
    const points5 = result.analysis.landmarks.points5 as FivePoints;
    const t1 = performance.now();
    for (const variant of options.galleryVariants) {
      if (variant === 'original' || variant === 'tta') continue;
      if (isFilterVariant(variant)) {
        vectors[variant] = [...(await pipeline.embedAlignedFace(CROP_FILTERS[filterOf(variant)](result.analysis.aligned), points5))];
        continue;
      }
      if (isLandmarkVariant(variant)) {
        vectors[variant] = [...(await embedWithAveragedLandmarks(pipeline, row.path, result.analysis.box, LANDMARK_VARIANTS[variant]))];
        continue;
      }
      const image = await variantOf(result.analysis.aligned, variant);
      vectors[variant] = [...(await pipeline.embedAlignedFace(image, points5))];
    }
    msVariants += performance.now() - t1;
    if (options.galleryVariants.includes('tta')) {
      const t2 = performance.now();
      const parts = [result.embedding];
      for (const h of GALLERY_TTA_HYPOTHESES) parts.push(await pipeline.embedAlignedFace(perturbCrop(result.analysis.aligned, CROP_HYPOTHESES[h]), points5));
      vectors.tta = [...fuseEmbeddings(parts)];
      msGalleryTta += performance.now() - t2;
    }
    boxPoints.push(pointsInBox(points5, result.analysis.box));
    gallery.push({ subject: row.subject, vectors });
    if ((i + 1) % 100 === 0) process.stderr.write(`gallery ${i + 1}/${galleryRows.length}\n`);
  }
  if (options.part === 'probes') gallery.length = 0;
  const meanBoxPoints = Array.from({ length: 10 }, (_, i) => boxPoints.reduce((sum, p) => sum + p[i]!, 0) / Math.max(1, boxPoints.length));
  const msPerVariant: Record<string, number> = {};
  let withVariants = 0;
  const probes: CachedProbe[] = [];
  let msProbe = 0;
  let msReframe = 0;
  let reframed = 0;
  for (const [i, row] of ordered.entries()) {
    const t0 = performance.now();
    const result = await embedImageFile(pipeline, row.path);
    msProbe += performance.now() - t0;
    const analysis = result.analysis;
    let reframedVector: number[] | null = null;
    if (options.isReframed && analysis && analysis.quality.metrics.interEyePx < 20 && !analysis.isManualBox) {
      // Two-pass re-framing: the landmark crop re-centred on the first pass's points (the hand-drawn-box path).
      const t1 = performance.now();
      const { decodeImageFile } = await import('@/lib/server/vision/decode-image-file');
      const { image } = await decodeImageFile(new Uint8Array(await readFile(row.path)));
      const again = await pipeline.analyseFace(image, { box: analysis.box, score: null });
      reframedVector = [...again.embedding];
      msReframe += performance.now() - t1;
      reframed++;
    }
    let variants: Record<string, number[]> | undefined;
    if (options.isProbeVariants && analysis) {
      variants = {};
      const time = async (name: string, make: () => Promise<Float32Array>) => {
        const t = performance.now();
        variants![name] = [...(await make())];
        msPerVariant[name] = (msPerVariant[name] ?? 0) + performance.now() - t;
      };
      const points5 = analysis.landmarks.points5 as FivePoints;
      for (const [name, perturbation] of Object.entries(CROP_HYPOTHESES)) await time(`tta:${name}`, () => pipeline.embedAlignedFace(perturbCrop(analysis.aligned, perturbation), points5));
      for (const [name, filter] of Object.entries(CROP_FILTERS)) await time(`filter:${name}`, () => pipeline.embedAlignedFace(filter(analysis.aligned), points5));
      const { decodeImageFile } = await import('@/lib/server/vision/decode-image-file');
      const { image } = await decodeImageFile(new Uint8Array(await readFile(row.path)));
      const alignAndEmbed = async (points: FivePoints) => pipeline.embedAlignedFace(alignFace(image, points).image, points);
      // Landmark framing: the 68-point net's square crop drawn 15 % tighter or 20 % looser around the box.
      for (const [name, grow] of [['lm:tight', 0.85], ['lm:loose', 1.2]] as const) {
        await time(name, async () => alignAndEmbed((await pipeline.locateLandmarks(image, squareAround(analysis.box, grow))).points5));
      }
      await time('box-only', () => alignAndEmbed(pointsFromBox(meanBoxPoints, analysis.box)));
    }
    if (options.isLandmarkVariants && analysis) {
      variants ??= {};
      const time = async (name: string, make: () => Promise<Float32Array>) => {
        const t = performance.now();
        variants![name] = [...(await make())];
        msPerVariant[name] = (msPerVariant[name] ?? 0) + performance.now() - t;
      };
      const points5 = analysis.landmarks.points5 as FivePoints;
      for (const f of ['median3', 'bilateral5'] as const) await time(`filter:${f}`, () => pipeline.embedAlignedFace(CROP_FILTERS[f](analysis.aligned), points5));
      for (const [name, averaging] of Object.entries(LANDMARK_VARIANTS)) await time(name, () => embedWithAveragedLandmarks(pipeline, row.path, analysis.box, averaging));
      await time('lm-mirror+scale+median3', () => embedWithAveragedLandmarks(pipeline, row.path, analysis.box, 'mirror+scale', CROP_FILTERS.median3));
    }
    if (options.cropFilters.length > 0 && analysis) {
      variants ??= {};
      const points5 = analysis.landmarks.points5 as FivePoints;
      for (const f of options.cropFilters) {
        const t = performance.now();
        variants[`filter:${f}`] = [...(await pipeline.embedAlignedFace(CROP_FILTERS[f](analysis.aligned), points5))];
        msPerVariant[`filter:${f}`] = (msPerVariant[`filter:${f}`] ?? 0) + performance.now() - t;
      }
    }
    probes.push({
      subject: row.subject,
      condition: row.condition ?? 'all',
      isMated: enrolled.has(row.subject),
      isGrey: analysis ? isGreyscaleCrop(analysis.aligned) : false,
      verdict: analysis?.quality.verdict ?? null,
      interEyePx: analysis?.quality.metrics.interEyePx ?? null,
      vector: result.embedding ? [...result.embedding] : null,
      reframed: reframedVector,
      ...(analysis ? { metrics: { sharpness: analysis.quality.metrics.sharpness, brightness: analysis.quality.metrics.brightness, contrast: analysis.quality.metrics.contrast } } : {}),
      ...(variants ? { variants } : {}),
    });
    if (variants) withVariants++;
    if ((i + 1) % 50 === 0) {
      process.stderr.write(`probes ${i + 1}/${kept.length}\n`);
      await options.checkpoint(summarise());
    }
  }
  return summarise();
  function summarise(): Cache {
    return {
    gallery,
    probes,
    msGalleryOriginal: msOriginal / Math.max(1, galleryRows.length),
    msGalleryPerVariant: msVariants / Math.max(1, gallery.length) / (GALLERY_VARIANTS.length - 1),
    msProbe: msProbe / Math.max(1, probes.length),
    msReframe: msReframe / Math.max(1, reframed),
    msPerProbeVariant: Object.fromEntries(Object.entries(msPerVariant).map(([k, v]) => [k, v / Math.max(1, withVariants)])),
    msGalleryTta: msGalleryTta / Math.max(1, gallery.length),
    };
  }
}

/** Re-locates the landmarks in the detector's box with several looks averaged, aligns from the frame and embeds. */
async function embedWithAveragedLandmarks(pipeline: FacePipeline, path: string, box: FaceAnalysisBox, averaging: LandmarkAveraging, filter?: (crop: RgbImage) => RgbImage): Promise<Float32Array> {
  const { decodeImageFile } = await import('@/lib/server/vision/decode-image-file');
  const { image } = await decodeImageFile(new Uint8Array(await readFile(path)));
  const points5 = await locateAveragedLandmarks(pipeline, image, box, averaging);
  const aligned = alignFace(image, points5).image;
  return pipeline.embedAlignedFace(filter ? filter(aligned) : aligned, points5);
}
type FaceAnalysisBox = { x: number; y: number; width: number; height: number };

function dot(a: readonly number[] | Float32Array, b: readonly number[] | Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

type TemplateName = GalleryVariant | FilterVariant;
/** `needs`: probe renderings the strategy reads; it is left out of a cache that has none of them. */
type Strategy = { name: string; describe: string; probeVector(p: CachedProbe): number[] | null; templates(p: CachedProbe): TemplateName[]; needs?: string[] };

const COLOUR_AUGMENTED: GalleryVariant[] = ['original', 'blur', 'low-resolution'];
const GREY_AUGMENTED: GalleryVariant[] = ['grey', 'original'];
const isDegraded = (p: CachedProbe) => p.verdict !== 'good';

const STRATEGIES: Strategy[] = [
  { name: 'baseline', describe: 'one template per gallery image (today)', probeVector: (p) => p.vector, templates: () => ['original'] },
  { name: 'grey-gallery', describe: 'greyscale probes matched against greyscale gallery templates', probeVector: (p) => p.vector, templates: (p) => (p.isGrey ? ['grey'] : ['original']) },
  { name: 'augmented', describe: 'max over original + blur + low-res templates', probeVector: (p) => p.vector, templates: () => COLOUR_AUGMENTED },
  { name: 'augmented-if-not-good', describe: 'augmented templates only for probes whose quality is not good', probeVector: (p) => p.vector, templates: (p) => (isDegraded(p) ? COLOUR_AUGMENTED : ['original']) },
  {
    name: 'grey+augmented',
    describe: 'grey probes: max over grey and original templates; colour probes: augmented colour templates',
    probeVector: (p) => p.vector,
    templates: (p) => (p.isGrey ? GREY_AUGMENTED : COLOUR_AUGMENTED),
  },
  {
    name: 'grey+augmented-if-not-good',
    describe: 'as grey+augmented, but a good-quality colour probe uses the original template only',
    probeVector: (p) => p.vector,
    templates: (p) => (p.isGrey ? GREY_AUGMENTED : isDegraded(p) ? COLOUR_AUGMENTED : ['original']),
  },
  { name: 'grey-gallery+reframed', describe: 'grey-gallery, and small faces embedded after two-pass landmark re-framing', probeVector: (p) => p.reframed ?? p.vector, templates: (p) => (p.isGrey ? ['grey'] : ['original']) },
  ...secondRoundStrategies(),
];

/** The mean of the named probe vectors (baseline = the shipped vector), re-normalised; null when one is missing. */
function meanOf(p: CachedProbe, names: readonly string[]): number[] | null {
  const parts: Float32Array[] = [];
  for (const name of names) {
    const v = name === 'baseline' ? p.vector : (p.variants?.[name] ?? null);
    if (!v) return p.vector;
    parts.push(Float32Array.from(v));
  }
  return [...fuseEmbeddings(parts)];
}

/** Quality gates from the crop as captured (what the server also measures on the submitted crop). */
const isSoft = (p: CachedProbe) => (p.metrics?.sharpness ?? Infinity) < 50;
const isDark = (p: CachedProbe) => (p.metrics?.brightness ?? Infinity) < 60;
const isSmall = (p: CachedProbe) => (p.interEyePx ?? Infinity) < 20;
const isWeak = (p: CachedProbe) => isSoft(p) || isDark(p) || isSmall(p);

const TTA4 = ['baseline', 'tta:s0.94', 'tta:s1.06', 'tta:r+5', 'tta:r-5'];

function secondRoundStrategies(): Strategy[] {
  const original = (): TemplateName[] => ['original'];
  const probe = (name: string, describe: string, pick: (p: CachedProbe) => number[] | null, templates = original): Strategy => ({ name, describe, probeVector: pick, templates });
  const list: Strategy[] = [
    probe('tta-scale', 'mean of the crop and its ±6 % rescalings', (p) => meanOf(p, ['baseline', 'tta:s0.94', 'tta:s1.06'])),
    probe('tta-rotate', 'mean of the crop and its ±5° rotations', (p) => meanOf(p, ['baseline', 'tta:r+5', 'tta:r-5'])),
    probe('tta-4', 'mean of crop + ±6 % scale + ±5° roll', (p) => meanOf(p, TTA4)),
    probe('tta-4-if-weak', 'tta-4 only when the crop is soft, dark or small', (p) => (isWeak(p) ? meanOf(p, TTA4) : p.vector)),
    { name: 'gallery-tta', describe: 'probe as today; gallery templates = mean of crop + 4 hypotheses', probeVector: (p) => p.vector, templates: () => ['tta'] },
    { name: 'tta-4+gallery-tta', describe: 'tta-4 probe against tta gallery templates', probeVector: (p) => meanOf(p, TTA4), templates: () => ['tta'] },
    probe('lm-tight', 'landmark crop 15 % tighter', (p) => meanOf(p, ['lm:tight'])),
    probe('lm-loose', 'landmark crop 20 % looser', (p) => meanOf(p, ['lm:loose'])),
    probe('lm-3', 'mean over the three landmark framings', (p) => meanOf(p, ['baseline', 'lm:tight', 'lm:loose'])),
    probe('lm-3-if-small', 'lm-3 only for eyes < 20 px', (p) => (isSmall(p) ? meanOf(p, ['baseline', 'lm:tight', 'lm:loose']) : p.vector)),
    probe('box-only', 'aligned from the detector box alone (mean five points in the box)', (p) => meanOf(p, ['box-only'])),
    probe('box+landmarks', 'mean of the landmark and box-only alignments', (p) => meanOf(p, ['baseline', 'box-only'])),
    probe('box+landmarks-if-small', 'box+landmarks for eyes < 20 px', (p) => (isSmall(p) ? meanOf(p, ['baseline', 'box-only']) : p.vector)),
  ];
  for (const f of ['gauss3', 'median3', 'bilateral5']) {
    list.push(probe(`filter-${f}`, `${f} on every crop`, (p) => meanOf(p, [`filter:${f}`])));
    list.push(probe(`filter-${f}-if-soft`, `${f} when sharpness < 50`, (p) => (isSoft(p) ? meanOf(p, [`filter:${f}`]) : p.vector)));
    list.push(probe(`filter-${f}+crop`, `mean of the ${f} crop and the crop`, (p) => meanOf(p, ['baseline', `filter:${f}`])));
  }
  for (const f of ['histeq', 'gamma']) {
    list.push(probe(`filter-${f}`, `${f} on every crop`, (p) => meanOf(p, [`filter:${f}`])));
    list.push(probe(`filter-${f}-if-dark`, `${f} when brightness < 60`, (p) => (isDark(p) ? meanOf(p, [`filter:${f}`]) : p.vector)));
    list.push(probe(`filter-${f}+crop`, `mean of the ${f} crop and the crop`, (p) => meanOf(p, ['baseline', `filter:${f}`])));
  }
  // Third round: landmark averaging, on the probe only and on both sides (gallery re-aligned the same way).
  for (const v of Object.keys(LANDMARK_VARIANTS) as LandmarkVariant[]) {
    list.push(probe(`${v} (probe)`, `probe aligned from landmarks averaged over ${LANDMARK_VARIANTS[v]}`, (p) => meanOf(p, [v])));
    list.push(probe(`${v} (both)`, `probe and gallery aligned from landmarks averaged over ${LANDMARK_VARIANTS[v]}`, (p) => meanOf(p, [v]), () => [v]));
  }
  list.push(probe('lm-mirror+scale+median3 (both)', 'lm-mirror+scale on both sides, median3 on the probe crop', (p) => meanOf(p, ['lm-mirror+scale+median3']), () => ['lm-mirror+scale']));
  list.push(probe('lm-mirror+scale+median3 (probe)', 'lm-mirror+scale and median3 on the probe only', (p) => meanOf(p, ['lm-mirror+scale+median3'])));
  // Round four: every filter on the probe alone, on both sides (gallery crops filtered alike), and only for
  // probes the quality policy does not call good.
  for (const f of Object.keys(CROP_FILTERS) as CropFilterName[]) {
    const v = `filter:${f}` as const;
    const needs = [v];
    list.push({ name: `r4 ${f} (probe)`, describe: `${f} on the probe crop`, probeVector: (p) => meanOf(p, [v]), templates: original, needs });
    list.push({ name: `r4 ${f} (both)`, describe: `${f} on probe and gallery crops`, probeVector: (p) => meanOf(p, [v]), templates: () => [v], needs });
    list.push({ name: `r4 ${f} if not good (probe)`, describe: `${f} on probe crops whose verdict is not good`, probeVector: (p) => (isDegraded(p) ? meanOf(p, [v]) : p.vector), templates: original, needs });
    list.push({ name: `r4 ${f} if not good (both)`, describe: `${f} on gallery crops, and on probe crops whose verdict is not good`, probeVector: (p) => (isDegraded(p) ? meanOf(p, [v]) : p.vector), templates: () => [v], needs });
  }
  list.push(probe('all-crop-means', 'tta-4 + every filter + landmark framings, averaged', (p) => meanOf(p, [...TTA4, 'filter:gauss3', 'filter:median3', 'filter:bilateral5', 'filter:histeq', 'filter:gamma', 'lm:tight', 'lm:loose'])));
  return list;
}

function score(cache: Cache, strategy: Strategy, probe: CachedProbe): { subject: string; score: number }[] {
  const vector = strategy.probeVector(probe);
  if (!vector) return [];
  const templates = strategy.templates(probe);
  const best = new Map<string, number>();
  for (const g of cache.gallery) {
    let s = -Infinity;
    for (const t of templates) {
      const v = g.vectors[t];
      if (v) s = Math.max(s, dot(v, vector));
    }
    const previous = best.get(g.subject);
    if (previous === undefined || s > previous) best.set(g.subject, s);
  }
  return [...best.entries()].map(([subject, s]) => ({ subject, score: s })).sort((a, b) => b.score - a.score).slice(0, 20);
}

/**
 * Issue 11 §3, measured on what the cache has: each person's degraded renderings of one probe photograph
 * stand in for several degraded frames (they differ in degradation, not in pose or expression, so real
 * frames of a clip would be more varied). k frames are drawn per person (seeded), fused, and searched
 * against the original templates.
 */
function multiFrameStudy(cache: Cache): string {
  const random = seededRandom(7);
  const bySubject = new Map<string, CachedProbe[]>();
  for (const p of cache.probes) {
    if (p.condition === 'clean' || !p.vector) continue;
    const list = bySubject.get(p.subject) ?? [];
    list.push(p);
    bySubject.set(p.subject, list);
  }
  const allScores = (vector: readonly number[] | Float32Array) => {
    const best = new Map<string, number>();
    for (const g of cache.gallery) {
      const s = dot(g.vectors.original!, vector);
      if ((best.get(g.subject) ?? -Infinity) < s) best.set(g.subject, s);
    }
    return best;
  };
  const outcomeOf = (subject: string, isMated: boolean, scores: Map<string, number>): ProbeOutcome => {
    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
    const rank = ranked.findIndex(([s]) => s === subject);
    return {
      isMated,
      matedRank: rank >= 0 ? rank + 1 : null,
      matedScore: rank >= 0 ? ranked[rank]![1] : null,
      bestNonMatedScore: ranked.find(([s]) => s !== subject)?.[1] ?? null,
    };
  };
  const lines = ['\nmulti-frame (degraded renderings as frames; original templates)', '| frames | fusion | rank-1 | rank-10 | FNIR@FPIR0.1 | FNIR@FPIR0.01 | people (mated / non-mated) |', '|---|---|---|---|---|---|---|'];
  for (const k of [1, 3, 5]) {
    const results: Record<string, ProbeOutcome[]> = { embedding: [], 'score max': [], 'score mean': [] };
    for (const [subject, frames] of bySubject) {
      if (frames.length < k) continue;
      const chosen = [...frames].sort(() => random() - 0.5).slice(0, k);
      const isMated = chosen[0]!.isMated;
      const fused = fuseEmbeddings(chosen.map((f) => Float32Array.from(f.vector!)));
      results.embedding!.push(outcomeOf(subject, isMated, allScores(fused)));
      const lists = chosen.map((f) => allScores(f.vector!));
      results['score max']!.push(outcomeOf(subject, isMated, fuseScores(lists, 'max')));
      results['score mean']!.push(outcomeOf(subject, isMated, fuseScores(lists, 'mean')));
    }
    for (const [fusion, outcomes] of Object.entries(results)) {
      const m = summariseIdentification(outcomes, [0.01, 0.1]);
      lines.push(`| ${k} | ${fusion} | ${m.rank1.toFixed(3)} | ${m.rank10.toFixed(3)} | ${m.fnirAtFpir[1]?.fnir?.toFixed(3)} | ${m.fnirAtFpir[0]?.fnir?.toFixed(3)} | ${outcomes.filter((o) => o.isMated).length} / ${outcomes.filter((o) => !o.isMated).length} |`);
    }
  }
  return lines.join('\n');
}

/**
 * The honesty check on this cache's non-mated probes (baseline matching): the share whose top candidate
 * would be described as "1 in N" or rarer, read with the model's general table and with the table of the
 * probe's quality band (what the app now does).
 */
function honestyStudy(cache: Cache, baseline: Strategy = STRATEGIES[0]!): string {
  const modelId = 'faceplugin-fr-feature-512@0.0.1';
  const gallerySize = cache.gallery.length;
  const lines = [`\nhonesty, ${baseline.name} (non-mated probes; share with top candidate claimed ≤ 1/N; p = P(X ≥ k) under Binomial(n, 1/N))`, '| condition | table | n | ≤1/10 | ≤1/100 | ≤1/1000 |', '|---|---|---|---|---|---|'];
  const conditions = [...new Set(cache.probes.map((p) => p.condition))];
  for (const condition of [...conditions, 'all degraded']) {
    const probes = cache.probes.filter((p) => !p.isMated && p.vector && (condition === 'all degraded' ? p.condition !== 'clean' : p.condition === condition));
    for (const which of ['general', 'by quality band'] as const) {
      const fpirs = probes.map((p) => {
        const top = score(cache, baseline, p)[0];
        if (!top) return null;
        const table = which === 'general' ? calibrationTableFor(modelId) : calibrationTableFor(modelId, (p.verdict ?? 'poor') as ProbeQualityBand);
        return expectedFalsePositiveRate(falseMatchRate(modelId, top.score, table)!.fmr, gallerySize);
      });
      const cells = summariseHonesty(fpirs).map((h) => `${h.claimed} (${(100 * h.share).toFixed(1)} %, p ${h.pValue.toFixed(2)})`);
      lines.push(`| ${condition} | ${which} | ${probes.length} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

/** One line per strategy: all degraded, clean and the three weakest conditions (rank-1 / FNIR@FPIR0.1). */
function summaryTable(rows: Record<string, unknown>[], strategies: Strategy[]): string {
  const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : String(x));
  const columns = ['all degraded', 'clean', 'low-resolution', 'blur', 'heavy-jpeg', 'dark', 'greyscale+small+jpeg', 'blur+heavy-jpeg', 'low-resolution+dark'];
  const lines = ['\nsummary (rank-1 / FNIR@FPIR0.1; all degraded adds FNIR@FPIR0.01)', `| strategy | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`];
  for (const st of strategies) {
    const cells = columns.map((c) => {
      const r = rows.find((row) => row.strategy === st.name && row.condition === c);
      if (!r) return '–';
      return `${f(r.rank1)} / ${f(r.fnirAtFpir01)}${c === 'all degraded' ? ` / ${f(r.fnirAtFpir001)}` : ''}`;
    });
    lines.push(`| ${st.name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function parseCropFilters(value: string | undefined): CropFilterName[] {
  if (!value) return [];
  return value.split(',').map((name) => {
    const trimmed = name.trim();
    if (!(trimmed in CROP_FILTERS)) throw new Error(`--crop-filters: unknown filter "${trimmed}" (known: ${Object.keys(CROP_FILTERS).join(', ')})`);
    return trimmed as CropFilterName;
  });
}

function parsePart(value: string | undefined): BuildOptions['part'] {
  if (value === undefined || value === 'all' || value === 'gallery' || value === 'probes') return value ?? 'all';
  throw new Error(`--part: "${value}" is not all, gallery or probes`);
}

/**
 * Caches built in parallel over disjoint probe conditions with the same gallery (one process per core):
 * the first one's gallery, every probe, timings weighted by probe count.
 */
function mergeCaches(caches: Cache[]): Cache {
  const withGallery = caches.filter((c) => c.gallery.length > 0);
  const first = withGallery[0];
  if (!first) throw new Error('--cache: none of the caches holds a gallery');
  for (const c of withGallery) if (c.gallery.length !== first.gallery.length) throw new Error('--cache: the caches were built on different galleries');
  const probeParts = caches.filter((c) => c.probes.length > 0);
  const total = probeParts.reduce((n, c) => n + c.probes.length, 0);
  const weighted = (pick: (c: Cache) => number | undefined) => probeParts.reduce((sum, c) => sum + (pick(c) ?? 0) * c.probes.length, 0) / Math.max(1, total);
  const names = Object.keys(probeParts[0]?.msPerProbeVariant ?? {});
  return {
    ...first,
    probes: caches.flatMap((c) => c.probes),
    msProbe: weighted((c) => c.msProbe),
    msPerProbeVariant: Object.fromEntries(names.map((name) => [name, weighted((c) => c.msPerProbeVariant?.[name])])),
  };
}

export const DEGRADED_STUDY_USAGE =
  'usage: npm run eval -- degraded-study --cache FILE[,FILE…] [--gallery G.csv --probes P.csv] [--mated 100] [--non-mated 100] [--threads 1] [--gallery-variants original,grey,blur,low-resolution,tta,lm-mirror,lm-mirror+scale,filter:NAME] [--probe-variants] [--landmark-variants] [--crop-filters median3,bilateral5,…] [--no-reframe] [--part all|gallery|probes] [--honesty STRATEGY,...] [--json]';

export async function runDegradedStudy(argv: readonly string[]): Promise<void> {
  const args = parseCommandLine(argv, {
    name: 'eval degraded-study',
    usage: DEGRADED_STUDY_USAGE,
    options: {
      cache: { type: 'string' },
      gallery: { type: 'string' },
      probes: { type: 'string' },
      mated: { type: 'string' },
      'non-mated': { type: 'string' },
      threads: { type: 'string' },
      'gallery-variants': { type: 'string' },
      'probe-variants': { type: 'boolean', default: false },
      'landmark-variants': { type: 'boolean', default: false },
      'crop-filters': { type: 'string' },
      'no-reframe': { type: 'boolean', default: false },
      part: { type: 'string' },
      honesty: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const cacheFile = args.required('cache');
  let cache: Cache;
  const cacheFiles = cacheFile.split(',');
  if (cacheFiles.length > 1) cache = mergeCaches(await Promise.all(cacheFiles.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as Cache)));
  else if (existsSync(cacheFile)) cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Cache;
  else {
    const pipeline = await loadFacePipeline({ intraOpThreads: args.integer('threads', { min: 1, fallback: 1 }) });
    const requested = args.values['gallery-variants'];
    const galleryVariants = requested ? requested.split(',').map((v) => v.trim()) : DEFAULT_GALLERY_VARIANTS;
    for (const v of galleryVariants) if (!(GALLERY_VARIANTS as readonly string[]).includes(v) && !isFilterVariant(v)) throw new Error(`--gallery-variants: unknown variant "${v}" (known: ${GALLERY_VARIANTS.join(', ')})`);
    cache = await buildCache(pipeline, args.required('gallery'), args.required('probes'), args.integer('mated', { min: 1, fallback: 100 }), args.integer('non-mated', { min: 0, fallback: 100 }), {
      galleryVariants: galleryVariants as (GalleryVariant | FilterVariant)[],
      isProbeVariants: args.values['probe-variants'] === true,
      isLandmarkVariants: args.values['landmark-variants'] === true,
      cropFilters: parseCropFilters(args.values['crop-filters']),
      isReframed: args.values['no-reframe'] !== true,
      part: parsePart(args.values.part),
      checkpoint: (partial) => writeFile(cacheFile, JSON.stringify(partial)),
    });
    await writeFile(cacheFile, JSON.stringify(cache));
    if (args.values.part) return;
  }
  const conditions = [...new Set(cache.probes.map((p) => p.condition))];
  const rows: Record<string, unknown>[] = [];
  // A strategy runs only when the cache holds what it needs (gallery templates, probe renderings).
  const hasTemplates = (variants: TemplateName[]) => variants.every((v) => cache.gallery.every((g) => g.vectors[v]));
  const hasProbeVariants = cache.probes.some((p) => p.variants);
  const strategies = STRATEGIES.filter((st) => {
    const sample = cache.probes.find((p) => p.vector)!;
    if (!hasTemplates(st.templates(sample)) || !hasTemplates(st.templates({ ...sample, isGrey: true }))) return false;
    if (st.name === 'grey-gallery+reframed') return cache.probes.some((p) => p.reframed);
    if (st.needs) return st.needs.every((name) => cache.probes.some((p) => p.variants?.[name]));
    return STRATEGIES.indexOf(st) < 7 || hasProbeVariants || st.name === 'gallery-tta';
  });
  for (const strategy of strategies) {
    for (const condition of [...conditions, 'all degraded']) {
      const probes = cache.probes.filter((p) => (condition === 'all degraded' ? p.condition !== 'clean' : p.condition === condition));
      const outcomes: ProbeOutcome[] = probes.map((p) => {
        const candidates = score(cache, strategy, p);
        const rank = candidates.findIndex((c) => c.subject === p.subject);
        return {
          isMated: p.isMated,
          matedRank: rank >= 0 ? rank + 1 : null,
          matedScore: rank >= 0 ? candidates[rank]!.score : null,
          bestNonMatedScore: candidates.find((c) => c.subject !== p.subject)?.score ?? null,
        };
      });
      const m = summariseIdentification(outcomes, [0.01, 0.1]);
      rows.push({ strategy: strategy.name, condition, probes: probes.length, rank1: m.rank1, rank10: m.rank10, fnirAtFpir01: m.fnirAtFpir[1]?.fnir, fnirAtFpir001: m.fnirAtFpir[0]?.fnir, greyProbes: probes.filter((p) => p.isGrey).length });
    }
  }
  const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : String(x));
  for (const strategy of strategies) {
    console.log(`\n${strategy.name}: ${strategy.describe}`);
    console.log('| condition | rank-1 | rank-10 | FNIR@FPIR0.1 | FNIR@FPIR0.01 |');
    for (const r of rows.filter((row) => row.strategy === strategy.name)) console.log(`| ${r.condition} | ${f(r.rank1)} | ${f(r.rank10)} | ${f(r.fnirAtFpir01)} | ${f(r.fnirAtFpir001)} |`);
  }
  console.log(multiFrameStudy(cache));
  console.log(honestyStudy(cache));
  for (const name of (args.values.honesty ?? '').split(',').filter(Boolean)) {
    const strategy = strategies.find((st) => st.name === name);
    if (!strategy) throw new Error(`--honesty: no strategy "${name}" in this cache`);
    console.log(honestyStudy(cache, strategy));
  }
  console.log(summaryTable(rows, strategies));
  const timing = {
    galleryImages: cache.gallery.length,
    probes: cache.probes.length,
    msGalleryOriginal: cache.msGalleryOriginal,
    msGalleryPerVariant: cache.msGalleryPerVariant,
    msProbe: cache.msProbe,
    msReframe: cache.msReframe,
    msGalleryTta: cache.msGalleryTta,
    msPerProbeVariant: cache.msPerProbeVariant,
  };
  console.log(`\n${JSON.stringify(timing)}`);
  if (args.values.json) console.log(JSON.stringify(rows));
}
