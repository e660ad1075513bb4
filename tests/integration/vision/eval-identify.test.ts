import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runIdentify } from '@/scripts/eval/run-identify';
import { hasLfw, lfwImage, lfwMissingMessage } from '../../support/lfw';

if (!hasLfw) console.warn(lfwMissingMessage);

const people = ['Colin_Powell', 'George_W_Bush', 'Tony_Blair', 'Donald_Rumsfeld', 'Gerhard_Schroeder', 'Ariel_Sharon', 'Hugo_Chavez', 'Junichiro_Koizumi'];

type Line = { probe: string; faces: number; candidates: { subject: string; score: number }[] };

describe.skipIf(!hasLfw)('npm run eval -- identify', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eval-identify-'));
    const gallery = ['path,subject', ...people.map((p) => `${lfwImage(p, 1)},${p}`)];
    // Probes: two more images per person, one non-image, and one person not in the gallery.
    const probes = [...people.flatMap((p) => [`${lfwImage(p, 2)},${p}`, `${lfwImage(p, 3)},${p}`]), `${join(dir, 'notes.txt')},Nobody`, `${lfwImage('Serena_Williams', 1)},Serena_Williams`];
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'g.csv'), `${gallery.join('\n')}\n`);
    await writeFile(join(dir, 'p.csv'), `${probes.join('\n')}\n`);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function run(index: 'embedded' | 'scan', extra: string[] = [], probesCsv = 'p.csv', name: string = index) {
    const out = join(dir, `${name}.jsonl`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runIdentify(['--gallery', join(dir, 'g.csv'), '--probes', join(dir, probesCsv), '--top', '5', '--out', out, '--json', '--index', index, ...extra]);
      const summary = JSON.parse(String(log.mock.calls.at(-1)![0]));
      const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Line);
      return { summary, lines };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }

  it('writes one line per probe in the issue format, and the app index agrees with a plain scan', async () => {
    const embedded = await run('embedded');
    const scan = await run('scan');
    expect(embedded.lines).toHaveLength(people.length * 2 + 2);
    for (const line of embedded.lines) {
      // The first issue's three fields, and what the reviewer would be told: the probe's quality verdict,
      // the calibration table used, and per candidate the raw score, FMR, expected FPIR and the words.
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['probe', 'faces', 'candidates', 'subject', 'condition', 'isMated', 'quality', 'calibrationTableId', 'gallerySize']));
      expect(line.candidates.length).toBeLessThanOrEqual(5);
      for (const candidate of line.candidates) expect(Object.keys(candidate).sort()).toEqual(['expectedFpir', 'falseMatchRate', 'score', 'subject', 'words']);
    }
    expect(embedded.lines[0]!.probe).toBe(lfwImage(people[0]!, 2));
    const failed = embedded.lines.find((l) => l.probe.endsWith('notes.txt'))!;
    expect(failed).toMatchObject({ probe: join(dir, 'notes.txt'), faces: 0, candidates: [], quality: null });
    embedded.lines.forEach((line, i) => {
      const other = scan.lines[i]!;
      expect(line.candidates.map((c) => c.subject)).toEqual(other.candidates.map((c) => c.subject));
      line.candidates.forEach((c, j) => expect(c.score).toBeCloseTo(other.candidates[j]!.score, 4));
    });
    expect(embedded.summary.rank1).toBeGreaterThanOrEqual(0.85);
    expect(embedded.summary.imagesWithNoFace).toBe(1);
    expect(embedded.summary.matedProbes).toBe(people.length * 2);
    expect(embedded.summary.fpirSource).toBe('non-mated probes');
    expect(embedded.summary).toHaveProperty('fnirAtFpir001');
    expect(embedded.summary).toHaveProperty('msPerImage');
  });

  it('--frames 2 searches each person once with two faces, each candidate at their best over the two', async () => {
    // The condition column marks the renderings; any condition but clean is a frame.
    const rows = ['path,subject,condition', ...people.flatMap((p) => [`${lfwImage(p, 2)},${p},blur`, `${lfwImage(p, 3)},${p},dark`]), `${lfwImage('Serena_Williams', 1)},Serena_Williams,blur`];
    await writeFile(join(dir, 'frames.csv'), `${rows.join('\n')}\n`);
    const single = await run('embedded', [], 'frames.csv', 'single');
    const fused = await run('embedded', ['--frames', '2'], 'frames.csv', 'fused');
    // Serena has one rendering: not enough for two frames.
    expect(fused.lines).toHaveLength(people.length);
    expect(fused.summary).toMatchObject({ framesPerProbe: 2, probes: people.length, probeImages: people.length * 2 });
    const scoreIn = (line: Line | undefined, subject: string) => line?.candidates.find((c) => c.subject === subject)?.score ?? null;
    for (const line of fused.lines as (Line & { subject: string; frames: { path: string }[] })[]) {
      expect(line.frames.map((frame) => frame.path).sort()).toEqual([lfwImage(line.subject, 2), lfwImage(line.subject, 3)].sort());
      const alone = line.frames.map((frame) => scoreIn(single.lines.find((l) => l.probe === frame.path), line.subject)).filter((score): score is number => score !== null);
      // Max fusion: the person's score is their better one of the two single searches.
      expect(scoreIn(line, line.subject)).toBeCloseTo(Math.max(...alone), 4);
    }
    expect(fused.summary.rank1).toBeGreaterThanOrEqual(single.summary.rank1);
  });
});
