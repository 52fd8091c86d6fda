/**
 * Runs every benchmark suite (a static list), passing the flags through:
 *
 *   npm run bench                        all suites, full settings; writes bench/results/<suite>.json
 *   npm run bench -- --quick             fewer, shorter samples; writes <suite>.partial.json
 *   npm run bench -- --filter "cpu"      only cases whose "suite/group/case" contains the text
 *   npm run bench -- --suite sma         only the named suite(s) (repeatable), as a full run
 *
 * Exits non-zero when a suite throws (a failed output check included); later suites still run.
 */
import { parseOptions, runSuite, type SuiteModule } from './harness.js';
import { smaSuite } from './suites/sma.js';
import { mcSuite } from './suites/mc.js';
import { lstmSuite } from './suites/lstm.js';
import { lstmTrainSuite } from './suites/lstm-train.js';
import { backtestSuite } from './suites/backtest.js';
import { taCSuite } from './suites/ta-c.js';
import { taJsSuite } from './suites/ta-js.js';
import { taStreamSuite } from './suites/ta-stream.js';
import { taThreadsSuite } from './suites/ta-threads.js';

const SUITES: readonly SuiteModule[] = [smaSuite, mcSuite, lstmSuite, lstmTrainSuite, backtestSuite, taCSuite, taJsSuite, taStreamSuite, taThreadsSuite];

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const unknown = (opts.suites ?? []).filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const failed: string[] = [];
  for (const suite of SUITES) {
    if (opts.suites !== undefined && !opts.suites.includes(suite.name)) continue;
    try {
      await runSuite(suite, opts);
    } catch (e) {
      failed.push(suite.name);
      console.error(`\nsuite ${suite.name} FAILED:\n${(e as Error).stack ?? String(e)}\n`);
    }
  }
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} of ${SUITES.length} suite(s) failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
