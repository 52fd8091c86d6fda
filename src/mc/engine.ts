/**
 * The Monte Carlo scenario engine: `runMonteCarlo(config, {signal, onProgress})`.
 *
 * 1. Validate the config (errors name the field) and pack the model (models.ts).
 * 2. Pilot: the first min(paths, 20000) paths of the same seed fix the histogram range
 *    ([min - span/2, max + span/2]) before the main run, so the range is deterministic.
 * 3. Main run in path chunks (each chunk one mc.simulate call on one thread, in a pool worker
 *    or inline), merged strictly in chunk order with at most `window` chunk accumulators alive:
 *    memory does not grow with the path count (1e9 paths run in ~1000 chunks of 2^20).
 *    The chunk size depends only on the path count, so the result is the same bits for any
 *    worker count; backends agree within float rounding (counts exactly).
 * 4. Statistics from the merged accumulator (stats.ts).
 */
import { availableParallelism } from 'node:os';
import { ComputePool } from '../compute/pool.js';
import { resolveBackend, type BackendName } from '../compute/backend.js';
import { runOp } from '../compute/run.js';
import { philoxKey } from '../compute/ops/philox.js';
import { describeValue } from '../errors.js';
import { ACC, accLength, mergeInto, specArray, MAX_BINS } from './accumulator.js';
import { mcSimulateOp, type McSimulateArgs } from './op.js';
import { packModel, type ModelSpec, type PackedModel } from './models.js';
import { prepareModel } from './model-params.js';
import { pathKey, simulatePath } from './reference.js';
import { drawdownHistogram, drawdownMoments, histQuantile, riskAtLevels, valueHistogram, valueMoments, type Moments4 } from './stats.js';

export interface McConfig {
  model: ModelSpec;
  paths: number;
  steps: number;
  /** Years simulated (dt = horizon / steps); default 1. Unused by garch and the bootstraps (per-step models). */
  horizon?: number;
  seed?: number | bigint;
  /** First global path index (to split one scenario set across runs); default 0. */
  pathOffset?: number;
  /** VaR/CVaR confidence levels; default [0.95, 0.99]. */
  levels?: number[];
  /** Quantiles of the terminal value reported; default [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]. */
  quantiles?: number[];
  /** Histogram bins of the terminal value (default 4096) and drawdown (default 1024). */
  bins?: number;
  ddBins?: number;
  /** Histogram range; default from the pilot. Give it to merge separate runs' accumulators. */
  histLo?: number;
  histHi?: number;
  /** Barrier level on the monitored value (down if below the start value, else up). */
  barrier?: number;
  /** Ruin: a loss of at least this amount (start value - value) at any step. */
  lossThreshold?: number;
  /** Strike of a European call on the terminal value, priced with `rate`. */
  strike?: number;
  /** Continuous discount rate for the call price; default 0. */
  rate?: number;
  /** Paths per chunk; default clamp(ceil(paths / 64), 4096, 2^20). */
  chunkPaths?: number;
  /** Pilot paths; default min(paths, 20000). */
  pilotPaths?: number;
  /** Full paths (values at t = 0..steps) to return for plotting; default 0, at most 1000. */
  samplePaths?: number;
  backend?: BackendName | 'auto';
}

export interface McRunOptions {
  signal?: AbortSignal;
  /** Called as chunks are merged: (paths done, paths total). */
  onProgress?: (done: number, total: number) => void;
  /** Run chunks on this pool (not destroyed here). */
  pool?: ComputePool;
  /** Worker threads of a pool created for this run; default the core count. */
  workers?: number;
  /** Run chunks on the calling thread (default for small runs: paths * steps <= 2e7, and without a pool). */
  inline?: boolean;
}

export interface McResult {
  model: string;
  backend: BackendName;
  paths: number;
  steps: number;
  dt: number;
  horizon: number;
  seed: string;
  pathOffset: number;
  /** Start value (price, or portfolio value). */
  v0: number;
  mean: number;
  stdev: number;
  stderr: number;
  variance: number;
  skew: number;
  kurtosis: number;
  min: number;
  max: number;
  /** P&L = terminal value - v0. */
  pnlMean: number;
  quantiles: Record<string, number>;
  /** Losses as positive numbers, by level. */
  var: Record<string, number>;
  cvar: Record<string, number>;
  drawdown: { mean: number; stdev: number; max: number; quantiles: Record<string, number> };
  barrier: { level: number; direction: 'down' | 'up'; probability: number; stderr: number } | null;
  ruin: { lossThreshold: number; level: number; probability: number; stderr: number } | null;
  call: { strike: number; rate: number; price: number; stderr: number } | null;
  histogram: { bins: number; lo: number; hi: number; underflow: number; overflow: number };
  chunks: number;
  chunkPaths: number;
  pilotPaths: number;
  /** Most chunk accumulators alive at once (bounded by the merge window). */
  maxBufferedChunks: number;
  warnings: string[];
  elapsedMs: number;
  /** The merged accumulator (mergeable with another run of the same histogram configuration). */
  accumulator: Float64Array;
  samples?: { paths: number; steps: number; dt: number; values: Float64Array };
}

const DEFAULT_LEVELS = [0.95, 0.99];
const DEFAULT_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

function positiveInt(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number') throw new TypeError(`mc: ${name} must be a number, got ${describeValue(v)}`);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`mc: ${name} must be an integer in [1, ${max}], got ${describeValue(v)}`);
  return v;
}

function optionalFinite(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new TypeError(`mc: ${name} must be a number, got ${describeValue(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`mc: ${name} must be finite, got ${describeValue(v)}`);
  return v;
}

function probabilities(name: string, v: unknown, open: boolean): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new TypeError(`mc: ${name} must be a non-empty array of numbers, got ${describeValue(v)}`);
  return v.map((x: unknown, i) => {
    if (typeof x !== 'number' || !(open ? x > 0 && x < 1 : x >= 0 && x <= 1)) {
      throw new RangeError(`mc: ${name}[${i}] must be in ${open ? '(0, 1)' : '[0, 1]'}, got ${describeValue(x)}`);
    }
    return x;
  });
}

export interface ValidatedConfig {
  packed: PackedModel;
  paths: number;
  steps: number;
  horizon: number;
  dt: number;
  key: Uint32Array;
  seed: string;
  pathOffset: number;
  levels: number[];
  quantiles: number[];
  bins: number;
  ddBins: number;
  barrier: number;
  lossThreshold: number;
  strike: number;
  rate: number;
  chunkPaths: number;
  pilotPaths: number;
  samplePaths: number;
  histLo?: number;
  histHi?: number;
}

/** Validates a config; every error names the field. */
export function validateConfig(c: McConfig): ValidatedConfig {
  if (typeof c !== 'object' || c === null) throw new TypeError(`mc: config must be an object, got ${describeValue(c)}`);
  const packed = packModel(c.model);
  const paths = positiveInt('paths', c.paths, 2 ** 40);
  const steps = positiveInt('steps', c.steps, 2 ** 31);
  const horizon = optionalFinite('horizon', c.horizon) ?? 1;
  if (!(horizon > 0)) throw new RangeError(`mc: horizon must be > 0 (years), got ${horizon}`);
  const seed = c.seed ?? 0;
  let key: Uint32Array;
  try {
    key = philoxKey(seed);
  } catch (e) {
    throw new (e instanceof TypeError ? TypeError : RangeError)(`mc: ${(e as Error).message}`);
  }
  const pathOffset = c.pathOffset ?? 0;
  if (!Number.isSafeInteger(pathOffset) || pathOffset < 0 || pathOffset + paths > 2 ** 53) throw new RangeError(`mc: pathOffset must be an integer >= 0 with pathOffset + paths <= 2^53, got ${describeValue(pathOffset)}`);
  const levels = c.levels === undefined ? DEFAULT_LEVELS : probabilities('levels', c.levels, true);
  const quantiles = c.quantiles === undefined ? DEFAULT_QUANTILES : probabilities('quantiles', c.quantiles, false);
  const bins = c.bins === undefined ? 4096 : positiveInt('bins', c.bins, MAX_BINS);
  const ddBins = c.ddBins === undefined ? 1024 : positiveInt('ddBins', c.ddBins, MAX_BINS);
  const histLo = optionalFinite('histLo', c.histLo), histHi = optionalFinite('histHi', c.histHi);
  if ((histLo === undefined) !== (histHi === undefined)) throw new RangeError('mc: give both histLo and histHi, or neither');
  if (histLo !== undefined && !(histHi! > histLo)) throw new RangeError(`mc: histHi must be > histLo, got ${histLo} .. ${histHi}`);
  const barrier = optionalFinite('barrier', c.barrier) ?? NaN;
  const lossThreshold = optionalFinite('lossThreshold', c.lossThreshold) ?? NaN;
  if (!Number.isNaN(lossThreshold) && !(lossThreshold > 0)) throw new RangeError(`mc: lossThreshold must be > 0 (a loss amount), got ${lossThreshold}`);
  const strike = optionalFinite('strike', c.strike) ?? NaN;
  const rate = optionalFinite('rate', c.rate) ?? 0;
  const chunkPaths = c.chunkPaths === undefined ? Math.min(2 ** 20, Math.max(4096, Math.ceil(paths / 64))) : positiveInt('chunkPaths', c.chunkPaths, 2 ** 30);
  const pilotPaths = c.pilotPaths === undefined ? Math.min(paths, 20000) : positiveInt('pilotPaths', c.pilotPaths, 2 ** 30);
  const samplePaths = c.samplePaths === undefined || c.samplePaths === 0 ? 0 : positiveInt('samplePaths', c.samplePaths, 1000);
  const dt = horizon / steps;
  // The op's own rules (e.g. merton lambda * dt <= 16), phrased for the user.
  prepareModel('mc', packed.id, packed.params, packed.data, dt);
  return {
    packed, paths, steps, horizon, dt, key, seed: String(seed), pathOffset, levels, quantiles, bins, ddBins, barrier, lossThreshold,
    strike, rate, chunkPaths, pilotPaths, samplePaths, ...(histLo !== undefined ? { histLo, histHi } : {}),
  };
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r;
  const e = new Error('Monte Carlo run was cancelled');
  e.name = 'AbortError';
  return e;
}

const fmtKey = (x: number): string => String(x);

/** Runs a Monte Carlo simulation and summarizes it. */
export async function runMonteCarlo(config: McConfig, opts: McRunOptions = {}): Promise<McResult> {
  const t0 = performance.now();
  const v = validateConfig(config);
  const backend = resolveBackend(config.backend);
  const { packed } = v;
  const signal = opts.signal;
  if (signal?.aborted) throw abortError(signal);

  const argsFor = (pathOffset: number, paths: number, spec: Float64Array): McSimulateArgs => ({
    model: packed.id, params: packed.params, data: packed.data, key: v.key, pathOffset, paths, steps: v.steps, dt: v.dt, spec,
  });

  // Pilot: fixes the histogram range from the first paths of the same seed.
  let lo = v.histLo, hi = v.histHi, ddHi = 1;
  const pilotPaths = Math.min(v.pilotPaths, v.paths);
  const pilotSpec = Float64Array.of(1, 0, 1, 1, 1, NaN, NaN, NaN);
  const pilot = runOp(mcSimulateOp, argsFor(v.pathOffset, pilotPaths, pilotSpec), { backend, threads: 1 });
  if (lo === undefined) {
    const mn = pilot[ACC.min]!, mx = pilot[ACC.max]!;
    const span = mx > mn ? mx - mn : Math.max(Math.abs(mx), 1) * 1e-3;
    lo = mn - span / 2;
    hi = mx + span / 2;
  }
  if (pilot[ACC.ddMax]! >= 0.5) ddHi = Math.max(1, pilot[ACC.ddMax]! * 1.5);
  const ruinLevel = Number.isNaN(v.lossThreshold) ? NaN : packed.v0 - v.lossThreshold;
  const spec = specArray({ bins: v.bins, lo: lo!, hi: hi!, ddBins: v.ddBins, ddHi, barrier: v.barrier, ruinLevel, strike: v.strike });
  if (signal?.aborted) throw abortError(signal);

  // Main run: chunks merged in order, at most `window` accumulators alive.
  const nChunks = Math.ceil(v.paths / v.chunkPaths);
  const inline = opts.inline ?? (opts.pool === undefined && v.paths * v.steps <= 2e7);
  let pool = opts.pool;
  const ownPool = !inline && pool === undefined;
  if (ownPool) pool = new ComputePool({ maxThreads: opts.workers ?? availableParallelism(), backend });
  const workers = inline ? 1 : pool!.threads;
  const window = Math.max(2, 2 * workers);
  const total = new Float64Array(accLength(v.bins, v.ddBins));
  let merged = 0, mergedPaths = 0, maxBuffered = 0;
  const pending = new Map<number, Float64Array>();
  const chunkArgs = (i: number): McSimulateArgs => {
    const from = i * v.chunkPaths;
    return argsFor(v.pathOffset + from, Math.min(v.chunkPaths, v.paths - from), spec);
  };
  const mergeReady = (): void => {
    while (pending.has(merged)) {
      const acc = pending.get(merged)!;
      pending.delete(merged);
      if (merged === 0) total.set(acc);
      else mergeInto(total, acc);
      mergedPaths += acc[ACC.count]!;
      merged++;
      opts.onProgress?.(mergedPaths, v.paths);
    }
  };
  try {
    if (inline) {
      for (let i = 0; i < nChunks; i++) {
        if (signal?.aborted) throw abortError(signal);
        pending.set(i, runOp(mcSimulateOp, chunkArgs(i), { backend, threads: 1 }));
        maxBuffered = Math.max(maxBuffered, pending.size);
        mergeReady();
        if (i + 1 < nChunks) await new Promise((r) => setImmediate(r)); // lets progress/abort through
      }
    } else {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await new Promise<void>((resolve, reject) => {
          let launched = 0, running = 0, failed = false;
          const launch = (): void => {
            while (!failed && launched < nChunks && running < workers && launched - merged < window) {
              const i = launched++;
              running++;
              pool!.run<Float64Array>(mcSimulateOp.name, chunkArgs(i), { signal: controller.signal, backend }).then(
                (acc) => {
                  running--;
                  pending.set(i, acc);
                  maxBuffered = Math.max(maxBuffered, pending.size);
                  mergeReady();
                  if (merged === nChunks) resolve();
                  else launch();
                },
                (e: unknown) => {
                  if (failed) return;
                  failed = true;
                  controller.abort(e);
                  reject(signal?.aborted ? abortError(signal) : e);
                },
              );
            }
          };
          launch();
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }
  } finally {
    if (ownPool) await pool!.destroy();
  }

  const result = summarize(total, v, backend, packed);
  result.chunks = nChunks;
  result.chunkPaths = v.chunkPaths;
  result.pilotPaths = pilotPaths;
  result.maxBufferedChunks = maxBuffered;
  if (v.samplePaths > 0) result.samples = samplePaths(v, Math.min(v.samplePaths, v.paths));
  result.elapsedMs = performance.now() - t0;
  return result;
}

/** Statistics of an accumulator under a validated config. */
export function summarize(acc: Float64Array, v: ValidatedConfig, backend: BackendName, packed: PackedModel): McResult {
  const m: Moments4 = valueMoments(acc);
  const n = acc[ACC.count]!;
  const h = valueHistogram(acc);
  const quantiles: Record<string, number> = {};
  for (const q of v.quantiles) quantiles[fmtKey(q)] = histQuantile(h, q);
  const risk = riskAtLevels(acc, v.levels);
  const varBy: Record<string, number> = {}, cvarBy: Record<string, number> = {};
  for (const r of risk) {
    varBy[fmtKey(r.level)] = r.var;
    cvarBy[fmtKey(r.level)] = r.cvar;
  }
  const dm = drawdownMoments(acc), dh = drawdownHistogram(acc);
  const ddq: Record<string, number> = {};
  for (const q of [0.5, 0.9, 0.95, 0.99]) ddq[fmtKey(q)] = histQuantile(dh, q);
  const prob = (hits: number): { probability: number; stderr: number } => {
    const p = hits / n;
    return { probability: p, stderr: Math.sqrt((p * (1 - p)) / n) };
  };
  const disc = Math.exp(-v.rate * v.horizon);
  return {
    model: packed.name,
    backend,
    paths: n,
    steps: v.steps,
    dt: v.dt,
    horizon: v.horizon,
    seed: v.seed,
    pathOffset: v.pathOffset,
    v0: packed.v0,
    mean: m.mean,
    stdev: m.stdev,
    stderr: m.stderr,
    variance: m.variance,
    skew: m.skew,
    kurtosis: m.kurtosis,
    min: m.min,
    max: m.max,
    pnlMean: m.mean - packed.v0,
    quantiles,
    var: varBy,
    cvar: cvarBy,
    drawdown: { mean: dm.mean, stdev: dm.stdev, max: dm.max, quantiles: ddq },
    barrier: Number.isNaN(v.barrier) ? null : { level: v.barrier, direction: v.barrier <= packed.v0 ? 'down' : 'up', ...prob(acc[ACC.barrierHits]!) },
    ruin: Number.isNaN(v.lossThreshold) ? null : { lossThreshold: v.lossThreshold, level: packed.v0 - v.lossThreshold, ...prob(acc[ACC.ruinHits]!) },
    call: Number.isNaN(v.strike) ? null : {
      strike: v.strike, rate: v.rate, price: disc * acc[ACC.payMean]!,
      stderr: n > 1 ? disc * Math.sqrt(acc[ACC.payM2]! / (n - 1) / n) : NaN,
    },
    histogram: { bins: acc[ACC.bins]!, lo: acc[ACC.lo]!, hi: acc[ACC.hi]!, underflow: acc[ACC.underN]!, overflow: acc[ACC.overN]! },
    chunks: 0,
    chunkPaths: v.chunkPaths,
    pilotPaths: 0,
    maxBufferedChunks: 0,
    warnings: [...packed.warnings],
    elapsedMs: 0,
    accumulator: acc,
  };
}

/** The first `count` paths in full (values at t = 0..steps), from the reference simulator: the same scenarios as the run. */
export function samplePaths(v: ValidatedConfig, count: number): { paths: number; steps: number; dt: number; values: Float64Array } {
  const m = prepareModel('mc', v.packed.id, v.packed.params, v.packed.data, v.dt);
  const values = new Float64Array(count * (v.steps + 1));
  for (let p = 0; p < count; p++) simulatePath(m, pathKey(v.key, v.pathOffset + p), v.steps, values.subarray(p * (v.steps + 1), (p + 1) * (v.steps + 1)));
  return { paths: count, steps: v.steps, dt: v.dt, values };
}
