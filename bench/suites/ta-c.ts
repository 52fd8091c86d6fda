/**
 * Suite `ta-c`: one CPU thread, per indicator, ns/bar on 1,000,000 bars, with every library
 * called directly from C/C++ on the same input: Neurion's kernels (native/ta/table.cpp's
 * run_rows, the function the addon calls), TA-Lib's C functions (built from the sources inside
 * node_modules/talib) and Tulip Indicators' C (inside node_modules/tulind). See bench/c/.
 *
 * The timing happens in the C++ program (bench/c/ta_bench.cpp: rounds of [ours, TA-Lib, Tulip]
 * in rotating order, median of `reps` calls), not in benchmark.js, so this suite writes its own
 * bench/results/ta-c.json (the harness's SuiteResult fields, plus a `table` with one row per
 * indicator) and hands the harness an empty case list (it then prints "no case matches").
 * Without a C toolchain (or without the peer sources) the suite reports a skip.
 *
 *   npm run bench                          # every suite, ta-c included
 *   node dist/bench/suites/ta-c.js [--quick] [--filter rsi]   # this suite alone
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendStatus } from '../../src/compute/index.js';
import { INDICATORS } from '../../src/ta/index.js';
import { projectRoot } from '../../src/util/paths.js';
import { formatTable, machineInfo, parseOptions, resultsPath, type CaseResult, type HarnessOptions, type RatioResult, type SuiteModule, type SuiteResult, type SuiteSpec } from '../harness.js';
import { defaults, talibOptions, TULIP } from './ta-peers.js';

const BARS = 1_000_000;
/** Ratios within 3% of 1 are reported as ties: the spread of repeated quiet runs. */
const TIE = 0.03;
const SEED = 20_240_601;

interface LibTiming {
  median: number;
  min: number;
  samples: number[];
  function?: string;
  matches?: boolean;
  maxRelDiff?: number | null;
  compared?: number;
  nanMismatch?: number;
}
interface BinaryRow {
  name: string;
  params: number[];
  outputs: number;
  ours: LibTiming;
  talib?: LibTiming;
  tulip?: LibTiming;
  othersCpuPercent: number | null;
  notes: string;
}
interface BinaryOutput {
  bars: number;
  reps: number;
  seed: number;
  talibVersion: string;
  tulipVersion: string;
  indicators: BinaryRow[];
  talibMismatches: number;
}

/** One row of the published table (ns/bar are medians). */
export interface TaCRow {
  indicator: string;
  params: number[];
  ours: number;
  talib: number | null;
  tulip: number | null;
  /** The faster of TA-Lib and Tulip, ns/bar (null when neither has it). */
  bestPeer: number | null;
  /** ours / bestPeer (medians): <= 1 meets the goal (at or below the faster C library). */
  ratio: number | null;
  /** ours / TA-Lib (medians). */
  ratioTalib: number | null;
  /** The same from the fastest of the reps (best-of), less sensitive to a busy machine. */
  oursMin: number;
  bestPeerMin: number | null;
  ratioMin: number | null;
  /** TA-Lib's values equal ours (rel 1e-8 over 1M bars: running sums drift ~1e-9; same first defined bar). */
  talibMatches: boolean | null;
  /** Max relative difference of Tulip's values from ours (definitions may differ). */
  tulipMaxRelDiff: number | null;
  othersCpuPercent: number | null;
  note?: string;
}

function gitInfo(): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain']);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

/** The spec file ta_bench reads: one tab-separated line per indicator (see bench/c/ta_bench.cpp). */
function specLines(filter: string | undefined): string[] {
  const f = filter?.toLowerCase();
  const lines: string[] = [];
  for (const spec of INDICATORS) {
    if (f !== undefined && !`ta-c/${spec.name}/neurion talib tulip`.toLowerCase().includes(f)) continue;
    const p = defaults(spec);
    const to = talibOptions(spec, p);
    const tu = TULIP[spec.name];
    lines.push(
      [
        spec.name,
        p.length ? p.join(',') : '-',
        spec.talib ? spec.talib.name : '-',
        to && Object.keys(to).length ? Object.entries(to).map(([k, v]) => `${k}=${v}`).join(',') : '-',
        spec.talib ? spec.talib.outputs.map((o) => o ?? '-').join(',') : '-',
        tu ? tu.name : '-',
        tu && tu.options(p).length ? tu.options(p).join(',') : '-',
        tu ? tu.outputs.join(',') : '-',
      ].join('\t'),
    );
  }
  return lines;
}

function stats(ns: number[], bars: number): Pick<CaseResult, 'medianSecondsPerCall' | 'meanSecondsPerCall' | 'nsPerItem' | 'itemsPerSecond' | 'rmePercent' | 'samples' | 'callsPerSample'> {
  const s = [...ns].sort((a, b) => a - b);
  const m = s.length >> 1;
  const med = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  const mean = s.reduce((a, v) => a + v, 0) / s.length;
  const sd = s.length > 1 ? Math.sqrt(s.reduce((a, v) => a + (v - mean) ** 2, 0) / (s.length - 1)) : 0;
  return {
    medianSecondsPerCall: (med * bars) / 1e9,
    meanSecondsPerCall: (mean * bars) / 1e9,
    nsPerItem: med,
    itemsPerSecond: 1e9 / med,
    // 95% margin of the mean (normal approximation), as a percentage, like benchmark.js's rme.
    rmePercent: s.length > 1 ? (100 * 1.96 * sd) / Math.sqrt(s.length) / mean : 0,
    samples: s.length,
    callsPerSample: 1,
  };
}

/** Builds and runs the C benchmark, writes bench/results/ta-c(.partial).json; returns the result or a skip reason. */
export function runTaC(opts: HarnessOptions): SuiteResult | { skip: string } {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const root = projectRoot();
  const build = spawnSync('bash', [join(root, 'bench/c/build.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (build.status === 3 || build.error) return { skip: `C toolchain or peer sources missing (bench/c/build.sh exit ${build.status ?? build.error?.message})` };
  if (build.status !== 0) throw new Error(`bench/c/build.sh failed (exit ${build.status})`);
  const bin = build.stdout.trim().split('\n').pop()!;
  const buildDir = join(bin, '..');
  const flags = existsSync(join(buildDir, 'flags.txt')) ? readFileSync(join(buildDir, 'flags.txt'), 'utf8').trim().split('\n') : [];
  const lines = specLines(opts.filter);
  if (lines.length === 0) return { skip: `no indicator matches --filter ${JSON.stringify(opts.filter)}` };
  const specPath = join(buildDir, 'spec.tsv');
  writeFileSync(specPath, `${lines.join('\n')}\n`);
  const reps = opts.quick ? 3 : 11;
  console.log(`[ta-c] ${bin} --bars ${BARS} --reps ${reps} (${lines.length} indicators; load ${loadStart.map((x) => x.toFixed(2)).join(' ')})`);
  const run = spawnSync(bin, ['--spec', specPath, '--bars', String(BARS), '--reps', String(reps), '--seed', String(SEED)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`ta_bench failed (exit ${run.status}, signal ${run.signal})`);
  const r = JSON.parse(run.stdout) as BinaryOutput;

  const cases: CaseResult[] = [];
  const table: TaCRow[] = [];
  const CONTENDED = 10;
  for (const row of r.indicators) {
    const others = row.othersCpuPercent;
    const add = (name: string, tag: 'ours' | 'peer', t: LibTiming, baseline: boolean, notes: string): void => {
      cases.push({ name, group: row.name, tag, baseline, items: r.bars, notes, ...stats(t.samples, r.bars), othersCpuPercent: others, attempts: 1 });
    };
    add('neurion C++ run_rows', 'ours', row.ours, true, 'neurion::ta::run_rows(index, in, out, params, rows=1, cols=1M, threads=1)');
    if (row.talib) add(`TA-Lib C ${row.talib.function}`, 'peer', row.talib, false, `TA_CallFunc(${row.talib.function}); values ${row.talib.matches ? 'equal ours' : `DIFFER from ours (max rel ${row.talib.maxRelDiff})`}`);
    if (row.tulip) add(`Tulip C ${row.tulip.function}`, 'peer', row.tulip, false, `ti_${row.tulip.function}; max rel diff from ours ${row.tulip.maxRelDiff} over ${row.tulip.compared} values`);
    const ours = stats(row.ours.samples, r.bars).nsPerItem;
    const ta = row.talib ? stats(row.talib.samples, r.bars).nsPerItem : null;
    const tu = row.tulip ? stats(row.tulip.samples, r.bars).nsPerItem : null;
    const best = ta === null ? tu : tu === null ? ta : Math.min(ta, tu);
    const mins = [row.talib, row.tulip].filter((t): t is LibTiming => t !== undefined).map((t) => Math.min(...t.samples));
    const oursMin = Math.min(...row.ours.samples);
    const bestMin = mins.length ? Math.min(...mins) : null;
    const note = [TULIP[row.name]?.note, row.notes || undefined].filter(Boolean).join('; ');
    table.push({
      indicator: row.name,
      params: row.params,
      ours,
      talib: ta,
      tulip: tu,
      bestPeer: best,
      ratio: best === null ? null : ours / best,
      ratioTalib: ta === null ? null : ours / ta,
      oursMin,
      bestPeerMin: bestMin,
      ratioMin: bestMin === null ? null : oursMin / bestMin,
      talibMatches: row.talib ? row.talib.matches ?? null : null,
      tulipMaxRelDiff: row.tulip ? row.tulip.maxRelDiff ?? null : null,
      othersCpuPercent: others,
      ...(note ? { note } : {}),
    });
  }
  const ratios: RatioResult[] = [];
  for (const c of cases) {
    const base = cases.find((b) => b.group === c.group && b.baseline)!;
    if (base !== c) ratios.push({ group: c.group, case: c.name, baseline: base.name, speedup: base.nsPerItem / c.nsPerItem });
  }
  const withPeer = table.filter((t) => t.ratio !== null);
  const result: SuiteResult & { table: TaCRow[]; summary: Record<string, unknown> } = {
    suite: 'ta-c',
    description: `indicators, one CPU thread, ${r.bars.toLocaleString('en-US')} bars, ours vs TA-Lib C vs Tulip C called directly (median of ${r.reps} calls)`,
    date: new Date().toISOString(),
    unit: 'bar',
    options: { quick: opts.quick, filter: opts.filter ?? null, minSamples: r.reps, maxTime: 0 },
    machine: machineInfo(),
    git: gitInfo(),
    backends: backendStatus().map((b) => ({ name: b.name, available: b.available, detail: b.detail })),
    params: {
      bars: r.bars,
      reps: r.reps,
      seed: r.seed,
      input: 'splitmix64 + Box-Muller OHLCV, mean-reverting log close around 100 (bench/c/ta_bench.cpp make_series): the same arrays for all three libraries',
      indicatorParams: 'registry defaults (src/ta); TA-Lib optional inputs from the registry mapping; Tulip options from bench/suites/ta-peers.ts',
      timing: 'steady_clock around one call of 1M bars; rounds of [ours, TA-Lib, Tulip] in rotating order; median (and min) of reps',
      ours: 'native/ta/table.cpp run_rows(rows=1, threads=1), including its scratch allocation',
      talib: `TA-Lib ${r.talibVersion} from node_modules/talib/src/lib sources, static lib, called through TA_CallFunc (abstract API: one dispatch per 1M-bar call)`,
      tulip: `Tulip Indicators ${r.tulipVersion} (node_modules/tulind/external/tiamalgamation.c), ti_find_indicator()->indicator()`,
      compilers: flags,
      talibMismatches: r.talibMismatches,
    },
    cases,
    ratios,
    contendedCases: cases.filter((c) => c.othersCpuPercent !== null && c.othersCpuPercent > CONTENDED).map((c) => `${c.group}/${c.name}`),
    skipped: INDICATORS.filter((s) => r.indicators.some((x) => x.name === s.name) && !s.talib && !TULIP[s.name]).map((s) => ({
      name: 'TA-Lib C / Tulip C',
      group: s.name,
      reason: 'neither TA-Lib nor Tulip has this indicator (ours timed alone)',
    })),
    wallSeconds: (performance.now() - t0) / 1e3,
    loadAverage: { start: loadStart, end: os.loadavg() },
    table,
    summary: {
      indicatorsTimed: table.length,
      withAPeer: withPeer.length,
      atOrBelowFasterPeer: withPeer.filter((t) => t.ratio! <= 1).length,
      withinNoiseOfFasterPeer: withPeer.filter((t) => t.ratio! > 1 && t.ratio! <= 1 + TIE).length,
      slowerThanFasterPeerBeyondNoise: withPeer.filter((t) => t.ratio! > 1 + TIE).length,
      atOrBelowTalibWithinNoise: table.filter((t) => t.ratioTalib !== null && t.ratioTalib <= 1 + TIE).length,
      withTalib: table.filter((t) => t.ratioTalib !== null).length,
      atOrBelowFasterPeerBestOf: withPeer.filter((t) => t.ratioMin! <= 1).length,
      slowerThanFasterPeer: withPeer.filter((t) => t.ratio! > 1 + TIE).map((t) => `${t.indicator} ${t.ratio!.toFixed(2)}x`),
      geomeanRatioVsFasterPeer: withPeer.length ? Math.exp(withPeer.reduce((a, t) => a + Math.log(t.ratio!), 0) / withPeer.length) : null,
    },
  };
  // As the harness does: a quick or filtered run, or a full run on a busier machine (more
  // contended indicators) than the existing full result, goes to ta-c.partial.json instead.
  let partial = opts.quick || opts.filter !== undefined;
  if (!partial && result.contendedCases.length > 0) {
    const full = resultsPath('ta-c', false);
    try {
      const prev = existsSync(full) ? (JSON.parse(readFileSync(full, 'utf8')) as Partial<SuiteResult>) : null;
      if (prev && Array.isArray(prev.contendedCases) && prev.contendedCases.length < result.contendedCases.length) {
        partial = true;
        console.log(`[ta-c] ${result.contendedCases.length} contended case(s) vs ${prev.contendedCases.length} in ${full}: writing the partial file instead`);
      }
    } catch {
      /* unreadable previous result: replace it */
    }
  }
  const path = resultsPath('ta-c', partial);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  console.log('');
  console.log(formatTable(result));
  console.log('');
  console.log(formatTaCTable(table));
  console.log(`wrote ${path}${partial ? ' (partial run)' : ''}`);
  return result;
}

/** The per-indicator table (markdown) that goes into bench/NOTES.md. */
export function formatTaCTable(rows: readonly TaCRow[]): string {
  const f = (x: number | null): string => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const out = [
    '| indicator | ours ns/bar | TA-Lib C | Tulip C | ours / faster peer | (best-of) | ours / TA-Lib | TA-Lib values | Tulip max rel diff | others % |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const t of rows) {
    const flag = t.ratio === null ? '-' : `${t.ratio.toFixed(2)}${t.ratio > 1 + TIE ? ' **slower**' : ''}`;
    const vt = t.ratioTalib === null ? '-' : `${t.ratioTalib.toFixed(2)}${t.ratioTalib > 1 + TIE ? ' **slower**' : ''}`;
    const tm = t.talibMatches === null ? '-' : t.talibMatches ? 'equal' : 'DIFFER';
    const tr = t.tulipMaxRelDiff === null ? '-' : t.tulipMaxRelDiff < 1e-9 ? 'equal' : t.tulipMaxRelDiff.toExponential(1);
    const bo = t.ratioMin === null ? '-' : t.ratioMin.toFixed(2);
    out.push(`| ${t.indicator} | ${f(t.ours)} | ${f(t.talib)} | ${f(t.tulip)} | ${flag} | ${bo} | ${vt} | ${tm} | ${tr} | ${t.othersCpuPercent ?? '-'} |`);
  }
  return out.join('\n');
}

export const taCSuite: SuiteModule = {
  name: 'ta-c',
  build(opts): SuiteSpec {
    const r = runTaC(opts);
    const skipped = 'skip' in r ? [{ name: 'ta-c', group: 'all', reason: r.skip }] : [];
    if ('skip' in r) console.log(`[ta-c] skipped: ${r.skip}`);
    else console.log('[ta-c] done: timed in C++, results written above (the harness has no benchmark.js cases to run for this suite)');
    return { name: 'ta-c', description: 'indicators from C/C++ (see bench/results/ta-c.json)', unit: 'bar', params: {}, cases: [], skipped };
  },
};

// Standalone: node dist/bench/suites/ta-c.js [--quick] [--filter text]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = runTaC(parseOptions(process.argv.slice(2)));
  if ('skip' in r) console.log(`[ta-c] skipped: ${r.skip}`);
}
