// `npm run eval -- identify …` / `npm run eval -- verify …`: ISO/IEC 19795-style evaluation on any labelled
// image set, run through the same Node face pipeline the app uses for enrolment.
import { runIdentify } from './eval/run-identify';
import { runVerify } from './eval/run-verify';
import { buildDegradedProtocol } from './eval/build-degraded-protocol';
import { runDegradedStudy } from './eval/run-degraded-study';

const [command, ...rest] = process.argv.slice(2);
const usage = `usage:
  npm run eval -- identify --gallery G.csv --probes P.csv [--top 50] --out results.jsonl [--json] [--threads 1]
  npm run eval -- build-degraded --lfw ../shared/data/lfw --out DIR [--seed 1] [--mated 150] [--non-mated 150] [--distractors 850] [--conditions a,b]
  npm run eval -- degraded-study --gallery G.csv --probes P.csv --cache FILE [--mated 100] [--non-mated 100]
  npm run eval -- verify --pairs pairs.txt --images DIR [--limit-folds N] [--json] [--threads 1]`;

try {
  if (command === 'identify') await runIdentify(rest);
  else if (command === 'verify') await runVerify(rest);
  else if (command === 'build-degraded') await buildDegradedProtocol(rest);
  else if (command === 'degraded-study') await runDegradedStudy(rest);
  else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(`eval ${command}: ${(error as Error).message}`);
  console.error(usage);
  process.exit(1);
}
