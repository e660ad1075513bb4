// `npm run eval -- identify …` / `npm run eval -- verify …`: ISO/IEC 19795-style evaluation on any labelled
// image set, run through the same Node face pipeline the app uses for enrolment.
// Each subcommand parses its own flags strictly (scripts/support/parse-args.ts): exit 2 on a bad
// command line, 1 when the evaluation itself fails.
import { IDENTIFY_USAGE, runIdentify } from './eval/run-identify';
import { runVerify, VERIFY_USAGE } from './eval/run-verify';
import { BUILD_DEGRADED_USAGE, buildDegradedProtocol } from './eval/build-degraded-protocol';
import { DEGRADED_STUDY_USAGE, runDegradedStudy } from './eval/run-degraded-study';
import { USAGE_EXIT_CODE } from './support/parse-args';

const [command, ...rest] = process.argv.slice(2);
const usage = [IDENTIFY_USAGE, BUILD_DEGRADED_USAGE, DEGRADED_STUDY_USAGE, VERIFY_USAGE].join('\n');

try {
  if (command === 'identify') await runIdentify(rest);
  else if (command === 'verify') await runVerify(rest);
  else if (command === 'build-degraded') await buildDegradedProtocol(rest);
  else if (command === 'degraded-study') await runDegradedStudy(rest);
  else if (command === '--help' || command === '-h') console.log(usage);
  else {
    console.error(command ? `eval: unknown command ${JSON.stringify(command)}` : 'eval: name a command: identify, build-degraded, degraded-study or verify');
    console.error(usage);
    process.exit(USAGE_EXIT_CODE);
  }
} catch (error) {
  console.error(`eval ${command}: ${(error as Error).message}`);
  process.exit(1);
}
