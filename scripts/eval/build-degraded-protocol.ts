import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEGRADATION_SPECS, DEGRADATIONS, type Degradation, degradeImage, seededRandom } from './degrade-image';
import { parseCommandLine } from '../support/parse-args';

// `npm run eval -- build-degraded --lfw ../shared/data/lfw --out DIR [--seed 1] [--mated 150] [--non-mated 150]
//   [--distractors 850] [--conditions clean,blur,…] [--exclude OTHER_PROTOCOL_DIR]`
//
// Builds a 1:N protocol from LFW, split by person so no one is on both sides by accident:
// - mated people (≥ 2 images): their first image is enrolled, one other image (seeded choice) is the probe;
// - non-mated people (≥ 2 images, disjoint from the mated ones): one image is a probe, nothing is enrolled;
// - distractors (people with one image): enrolled only, to make the gallery larger.
// Every probe is then written once per condition (clean and each degradation), so conditions are compared
// on the same people and the same photographs. `gallery.csv` is `path,subject`; `probes.csv` is
// `path,subject,condition`; `protocol.json` records the seed, sizes, people and what each condition does.
// `--exclude` leaves out everyone another protocol uses (e.g. to calibrate on people the evaluation never sees).

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const BUILD_DEGRADED_USAGE =
  'usage: npm run eval -- build-degraded --lfw ../shared/data/lfw --out DIR [--seed 1] [--mated 150] [--non-mated 150] [--distractors 850] [--conditions a,b] [--exclude OTHER_PROTOCOL_DIR]';

export async function buildDegradedProtocol(argv: readonly string[]): Promise<void> {
  const args = parseCommandLine(argv, {
    name: 'eval build-degraded',
    usage: BUILD_DEGRADED_USAGE,
    options: {
      lfw: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      mated: { type: 'string' },
      'non-mated': { type: 'string' },
      distractors: { type: 'string' },
      conditions: { type: 'string' },
      exclude: { type: 'string' },
    },
  });
  const lfw = resolve(args.required('lfw'));
  const out = resolve(args.required('out'));
  const seed = args.integer('seed', { fallback: 1 });
  const matedCount = args.integer('mated', { min: 1, fallback: 150 });
  const nonMatedCount = args.integer('non-mated', { min: 0, fallback: 150 });
  const distractorCount = args.integer('distractors', { min: 0, fallback: 850 });
  const conditionList = args.values.conditions?.split(',') ?? [...DEGRADATIONS];
  for (const c of conditionList) if (!(DEGRADATIONS as readonly string[]).includes(c)) throw new Error(`unknown condition "${c}" (known: ${DEGRADATIONS.join(', ')})`);
  const conditions = conditionList as Degradation[];

  const imagesDir = join(lfw, 'images');
  const excludeDir = args.values.exclude;
  const excluded = new Set<string>();
  if (excludeDir) {
    const other = JSON.parse(await readFile(join(resolve(excludeDir), 'protocol.json'), 'utf8')) as { mated: string[]; nonMated: string[]; distractors?: string[] };
    for (const person of [...other.mated, ...other.nonMated, ...(other.distractors ?? [])]) excluded.add(person);
    // Older protocol files did not list distractors: the gallery CSV does.
    for (const line of (await readFile(join(resolve(excludeDir), 'gallery.csv'), 'utf8')).split('\n').slice(1)) if (line) excluded.add(line.slice(line.lastIndexOf(',') + 1));
  }
  const people = (await readdir(imagesDir, { withFileTypes: true })).filter((d) => d.isDirectory() && !excluded.has(d.name)).map((d) => d.name).sort();
  const imagesOf = new Map<string, string[]>();
  for (const person of people) imagesOf.set(person, (await readdir(join(imagesDir, person))).filter((f) => /\.jpe?g$/i.test(f)).sort());
  const random = seededRandom(seed);
  const several = shuffle(people.filter((p) => imagesOf.get(p)!.length >= 2), random);
  const single = shuffle(people.filter((p) => imagesOf.get(p)!.length === 1), random);
  if (several.length < matedCount + nonMatedCount) throw new Error(`only ${several.length} people have two or more images`);
  if (single.length < distractorCount) throw new Error(`only ${single.length} people have one image`);
  const mated = several.slice(0, matedCount).sort();
  const nonMated = several.slice(matedCount, matedCount + nonMatedCount).sort();
  const distractors = single.slice(0, distractorCount).sort();

  const gallery: { path: string; subject: string }[] = [];
  const probes: { source: string; subject: string; isMated: boolean }[] = [];
  for (const person of mated) {
    const files = imagesOf.get(person)!;
    gallery.push({ path: join(imagesDir, person, files[0]!), subject: person });
    const other = files[1 + Math.floor(random() * (files.length - 1))]!;
    probes.push({ source: join(imagesDir, person, other), subject: person, isMated: true });
  }
  for (const person of distractors) gallery.push({ path: join(imagesDir, person, imagesOf.get(person)![0]!), subject: person });
  for (const person of nonMated) {
    const files = imagesOf.get(person)!;
    probes.push({ source: join(imagesDir, person, files[Math.floor(random() * files.length)]!), subject: person, isMated: false });
  }

  await mkdir(out, { recursive: true });
  const probeLines = ['path,subject,condition'];
  for (const condition of conditions) {
    const dir = join(out, 'images', condition.replace(/\+/g, '_'));
    await mkdir(dir, { recursive: true });
    for (const [i, probe] of probes.entries()) {
      let path = probe.source;
      if (condition !== 'clean') {
        const bytes = new Uint8Array(await readFile(probe.source));
        // One seed per (protocol seed, probe, condition): noise and placement differ between probes but
        // repeat exactly when the protocol is rebuilt.
        const degraded = await degradeImage(bytes, condition, seed * 1_000_003 + i * 101 + conditions.indexOf(condition));
        path = join(dir, `${probe.subject}.${DEGRADATION_SPECS[condition].extension}`);
        await writeFile(path, degraded);
      }
      probeLines.push([path, probe.subject, condition].map(csvField).join(','));
    }
    process.stderr.write(`${condition}: ${probes.length} probes\n`);
  }
  await writeFile(join(out, 'gallery.csv'), `path,subject\n${gallery.map((g) => [g.path, g.subject].map(csvField).join(',')).join('\n')}\n`);
  await writeFile(join(out, 'probes.csv'), `${probeLines.join('\n')}\n`);
  const protocol = {
    source: lfw,
    seed,
    gallery: { images: gallery.length, matedPeople: mated.length, distractors: distractors.length },
    probesPerCondition: { mated: mated.length, nonMated: nonMated.length },
    conditions: Object.fromEntries(conditions.map((c) => [c, DEGRADATION_SPECS[c].description])),
    excludedPeople: excluded.size,
    mated,
    nonMated,
    distractors,
  };
  await writeFile(join(out, 'protocol.json'), `${JSON.stringify(protocol, null, 1)}\n`);
  console.log(`gallery ${gallery.length} images (${mated.length} mated people + ${distractors.length} distractors); ${probes.length} probes × ${conditions.length} conditions → ${out}`);
}
