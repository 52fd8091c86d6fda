/**
 * A small layer over benchmark.js shared by every suite under bench/suites.
 *
 * A suite is a list of named cases. Each case has a function that does one call's work, the
 * number of items (bars, elements) that call processes, a tag (`ours` or `peer`) and a group;
 * each group has exactly one baseline case, and every other case in the group is quoted as a
 * ratio against that baseline measured in the SAME run (never against a number from another
 * day or machine). Before anything is timed, each selected case's `verify` runs once, so a
 * fast wrong answer can never be reported.
 *
 * Per case: the median time per call (median of benchmark.js `stats.sample`, which holds the
 * mean seconds per call of each sampling cycle), ns per item, items per second, the relative
 * margin of error and the sample count. Results go to bench/results/<suite>.json (full runs)
 * or bench/results/<suite>.partial.json (--quick / --filter runs, git-ignored), and a table
 * is printed.
 *
 * Flags (process.argv): --quick (fewer, shorter samples), --filter <text> (run only cases
 * whose "suite/group/case" name contains the text, case-insensitive; the baselines of the
 * selected groups always run, since ratios need them) and --suite <name> (repeatable: run only
 * the named suites, as full runs).
 */
import Benchmark from 'benchmark';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { backendStatus } from '../src/compute/index.js';
import { projectRoot } from '../src/util/paths.js';

// Call each case's function by reference. By default benchmark.js decompiles `fn` and
// re-evaluates its source text in a fresh scope, which cannot see closures or ES module
// imports; it falls back after a failed pretest, but the pretest itself would run the body
// in the wrong scope. Turning decompilation off makes every case run exactly the closure given.
Benchmark.support.decompilation = false;

/**
 * A full garbage collection, run before each case so that one case's garbage (TA-Lib's
 * per-row JS arrays are ~160 MB per call) is not collected on another case's clock; on a
 * 2-core machine V8's concurrent GC threads otherwise steal a core from threads=2 cases.
 * `global.gc` when node runs with --expose-gc, else the flag is turned on for a fresh context.
 */
const fullGc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export type CaseTag = 'ours' | 'peer';

// ---------------------------------------------------------------------------------------------
// Contention. The machine is shared (other builds and tests run beside the bench), so each case
// records how much CPU OTHER processes used while it was timed: machine-wide busy time from
// /proc/stat minus this process's own CPU time (all its threads). Before each case the harness
// waits (a bounded time) for a quiet moment. Linux only; elsewhere the numbers are null.
// ---------------------------------------------------------------------------------------------

const CLK_TCK = 100; // USER_HZ, 100 on every Linux that matters (getconf CLK_TCK)
const HAVE_PROC_STAT = existsSync('/proc/stat');
/** A case is flagged when others used more than this share of the machine while it ran. */
const CONTENDED_PERCENT = 10;
/** Busy cases are re-timed only while the suite has run less than this (seconds). */
const RETRY_BUDGET_S = 150;
const c_name = (c: { group: string; name: string }): string => `${c.group}/${c.name}`;

interface CpuSnapshot {
  wallMs: number;
  machineBusySeconds: number;
  ownSeconds: number;
}

function snapshot(): CpuSnapshot | null {
  if (!HAVE_PROC_STAT) return null;
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
  const busy = f.reduce((a, v, i) => (i === 3 || i === 4 || i > 7 ? a : a + v), 0);
  const own = process.cpuUsage();
  return { wallMs: performance.now(), machineBusySeconds: busy / CLK_TCK, ownSeconds: (own.user + own.system) / 1e6 };
}

/** Percent of the whole machine (all cores) used by other processes between two snapshots. */
function othersPercent(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b) return null;
  const wall = (b.wallMs - a.wallMs) / 1e3;
  if (wall <= 0) return null;
  const others = b.machineBusySeconds - a.machineBusySeconds - (b.ownSeconds - a.ownSeconds);
  return Math.max(0, (100 * others) / (wall * os.cpus().length));
}

/** Waits (up to maxMs) for a 300 ms window in which other processes use < CONTENDED_PERCENT. */
async function waitForQuiet(maxMs: number): Promise<number | null> {
  if (!HAVE_PROC_STAT) return null;
  const deadline = performance.now() + maxMs;
  let last: number | null = null;
  for (;;) {
    const a = snapshot();
    await new Promise((r) => setTimeout(r, 300));
    last = othersPercent(a, snapshot());
    if (last === null || last < CONTENDED_PERCENT || performance.now() > deadline) return last;
  }
}

export interface BenchCase {
  /** Shown in the table; say here when a case measures a different amount of work (a slice). */
  name: string;
  /** Ratios are computed within a group against its baseline (e.g. "period 20"). */
  group: string;
  tag: CaseTag;
  /** Items (bars, elements) one call of `fn` processes; ns/item = median per call / items. */
  items: number;
  /** Exactly one case per group sets this. */
  baseline?: boolean;
  /** Runs once before any timing; throws when the case's output is wrong. */
  verify?: () => void;
  /** One call's work. */
  fn: () => void;
  /** Free-form facts recorded with the case (threads, slice size, what the timing includes). */
  notes?: string;
  /** Overrides the run's minSamples for a slow case (seconds per call) to keep the run short. */
  minSamples?: number;
}

export interface SkippedCase {
  name: string;
  group: string;
  reason: string;
}

export interface SuiteSpec {
  name: string;
  /** One or two sentences: what the suite measures. */
  description: string;
  /** What one item is: "bar", "element". */
  unit: string;
  /** Input shape, seeds, periods: whatever makes the run reproducible. */
  params: Record<string, unknown>;
  cases: BenchCase[];
  skipped: SkippedCase[];
}

/** What bench/run.ts lists: a name and a builder (which allocates inputs only when run). */
export interface SuiteModule {
  name: string;
  build(opts: HarnessOptions): SuiteSpec | Promise<SuiteSpec>;
}

export interface HarnessOptions {
  quick: boolean;
  filter?: string;
  /** --suite <name> (repeatable): run only these suites; their results count as full runs. */
  suites?: string[];
  /** benchmark.js settings derived from `quick`. */
  minSamples: number;
  maxTime: number;
}

export interface CaseResult {
  name: string;
  group: string;
  tag: CaseTag;
  baseline: boolean;
  items: number;
  notes?: string;
  medianSecondsPerCall: number;
  meanSecondsPerCall: number;
  nsPerItem: number;
  itemsPerSecond: number;
  /** benchmark.js relative margin of error of the mean, in percent. */
  rmePercent: number;
  samples: number;
  /** Calls per sample (benchmark.js `count`). */
  callsPerSample: number;
  /** CPU used by other processes while this case was timed, as % of the whole machine (null off Linux). */
  othersCpuPercent: number | null;
  /** Timings taken: a case timed on a busy machine is timed once more and the quieter timing kept. */
  attempts: number;
}

export interface RatioResult {
  group: string;
  case: string;
  baseline: string;
  /** baseline ns/item / case ns/item: > 1 means the case is faster than the baseline. */
  speedup: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  totalMemoryBytes: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  kernelRelease: string;
}

export interface SuiteResult {
  suite: string;
  description: string;
  date: string;
  unit: string;
  options: { quick: boolean; filter: string | null; minSamples: number; maxTime: number };
  machine: MachineInfo;
  git: { commit: string | null; dirty: boolean | null };
  backends: Array<{ name: string; available: boolean; detail: string; device?: unknown }>;
  params: Record<string, unknown>;
  cases: CaseResult[];
  ratios: RatioResult[];
  /** Cases timed while other processes used > 10% of the machine: their numbers are upper bounds. */
  contendedCases: string[];
  skipped: SkippedCase[];
  wallSeconds: number;
  /** os.loadavg() (1, 5, 15 min) when the suite started and when it finished. */
  loadAverage: { start: number[]; end: number[] };
}

/** Parses --quick and --filter <text> (also --filter=<text>); rejects anything else. */
export function parseOptions(argv: readonly string[]): HarnessOptions {
  let quick = false;
  let filter: string | undefined;
  let suites: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--filter') {
      const v = argv[++i];
      if (v === undefined || v === '') throw new RangeError('--filter needs a value, e.g. --filter "cpu threads=1"');
      filter = v;
    } else if (a.startsWith('--filter=')) {
      filter = a.slice('--filter='.length);
      if (filter === '') throw new RangeError('--filter needs a value, e.g. --filter="cpu threads=1"');
    } else if (a === '--suite' || a.startsWith('--suite=')) {
      const v = a === '--suite' ? argv[++i] : a.slice('--suite='.length);
      if (v === undefined || v === '') throw new RangeError('--suite needs a suite name, e.g. --suite sma');
      (suites ??= []).push(v);
    } else throw new RangeError(`unknown bench flag ${JSON.stringify(a)}; known: --quick, --filter <text>, --suite <name>`);
  }
  // Full run: at least 10 samples and ~2 s per case. Quick: 3 samples, ~0.5 s per case.
  const base = { quick, filter, ...(suites !== undefined ? { suites } : {}) };
  return quick ? { ...base, minSamples: 3, maxTime: 0.5 } : { ...base, minSamples: 10, maxTime: 2 };
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    kernelRelease: os.release(),
  };
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

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Cases kept by --filter, plus the baseline of every group that has a kept case. */
function selectCases(spec: SuiteSpec, filter: string | undefined): BenchCase[] {
  if (filter === undefined) return spec.cases;
  const f = filter.toLowerCase();
  const hit = (c: BenchCase): boolean => `${spec.name}/${c.group}/${c.name}`.toLowerCase().includes(f);
  const groups = new Set(spec.cases.filter(hit).map((c) => c.group));
  return spec.cases.filter((c) => groups.has(c.group) && (hit(c) || c.baseline === true));
}

function checkSpec(spec: SuiteSpec): void {
  const groups = new Map<string, number>();
  for (const c of spec.cases) {
    if (!Number.isFinite(c.items) || c.items <= 0) throw new RangeError(`${spec.name}: case "${c.name}" has items ${c.items}; must be > 0`);
    groups.set(c.group, (groups.get(c.group) ?? 0) + (c.baseline ? 1 : 0));
  }
  for (const [g, n] of groups) {
    if (n !== 1) throw new RangeError(`${spec.name}: group "${g}" has ${n} baseline cases; exactly one is required`);
  }
  const names = new Set<string>();
  for (const c of spec.cases) {
    const key = `${c.group}/${c.name}`;
    if (names.has(key)) throw new RangeError(`${spec.name}: duplicate case ${key}`);
    names.add(key);
  }
}

async function timeCase(c: BenchCase, opts: HarnessOptions): Promise<CaseResult> {
  fullGc();
  await waitForQuiet(opts.quick ? 2_000 : 5_000);
  const before = snapshot();
  const bench = new Benchmark(c.name, c.fn, { minSamples: c.minSamples ?? opts.minSamples, maxTime: opts.maxTime, initCount: 1 });
  bench.run({ async: false });
  const others = othersPercent(before, snapshot());
  // benchmark.js records a thrown error on the benchmark instead of throwing.
  const err = (bench as unknown as { error?: unknown }).error;
  if (err !== undefined) throw new Error(`case "${c.group}/${c.name}" threw while timed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  const sample = bench.stats.sample as number[];
  if (sample.length === 0) throw new Error(`case "${c.group}/${c.name}" produced no samples`);
  const med = median(sample);
  return {
    name: c.name,
    group: c.group,
    tag: c.tag,
    baseline: c.baseline === true,
    items: c.items,
    ...(c.notes !== undefined ? { notes: c.notes } : {}),
    medianSecondsPerCall: med,
    meanSecondsPerCall: bench.stats.mean,
    nsPerItem: (med * 1e9) / c.items,
    itemsPerSecond: c.items / med,
    rmePercent: bench.stats.rme,
    samples: sample.length,
    callsPerSample: bench.count,
    othersCpuPercent: others === null ? null : Math.round(others * 10) / 10,
    attempts: 1,
  };
}

function ratiosOf(cases: readonly CaseResult[]): RatioResult[] {
  const out: RatioResult[] = [];
  for (const c of cases) {
    const base = cases.find((b) => b.group === c.group && b.baseline);
    if (!base || base === c) continue;
    out.push({ group: c.group, case: c.name, baseline: base.name, speedup: base.nsPerItem / c.nsPerItem });
  }
  return out;
}

function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(digits);
}

function fmtRatio(x: number): string {
  return x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

/** The table printed to stdout (and pasted into bench/NOTES.md). */
export function formatTable(r: SuiteResult): string {
  const head = ['group', 'case', 'tag', `ns/${r.unit}`, `${r.unit}s/s`, 'x vs baseline', '±rme', 'samples', 'median/call', 'others'];
  const rows: string[][] = [];
  for (const c of r.cases) {
    const ratio = r.ratios.find((x) => x.group === c.group && x.case === c.name);
    rows.push([
      c.group,
      c.name,
      c.baseline ? `${c.tag}*` : c.tag,
      fmt(c.nsPerItem),
      fmt(c.itemsPerSecond),
      c.baseline ? '1 (baseline)' : ratio ? `${fmtRatio(ratio.speedup)}x` : '-',
      `${c.rmePercent.toFixed(1)}%`,
      String(c.samples),
      `${(c.medianSecondsPerCall * 1e3).toFixed(2)} ms`,
      (c.othersCpuPercent === null ? '-' : `${c.othersCpuPercent.toFixed(0)}%${c.othersCpuPercent > CONTENDED_PERCENT ? ' !' : ''}`) +
        (c.attempts > 1 ? ` (best of ${c.attempts})` : ''),
    ]);
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7, 8]);
  const contended = r.cases.filter((c) => c.othersCpuPercent !== null && c.othersCpuPercent > CONTENDED_PERCENT).length;
  const line = (cells: string[]): string => cells.map((s, i) => (numeric.has(i) ? s.padStart(w[i]!) : s.padEnd(w[i]!))).join('  ').trimEnd();
  const m = r.machine;
  const out = [
    `suite ${r.suite}: ${r.description}`,
    `machine: ${m.cpuModel}, ${m.cores} cores, ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, node ${m.node}, ${m.platform} ${m.kernelRelease}`,
    `backends: ${r.backends.map((b) => `${b.name}=${b.available ? 'yes' : 'no'}`).join(' ')}; ${r.options.quick ? 'QUICK run' : 'full run'}` +
      `${r.options.filter !== null ? `, filter ${JSON.stringify(r.options.filter)}` : ''}; ${r.date}`,
    '',
    line(head),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.map(line),
    '',
    `x vs baseline = baseline ns/${r.unit} / case ns/${r.unit} in the same run (> 1: faster); * marks the baseline; times are medians of benchmark.js samples.`,
    `others = CPU used by other processes while the case ran, % of the whole machine; ! marks > ${CONTENDED_PERCENT}% ` +
      `(such cases are timed twice and the quieter timing kept)` +
      (contended > 0 ? ` (${contended} case(s) ran on a busy machine: treat their numbers as upper bounds)` : ''),
  ];
  for (const s of r.skipped) out.push(`skipped ${s.group}/${s.name}: ${s.reason}`);
  return out.join('\n');
}

export function resultsPath(suite: string, partial: boolean): string {
  return join(projectRoot(), 'bench', 'results', partial ? `${suite}.partial.json` : `${suite}.json`);
}

/** Contended-case count of an existing full result, or null when there is none (or it is unreadable). */
function committedContended(path: string): number | null {
  if (!existsSync(path)) return null;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<SuiteResult>;
    return Array.isArray(r.contendedCases) ? r.contendedCases.length : null;
  } catch {
    return null;
  }
}

/** Verifies, times and reports one suite; returns its result (also written to disk). */
export async function runSuite(mod: SuiteModule, opts: HarnessOptions): Promise<SuiteResult | undefined> {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const spec = await mod.build(opts);
  checkSpec(spec);
  const cases = selectCases(spec, opts.filter);
  if (cases.length === 0) {
    console.log(`suite ${spec.name}: no case matches --filter ${JSON.stringify(opts.filter)}; skipped`);
    return undefined;
  }

  // Correctness before speed: every selected case checks its output once, before any timing.
  for (const c of cases) {
    if (!c.verify) continue;
    process.stdout.write(`[${spec.name}] verify ${c.group}/${c.name} ... `);
    c.verify();
    process.stdout.write('ok\n');
  }

  const results: CaseResult[] = [];
  const timeOne = async (c: BenchCase, label: string): Promise<CaseResult> => {
    process.stdout.write(`[${spec.name}] ${label} ${c.group}/${c.name} ... `);
    const r = await timeCase(c, opts);
    const busy = r.othersCpuPercent === null ? '' : `, others used ${r.othersCpuPercent}% of the machine`;
    process.stdout.write(`${fmt(r.nsPerItem)} ns/${spec.unit} (${r.samples} samples${busy})\n`);
    return r;
  };
  for (const c of cases) results.push(await timeOne(c, 'time  '));
  // The machine is shared: time each case that ran beside a busy neighbour once more, and keep
  // the timing taken on the quieter machine (never the faster one: that would bias the result).
  // Retries stop once the suite has run RETRY_BUDGET_S, so a busy machine cannot double the run.
  for (let i = 0; i < cases.length; i++) {
    const first = results[i]!;
    if (first.othersCpuPercent === null || first.othersCpuPercent <= CONTENDED_PERCENT) continue;
    if ((performance.now() - t0) / 1e3 > RETRY_BUDGET_S) {
      console.log(`[${spec.name}] retime budget (${RETRY_BUDGET_S} s) spent: ${c_name(cases[i]!)} keeps its busy-machine timing`);
      continue;
    }
    const again = await timeOne(cases[i]!, 'retime');
    const keep = again.othersCpuPercent! < first.othersCpuPercent ? again : first;
    results[i] = { ...keep, attempts: 2 };
  }

  const result: SuiteResult = {
    suite: spec.name,
    description: spec.description,
    date: new Date().toISOString(),
    unit: spec.unit,
    options: { quick: opts.quick, filter: opts.filter ?? null, minSamples: opts.minSamples, maxTime: opts.maxTime },
    machine: machineInfo(),
    git: gitInfo(),
    backends: backendStatus().map((b) => ({
      name: b.name,
      available: b.available,
      detail: b.detail,
      ...(b.device !== undefined ? { device: b.device } : {}),
    })),
    params: spec.params,
    cases: results,
    ratios: ratiosOf(results),
    contendedCases: results.filter((c) => c.othersCpuPercent !== null && c.othersCpuPercent > CONTENDED_PERCENT).map(c_name),
    skipped: spec.skipped,
    wallSeconds: (performance.now() - t0) / 1e3,
    loadAverage: { start: loadStart, end: os.loadavg() },
  };

  // A quick or filtered run never overwrites the committed full result, and neither does a full
  // run taken on a busier machine than the committed one (more contended cases).
  let partial = opts.quick || opts.filter !== undefined;
  let why = partial ? 'partial run' : '';
  if (!partial && result.contendedCases.length > 0) {
    const committed = committedContended(resultsPath(spec.name, false));
    if (committed !== null && committed < result.contendedCases.length) {
      partial = true;
      why = `${result.contendedCases.length} case(s) ran on a busy machine vs ${committed} in the committed result`;
    }
  }
  const path = resultsPath(spec.name, partial);
  mkdirSync(join(projectRoot(), 'bench', 'results'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);

  console.log('');
  console.log(formatTable(result));
  console.log(`wrote ${path}${partial ? ` (${why}: the committed full result is untouched)` : ''}`);
  console.log('');
  return result;
}
