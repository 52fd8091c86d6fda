/**
 * `neurion train` end to end: data set -> (optional) hyperparameter search with walk-forward
 * folds -> training with early stopping -> evaluation against the baselines -> model files
 * (TF.js Layers format) + model card (card.json, card.md) in models/<name>/.
 *
 * Hyperparameter search (`search` trials, `searchMethod`):
 *   random  every trial drawn uniformly (Philox keyed by (seed, trial, draw)): units, batch size
 *           and clip norm from their lists, learning rate log-uniform in [3e-4, 3e-3).
 *   tpe     (default) Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio, Kegl 2011,
 *           "Algorithms for hyper-parameter optimization"): the first `startup` trials are the
 *           random search's trials; after that the completed trials are split at the gamma
 *           quantile of their score (mean walk-forward log-loss) into good and bad, a Parzen
 *           estimator is fitted to each per parameter (l(x) from the good, g(x) from the bad):
 *           floats as mixtures of truncated Gaussians in the unit coordinate (log scale for the
 *           learning rate) with hyperopt's adaptive bandwidths and a broad prior component,
 *           list parameters as categorical distributions with prior (pseudo-count) smoothing; per
 *           parameter `candidates` values are drawn from l and the one maximising l(x) / g(x)
 *           is tried. Every draw is Philox keyed by (seed, trial, candidate, parameter): the same
 *           seed gives the same trials (`tpeSuggest`).
 * Each trial is scored by walk-forward validation (`walkForwardFolds`) with the same trainer
 * (`fit`), so it runs on the training backend chosen for the run (`backend`, else
 * NEURION_BACKEND / --backend, resolved by `trainingBackend`).
 *
 * Also the live side: `loadTrainedModel(dir)` and `liveSignal(...)` turn the latest bars of a
 * symbol into UP / FLAT / DOWN probabilities with the card's features and normalisation.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { philoxBlock, philoxKey } from '../../compute/ops/philox.js';
import { availableBackends, type BackendName } from '../../compute/backend.js';
import type { Bars } from '../../data/index.js';
import { buildModel, countParams, type Model } from '../layers.js';
import { predict } from '../index.js';
import { loadModel, saveModel } from '../tfjs-format.js';
import { buildDataset, CLASS_NAMES, computeFeatures, DEFAULT_LABELS, FEATURE_LOOKBACK, FEATURE_NAMES, normaliseRow, type Dataset, type LabelConfig, type Split } from './dataset.js';
import { classMetrics, fitLogistic, lastStep, majorityBaseline, predictLogistic, type ClassMetrics } from './metrics.js';
import { evaluate, fit, type EpochLog, type WindowSet } from './trainer.js';
import { trainingBackend } from './grad.js';
import { normCdf, normInv } from '../../risk/distributions.js';

export interface Hyper {
  model: 'lstm' | 'gru';
  units: number;
  learningRate: number;
  batchSize: number;
  clipNorm: number;
  /** Input dropout rate of the Dense head (a Dropout layer before it; 0: none). Not searched. */
  dropout: number;
}

export type SearchMethod = 'tpe' | 'random';
export const SEARCH_METHODS: readonly SearchMethod[] = ['tpe', 'random'];

export interface TrainPipelineOptions {
  symbols: string[];
  model: 'lstm' | 'gru';
  units: number;
  steps: number;
  epochs: number;
  seed: number;
  out: string;
  name?: string;
  learningRate?: number;
  batchSize?: number;
  clipNorm?: number;
  patience?: number;
  labels?: LabelConfig;
  /** Input dropout rate before the Dense head, in [0, 1) (default 0: no Dropout layer). */
  dropout?: number;
  /** Hyperparameter-search trials (0: none). */
  search?: number;
  /** 'tpe' (default) or 'random'. */
  searchMethod?: SearchMethod;
  /** TPE settings (defaults: `tpeDefaults(search)`). */
  tpe?: TpeOptions;
  /** Walk-forward folds for the search (default 3). */
  folds?: number;
  backend?: BackendName | 'auto';
  threads?: number;
  log?(line: string): void;
}

export interface SearchTrial {
  hyper: Hyper;
  foldLogLoss: number[];
  meanLogLoss: number;
  /** How the trial's point was chosen: a random draw (random search, TPE start-up) or TPE. */
  sampler?: 'random' | 'tpe';
}

export interface ModelCard {
  name: string;
  format: 'neurion-model-card/1';
  created: string;
  model: { kind: 'lstm' | 'gru'; layers: string; params: number; steps: number; features: number; classes: readonly string[]; files: string[] };
  data: {
    symbols: string[]; timeframe: string; source: string; splitAdjustment: string;
    spans: Dataset['spans']; samples: { train: number; val: number; test: number }; classCounts: Dataset['classCounts'];
  };
  labels: { horizon: number; k: number; definition: string };
  features: { names: readonly string[]; lookback: number; normalisation: Dataset['norm'] & { fittedOn: string } };
  hyperparameters: Hyper & { epochs: number; patience: number; optimizer: string; loss: string; seed: number };
  training: { backend: string; epochsRun: number; bestEpoch: number; stoppedEarly: boolean; seconds: number; sequencesPerSecond: number; history: EpochLog[] };
  search: { method: SearchMethod; backend: string; trials: SearchTrial[]; folds: number; tpe?: Required<TpeOptions>; note: string } | null;
  metrics: {
    val: { model: ClassMetrics; majority: ClassMetrics; logistic: ClassMetrics };
    test: { model: ClassMetrics; majority: ClassMetrics; logistic: ClassMetrics };
  };
  verdict: string;
}

export function windowSet(s: Split): WindowSet {
  return { xs: s.xs, starts: s.starts, target: s.target };
}

/**
 * The model `neurion train` builds: LSTM / GRU(units) [-> Dropout(dropout)] -> Dense(3, softmax).
 * The Dropout acts in training only (it is the Dense head's input dropout; see grad-reference.ts).
 */
export function makeModel(kind: 'lstm' | 'gru', units: number, steps: number, seed: number, name: string, dropout = 0): Model {
  return buildModel({
    name, timesteps: steps, features: FEATURE_NAMES.length, seed,
    layers: [
      kind === 'lstm' ? { kind: 'lstm', units, name: `${kind}_1` } : { kind: 'gru', units, name: `${kind}_1` },
      ...(dropout > 0 ? [{ kind: 'dropout' as const, rate: dropout, name: 'dropout_1' }] : []),
      { kind: 'dense', units: 3, activation: 'softmax', name: 'dense_1' },
    ],
  });
}

function layersText(h: Hyper): string {
  return `${h.model.toUpperCase()}(${h.units}) -> ${h.dropout > 0 ? `Dropout(${h.dropout}, training only) -> ` : ''}Dense(3, softmax)`;
}

// ---------------------------------------------------------------------------------------------
// Search spaces, random search and TPE
// ---------------------------------------------------------------------------------------------

/** A searched parameter: a float in [low, high] (log: log-uniform prior) or one of a list of values. */
export type SearchParam =
  | { name: string; kind: 'float'; low: number; high: number; log: boolean }
  | { name: string; kind: 'choice'; choices: readonly number[] };

/** One completed trial: the point (one value per parameter, in space order) and its score (lower is better). */
export interface ScoredPoint { x: readonly number[]; score: number }

export interface TpeOptions {
  /** Random trials before TPE takes over (default 10). */
  startup?: number;
  /** Fraction of the completed trials that form the good set l(x) (default 0.15, the paper's value). */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter (default 24, as hyperopt). */
  candidates?: number;
  /** Weight of the prior component / pseudo-count of each list value (default 1). */
  priorWeight?: number;
}

export const TPE_DEFAULTS: Required<TpeOptions> = { startup: 10, gamma: 0.15, candidates: 24, priorWeight: 1 };

/** TPE settings for a search of `trials` trials: start-up = a third of the budget, clamped to [3, 10]. */
export function tpeDefaults(trials: number): Required<TpeOptions> {
  return { ...TPE_DEFAULTS, startup: Math.max(3, Math.min(10, Math.ceil(trials / 3))) };
}

const TAG_RANDOM = 0x5345; // "SE": the random search's draws (unchanged since the first release)
const TAG_TPE = 0x5450;    // "TP"

/** Uniform in (0, 1) from Philox keyed by (seed, trial, draw) (the random search's stream). */
function u01(seed: number, trial: number, draw: number): number {
  const key = philoxKey(seed);
  const b = new Uint32Array(4);
  philoxBlock(trial >>> 0, draw >>> 0, TAG_RANDOM, 0, key[0]!, key[1]!, b, 0);
  return (b[0]! + 0.5) / 4294967296;
}

/** Two uniforms in (0, 1) for TPE candidate `c` of parameter `d` in `trial`. */
function tpeUniforms(seed: number, trial: number, c: number, d: number): [number, number] {
  const key = philoxKey(seed);
  const b = new Uint32Array(4);
  philoxBlock(trial >>> 0, c >>> 0, TAG_TPE, d >>> 0, key[0]!, key[1]!, b, 0);
  return [(b[0]! + 0.5) / 4294967296, (b[1]! + 0.5) / 4294967296];
}

/** float parameter -> unit coordinate in [0, 1] (log10 scale when log). */
function toUnit(p: Extract<SearchParam, { kind: 'float' }>, x: number): number {
  const u = p.log ? Math.log10(x / p.low) / Math.log10(p.high / p.low) : (x - p.low) / (p.high - p.low);
  return Math.min(1, Math.max(0, u));
}

function fromUnit(p: Extract<SearchParam, { kind: 'float' }>, u: number): number {
  return p.log ? p.low * 10 ** (u * Math.log10(p.high / p.low)) : p.low + u * (p.high - p.low);
}

function checkSpace(space: readonly SearchParam[]): void {
  if (!Array.isArray(space) || space.length === 0) throw new RangeError('search space must be a non-empty array of parameters');
  for (const p of space) {
    if (p.kind === 'float') {
      if (!(Number.isFinite(p.low) && Number.isFinite(p.high) && p.low < p.high) || (p.log && !(p.low > 0))) {
        throw new RangeError(`search parameter ${p.name}: needs finite low < high${p.log ? ' and low > 0 (log scale)' : ''}, got low ${p.low}, high ${p.high}`);
      }
    } else if (p.kind === 'choice') {
      if (!Array.isArray(p.choices) || p.choices.length === 0) throw new RangeError(`search parameter ${p.name}: choices must be a non-empty array`);
    } else {
      throw new RangeError(`search parameter ${(p as { name?: string }).name}: kind must be 'float' or 'choice', got ${JSON.stringify((p as { kind?: unknown }).kind)}`);
    }
  }
}

/** A uniform random point of `space` for (seed, trial): draw d is parameter d (the random search). */
export function randomPoint(space: readonly SearchParam[], seed: number, trial: number): number[] {
  checkSpace(space);
  return space.map((p, d) => {
    const u = u01(seed, trial, d);
    return p.kind === 'choice' ? p.choices[Math.min(p.choices.length - 1, Math.floor(u * p.choices.length))]! : fromUnit(p, u);
  });
}

/** Mixture of Gaussians truncated to [0, 1] (hyperopt's adaptive Parzen estimator with a prior component). */
interface Parzen { mu: number[]; sigma: number[]; logw: number[]; logZ: number[]; cw: number[] }

export function parzen(obs: readonly number[], priorWeight: number): Parzen {
  const priorMu = 0.5, priorSigma = 1;
  const sorted = [...obs].sort((a, b) => a - b);
  let pos = sorted.findIndex((v) => v >= priorMu);
  if (pos < 0) pos = sorted.length;
  const mu = [...sorted.slice(0, pos), priorMu, ...sorted.slice(pos)];
  const n = mu.length;
  const sigma = new Array<number>(n).fill(priorSigma);
  if (n > 1) {
    const minS = priorSigma / Math.min(100, 1 + n);
    for (let i = 0; i < n; i++) {
      const left = i > 0 ? mu[i]! - mu[i - 1]! : mu[1]! - mu[0]!;
      const right = i < n - 1 ? mu[i + 1]! - mu[i]! : mu[n - 1]! - mu[n - 2]!;
      sigma[i] = Math.min(priorSigma, Math.max(minS, Math.max(left, right)));
    }
    sigma[pos] = priorSigma;
  }
  const w = mu.map((_, i) => (i === pos ? priorWeight : 1));
  const total = w.reduce((a, b) => a + b, 0);
  const logw = w.map((v) => Math.log(v / total));
  const logZ = mu.map((m, i) => Math.log(normCdf((1 - m) / sigma[i]!) - normCdf(-m / sigma[i]!)));
  const cw: number[] = [];
  let acc = 0;
  for (const v of w) { acc += v / total; cw.push(acc); }
  return { mu, sigma, logw, logZ, cw };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function parzenLogPdf(pz: Parzen, z: number): number {
  let m = -Infinity;
  const terms = pz.mu.map((mu, i) => {
    const s = pz.sigma[i]!, e = (z - mu) / s;
    const t = pz.logw[i]! - Math.log(s) - LOG_SQRT_2PI - 0.5 * e * e - pz.logZ[i]!;
    m = Math.max(m, t);
    return t;
  });
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - m);
  return m + Math.log(sum);
}

/** One draw from the truncated mixture: u0 picks the component, u1 the inverse-CDF position. */
export function parzenSample(pz: Parzen, u0: number, u1: number): number {
  let i = pz.cw.findIndex((c) => u0 <= c);
  if (i < 0) i = pz.cw.length - 1;
  const mu = pz.mu[i]!, s = pz.sigma[i]!;
  const lo = normCdf(-mu / s), hi = normCdf((1 - mu) / s);
  const p = Math.min(1 - 1e-16, Math.max(1e-300, lo + u1 * (hi - lo)));
  return Math.min(1, Math.max(0, mu + s * normInv(p)));
}

/**
 * The next point of a TPE search (see the top comment): random (`randomPoint`) while fewer
 * than `startup` finite-scored trials are done, then per parameter the candidate from l(x) with
 * the largest l(x) / g(x). Deterministic in (space, history, seed, trial, options).
 */
export function tpeSuggest(space: readonly SearchParam[], history: readonly ScoredPoint[], seed: number, trial: number, opts: TpeOptions = {}): number[] {
  checkSpace(space);
  const o = { ...TPE_DEFAULTS, ...opts };
  if (!(Number.isInteger(o.startup) && o.startup >= 2)) throw new RangeError(`tpe: startup must be an integer >= 2, got ${o.startup}`);
  if (!(o.gamma > 0 && o.gamma < 1)) throw new RangeError(`tpe: gamma must be in (0, 1), got ${o.gamma}`);
  if (!(Number.isInteger(o.candidates) && o.candidates >= 1)) throw new RangeError(`tpe: candidates must be an integer >= 1, got ${o.candidates}`);
  if (!(o.priorWeight > 0 && Number.isFinite(o.priorWeight))) throw new RangeError(`tpe: priorWeight must be a finite number > 0, got ${o.priorWeight}`);
  const done = history.filter((h) => Number.isFinite(h.score));
  if (done.length < o.startup) return randomPoint(space, seed, trial);
  const order = done.map((_, i) => i).sort((a, b) => done[a]!.score - done[b]!.score || a - b);
  const nGood = Math.min(done.length - 1, Math.max(1, Math.ceil(o.gamma * done.length)));
  const good = order.slice(0, nGood).map((i) => done[i]!), bad = order.slice(nGood).map((i) => done[i]!);
  return space.map((p, d) => {
    let best = NaN, bestScore = -Infinity;
    if (p.kind === 'choice') {
      const K = p.choices.length;
      const dist = (set: ScoredPoint[]): number[] => {
        const c = new Array<number>(K).fill(o.priorWeight);
        for (const h of set) { const k = p.choices.indexOf(h.x[d]!); if (k >= 0) c[k]! += 1; }
        const tot = c.reduce((a, b) => a + b, 0);
        return c.map((v) => v / tot);
      };
      const l = dist(good), g = dist(bad);
      for (let c = 0; c < o.candidates; c++) {
        const [u0] = tpeUniforms(seed, trial, c, d);
        let k = 0, acc = l[0]!;
        while (k < K - 1 && u0 > acc) acc += l[++k]!;
        const score = Math.log(l[k]!) - Math.log(g[k]!);
        if (score > bestScore) { bestScore = score; best = p.choices[k]!; }
      }
      return best;
    }
    const l = parzen(good.map((h) => toUnit(p, h.x[d]!)), o.priorWeight);
    const g = parzen(bad.map((h) => toUnit(p, h.x[d]!)), o.priorWeight);
    let bestZ = 0.5;
    for (let c = 0; c < o.candidates; c++) {
      const [u0, u1] = tpeUniforms(seed, trial, c, d);
      const z = parzenSample(l, u0, u1);
      const score = parzenLogPdf(l, z) - parzenLogPdf(g, z);
      if (score > bestScore) { bestScore = score; bestZ = z; }
    }
    return fromUnit(p, bestZ);
  });
}

/** The `neurion train` search space (the random search's since the first release). */
export const HYPER_SPACE: readonly SearchParam[] = [
  { name: 'units', kind: 'choice', choices: [16, 32, 64] },
  { name: 'learningRate', kind: 'float', low: 3e-4, high: 3e-3, log: true },
  { name: 'batchSize', kind: 'choice', choices: [64, 128, 256] },
  { name: 'clipNorm', kind: 'choice', choices: [0.5, 1, 5] },
];

function hyperFromPoint(model: 'lstm' | 'gru', x: readonly number[], dropout: number): Hyper {
  return { model, units: x[0]!, learningRate: Number(x[1]!.toPrecision(3)), batchSize: x[2]!, clipNorm: x[3]!, dropout };
}

function pointFromHyper(h: Hyper): number[] {
  return [h.units, h.learningRate, h.batchSize, h.clipNorm];
}

/** Random-search trial `trial`: units, batch size, clip norm from their lists, learning rate log-uniform in [3e-4, 3e-3). */
export function sampleHyper(model: 'lstm' | 'gru', seed: number, trial: number, dropout = 0): Hyper {
  return hyperFromPoint(model, randomPoint(HYPER_SPACE, seed, trial), dropout);
}

/**
 * Walk-forward folds inside the training span: the training samples sorted by time are cut
 * into folds + 1 equal blocks; fold k trains on blocks 0..k and validates on block k + 1,
 * dropping validation windows whose first bar is not after the fold-training labels' last bar.
 */
export function walkForwardFolds(ds: Dataset, folds: number): Array<{ train: Int32Array; val: Int32Array }> {
  const tr = ds.train;
  const order = Array.from({ length: tr.starts.length }, (_, i) => i).sort((a, b) => tr.time[a]! - tr.time[b]! || a - b);
  const block = Math.floor(order.length / (folds + 1));
  const H = ds.labels.horizon, T = ds.steps, L = ds.lookback;
  const out: Array<{ train: Int32Array; val: Int32Array }> = [];
  for (let k = 0; k < folds; k++) {
    const trainIdx = order.slice(0, block * (k + 1));
    const lastUsed = Math.max(...trainIdx.map((i) => ds.series[tr.symbol[i]!]!.time[Math.min(ds.series[tr.symbol[i]!]!.time.length - 1, tr.bar[i]! + H)]!));
    const valIdx = order.slice(block * (k + 1), k === folds - 1 ? order.length : block * (k + 2))
      .filter((i) => ds.series[tr.symbol[i]!]!.time[tr.bar[i]! - T + 1 - L]! > lastUsed);
    out.push({ train: Int32Array.from(trainIdx), val: Int32Array.from(valIdx) });
  }
  return out;
}

function pickSet(s: Split, idx: Int32Array): WindowSet {
  return { xs: s.xs, starts: Int32Array.from(idx, (i) => s.starts[i]!), target: Float64Array.from(idx, (i) => s.target[i]!) };
}

/** The search method of a run: `searchMethod`, default 'tpe'. */
export function searchMethod(o: { searchMethod?: SearchMethod }): SearchMethod {
  const m = o.searchMethod ?? 'tpe';
  if (!SEARCH_METHODS.includes(m)) throw new RangeError(`searchMethod must be one of ${SEARCH_METHODS.join(', ')}, got ${JSON.stringify(m)}`);
  return m;
}

export function runSearch(ds: Dataset, o: TrainPipelineOptions): SearchTrial[] {
  const folds = walkForwardFolds(ds, o.folds ?? 3);
  const method = searchMethod(o);
  const n = o.search ?? 0;
  const tpe = { ...tpeDefaults(n), ...o.tpe };
  const dropout = o.dropout ?? 0;
  const trials: SearchTrial[] = [];
  for (let trial = 0; trial < n; trial++) {
    const history = trials.map((t) => ({ x: pointFromHyper(t.hyper), score: t.meanLogLoss }));
    const useTpe = method === 'tpe' && history.filter((h) => Number.isFinite(h.score)).length >= tpe.startup;
    const hyper = useTpe ? hyperFromPoint(o.model, tpeSuggest(HYPER_SPACE, history, o.seed, trial, tpe), dropout) : sampleHyper(o.model, o.seed, trial, dropout);
    const foldLogLoss: number[] = [];
    for (const f of folds) {
      const model = makeModel(hyper.model, hyper.units, ds.steps, o.seed + trial, 'search', hyper.dropout);
      const val = pickSet(ds.train, f.val);
      fit(model, pickSet(ds.train, f.train), {
        loss: 'crossentropy', timesteps: ds.steps, epochs: Math.min(o.epochs, 8), batchSize: hyper.batchSize,
        optimizer: { kind: 'adam', learningRate: hyper.learningRate }, clipNorm: hyper.clipNorm, seed: o.seed, patience: 2, val,
        backend: o.backend, threads: o.threads,
      });
      const ev = evaluate(model, val, { loss: 'crossentropy', timesteps: ds.steps, backend: o.backend, threads: o.threads });
      foldLogLoss.push(ev.loss);
    }
    const meanLogLoss = foldLogLoss.reduce((a, b) => a + b, 0) / foldLogLoss.length;
    trials.push({ hyper, foldLogLoss, meanLogLoss, sampler: useTpe ? 'tpe' : 'random' });
    o.log?.(`search trial ${trial + 1}/${o.search} (${useTpe ? 'tpe' : 'random'}): ${JSON.stringify(hyper)} walk-forward log-loss ${meanLogLoss.toFixed(4)} (${foldLogLoss.map((v) => v.toFixed(4)).join(', ')})`);
  }
  return trials;
}

function fmt(m: ClassMetrics): string {
  return `${(100 * m.accuracy).toFixed(1)}% | ${m.logLoss.toFixed(4)} | ${m.brier.toFixed(4)} | ${m.ece.toFixed(4)}`;
}

function verdict(c: ModelCard['metrics']): string {
  const t = c.test, v = c.val;
  const parts: string[] = [];
  const cmp = (what: string, m: ClassMetrics, b: ClassMetrics): string =>
    `${what}: log-loss ${m.logLoss.toFixed(4)} vs ${b.logLoss.toFixed(4)} (${m.logLoss < b.logLoss ? 'better' : 'NOT better'}), accuracy ${(100 * m.accuracy).toFixed(1)}% vs ${(100 * b.accuracy).toFixed(1)}% (${m.accuracy > b.accuracy ? 'better' : 'NOT better'})`;
  parts.push(`Test span, model vs majority-class baseline — ${cmp('test', t.model, t.majority)}.`);
  parts.push(`Test span, model vs logistic regression — ${cmp('test', t.model, t.logistic)}.`);
  parts.push(`Validation span (used for early stopping, so optimistic): log-loss ${v.model.logLoss.toFixed(4)} vs majority ${v.majority.logLoss.toFixed(4)} and logistic ${v.logistic.logLoss.toFixed(4)}.`);
  const beatsAll = t.model.logLoss < t.majority.logLoss && t.model.logLoss < t.logistic.logLoss;
  parts.push(beatsAll
    ? 'On this daily data the model beats both baselines on test log-loss; the margin is small and a single chronological split is weak evidence — treat the signal as marginal.'
    : 'On this daily data the model does NOT beat every baseline on test log-loss: daily direction over a 5-bar horizon is close to unpredictable from these features, and the card says so. Use it as a demonstration of the pipeline, not as an edge.');
  return parts.join(' ');
}

function searchText(s: NonNullable<ModelCard['search']>): string {
  const method = s.method ?? 'random';
  if (method === 'random') return `${s.trials.length} random-search trials${s.backend ? ` on the ${s.backend} backend` : ''}`;
  const t = s.tpe;
  const tpeTrials = s.trials.filter((x) => x.sampler === 'tpe').length;
  return `${s.trials.length} trials of TPE (Tree-structured Parzen Estimator)${t ? `: ${s.trials.length - tpeTrials} random start-up trials, then ${tpeTrials} chosen by l(x)/g(x) with gamma ${t.gamma}, ${t.candidates} candidates, prior weight ${t.priorWeight}` : ''}${s.backend ? `, on the ${s.backend} backend` : ''}`;
}

export function cardMarkdown(c: ModelCard): string {
  const h = c.hyperparameters;
  const rows = (span: 'val' | 'test'): string => [
    `| model (${c.model.layers}) | ${fmt(c.metrics[span].model)} |`,
    `| majority class (train frequencies) | ${fmt(c.metrics[span].majority)} |`,
    `| logistic regression (last step) | ${fmt(c.metrics[span].logistic)} |`,
  ].join('\n');
  return `# Model card: ${c.name}

Generated by \`neurion train\` on ${c.created}. All numbers below were measured, not chosen.

## Model
- ${c.model.layers}; ${c.model.params} parameters; input ${c.model.steps} steps x ${c.model.features} features; output P(${c.model.classes.join(', ')})
- Files: ${c.model.files.join(', ')} (TF.js Layers format: \`loadModel\` in Neurion, \`tf.loadLayersModel\` in TF.js)

## Data
- Symbols: ${c.data.symbols.join(', ')} (${c.data.timeframe}), ${c.data.source}
- ${c.data.splitAdjustment}
- Train decisions ${c.data.spans.train[0]} .. ${c.data.spans.train[1]} (${c.data.samples.train} windows), validation ${c.data.spans.val[0]} .. ${c.data.spans.val[1]} (${c.data.samples.val}), test ${c.data.spans.test[0]} .. ${c.data.spans.test[1]} (${c.data.samples.test})
- Embargo: no training window's features or label reach into the validation span (and likewise validation -> test); smallest gap between spans: ${c.data.spans.minEmbargoBars} bars
- Class counts (DOWN, FLAT, UP): train ${c.data.classCounts.train.join(', ')}; val ${c.data.classCounts.val.join(', ')}; test ${c.data.classCounts.test.join(', ')}

## Labels
${c.labels.definition}

## Features
${c.features.names.join(', ')} (longest lookback ${c.features.lookback} bars; z-scored with mean/std ${c.features.normalisation.fittedOn}, clipped to +-${c.features.normalisation.clip})

## Hyperparameters
units ${h.units}, steps ${c.model.steps}, ${h.optimizer} lr ${h.learningRate}, batch ${h.batchSize}, clip global norm ${h.clipNorm}, dropout ${(h.dropout ?? 0) > 0 ? `${h.dropout} before the Dense head (training steps only, Keras semantics; a fresh Philox mask per step keyed by the seed and the step)` : 'none'}, epochs <= ${h.epochs}, early stopping patience ${h.patience} on validation loss (best weights restored), loss ${h.loss}, seed ${h.seed}
${c.search ? `\nHyperparameter search: ${searchText(c.search)}, ${c.search.folds} walk-forward folds inside the training span (${c.search.note}). Best mean fold log-loss ${Math.min(...c.search.trials.map((t) => t.meanLogLoss)).toFixed(4)}.\n` : ''}
## Training
backend ${c.training.backend}; ${c.training.epochsRun} epochs (best ${c.training.bestEpoch}${c.training.stoppedEarly ? ', stopped early' : ''}); ${c.training.seconds.toFixed(1)} s; ${c.training.sequencesPerSecond.toFixed(0)} sequences/s

## Results (accuracy | log-loss | Brier | calibration error (ECE, 10 bins))

Validation:

| predictor | metrics |
|---|---|
${rows('val')}

Test (never used for any choice):

| predictor | metrics |
|---|---|
${rows('test')}

## Verdict
${c.verdict}
`;
}

export interface PipelineResult { card: ModelCard; model: Model; dataset: Dataset }

export function trainPipeline(o: TrainPipelineOptions): PipelineResult {
  const log = o.log ?? (() => {});
  const labels = o.labels ?? DEFAULT_LABELS;
  const ds = buildDataset({ symbols: o.symbols, steps: o.steps, labels });
  log(`dataset: ${ds.train.starts.length} train / ${ds.val.starts.length} val / ${ds.test.starts.length} test windows; spans ${JSON.stringify(ds.spans)}`);
  const dropout = o.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new RangeError(`trainPipeline: dropout must be a rate in [0, 1), got ${String(dropout)}`);
  const method = searchMethod(o);
  let hyper: Hyper = { model: o.model, units: o.units, learningRate: o.learningRate ?? 1e-3, batchSize: o.batchSize ?? 128, clipNorm: o.clipNorm ?? 1, dropout };
  let trials: SearchTrial[] = [];
  if ((o.search ?? 0) > 0) {
    log(`search: ${o.search} trials, method ${method}, training backend ${trainingBackend(o.backend)}`);
    trials = runSearch(ds, o);
    hyper = trials.reduce((a, b) => (b.meanLogLoss < a.meanLogLoss ? b : a)).hyper;
    log(`search: best ${JSON.stringify(hyper)}`);
  }
  const name = o.name ?? `${o.model}-${o.symbols.join('-').toLowerCase()}-1d`;
  const model = makeModel(hyper.model, hyper.units, o.steps, o.seed, name, hyper.dropout);
  const patience = o.patience ?? 4;
  const t0 = performance.now();
  const res = fit(model, windowSet(ds.train), {
    loss: 'crossentropy', timesteps: o.steps, epochs: o.epochs, batchSize: hyper.batchSize,
    optimizer: { kind: 'adam', learningRate: hyper.learningRate }, clipNorm: hyper.clipNorm, seed: o.seed, patience,
    val: windowSet(ds.val), backend: o.backend, threads: o.threads,
    onEpoch: (e) => log(`epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss?.toFixed(4)}, val acc ${((e.valAccuracy ?? 0) * 100).toFixed(1)}%, ${e.sequencesPerSecond.toFixed(0)} seq/s`),
  });
  const seconds = (performance.now() - t0) / 1000;
  // evaluation
  const F = FEATURE_NAMES.length;
  const evalSpan = (s: Split) => {
    const probs = evaluate(model, windowSet(s), { loss: 'crossentropy', timesteps: o.steps, backend: o.backend, threads: o.threads }).outputs;
    return classMetrics(probs, s.target, 3);
  };
  const lr = fitLogistic(lastStep(ds.train.xs, ds.train.starts, o.steps, F), ds.train.target, F, 3);
  const baseline = (s: Split) => ({
    majority: classMetrics(majorityBaseline(ds.train.target, 3, s.starts.length).probs, s.target, 3),
    logistic: classMetrics(predictLogistic(lr, lastStep(s.xs, s.starts, o.steps, F)), s.target, 3),
  });
  const metrics = { val: { model: evalSpan(ds.val), ...baseline(ds.val) }, test: { model: evalSpan(ds.test), ...baseline(ds.test) } };
  mkdirSync(o.out, { recursive: true });
  const saved = saveModel(model, o.out);
  const trainedEpochs = res.history.length;
  const card: ModelCard = {
    name, format: 'neurion-model-card/1', created: new Date().toISOString(),
    model: {
      kind: hyper.model, layers: layersText(hyper), params: countParams(model), steps: o.steps, features: F, classes: CLASS_NAMES,
      files: ['model.json', ...saved.shards.map((p) => p.split(/[\\/]/).pop()!)],
    },
    data: {
      symbols: o.symbols, timeframe: '1d', source: 'bundled real data (data/catalog.json: QuantConnect LEAN sample data, Apache-2.0)',
      splitAdjustment: 'raw prices back-adjusted for the splits listed in data/catalog.json (features are scale-invariant, so this is causal)',
      spans: ds.spans, samples: { train: ds.train.starts.length, val: ds.val.starts.length, test: ds.test.starts.length }, classCounts: ds.classCounts,
    },
    labels: {
      horizon: labels.horizon, k: labels.k,
      definition: `Forward log return r = ln(close[t+${labels.horizon}] / close[t]) vs threshold thr = ${labels.k} * sigma20[t] * sqrt(${labels.horizon}), sigma20 = stdev of the last 20 daily log returns up to t (causal). UP if r > thr, DOWN if r < -thr, else FLAT.`,
    },
    features: { names: FEATURE_NAMES, lookback: FEATURE_LOOKBACK, normalisation: { ...ds.norm, fittedOn: 'fitted on the training span only (rows covered by training windows)' } },
    hyperparameters: { ...hyper, epochs: o.epochs, patience, optimizer: 'adam (tfjs update rule, eps 1e-7)', loss: 'softmax cross-entropy', seed: o.seed },
    training: {
      backend: res.backend, epochsRun: trainedEpochs, bestEpoch: res.bestEpoch, stoppedEarly: res.stoppedEarly, seconds,
      sequencesPerSecond: res.history.reduce((a, e) => a + e.sequencesPerSecond, 0) / trainedEpochs, history: res.history,
    },
    search: trials.length ? {
      method, backend: trainingBackend(o.backend), trials, folds: o.folds ?? 3,
      ...(method === 'tpe' ? { tpe: { ...tpeDefaults(o.search ?? 0), ...o.tpe } } : {}),
      note: method === 'tpe'
        ? 'TPE (Bergstra et al. 2011) over units, batch size, clip norm (categorical, prior-smoothed) and learning rate (Parzen estimator on log scale); start-up trials are the random search\'s Philox draws, later draws Philox keyed by seed, trial, candidate and parameter; score = mean fold validation log-loss; normalisation statistics are the training span\'s for every fold'
        : 'random search (Philox draws keyed by seed and trial) over units, learning rate (log-uniform), batch size, clip norm; score = mean fold validation log-loss; normalisation statistics are the training span\'s for every fold',
    } : null,
    metrics,
    verdict: verdict(metrics),
  };
  writeFileSync(join(o.out, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(o.out, 'card.md'), cardMarkdown(card));
  log(`saved ${o.out}: test accuracy ${(100 * metrics.test.model.accuracy).toFixed(1)}% (majority ${(100 * metrics.test.majority.accuracy).toFixed(1)}%, logistic ${(100 * metrics.test.logistic.accuracy).toFixed(1)}%)`);
  return { card, model, dataset: ds };
}

// ---------------------------------------------------------------------------------------------
// Live side
// ---------------------------------------------------------------------------------------------

export interface TrainedModel { model: Model; card: ModelCard; dir: string }

export function loadTrainedModel(dir: string): TrainedModel {
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as ModelCard;
  if (card.format !== 'neurion-model-card/1') throw new RangeError(`${join(dir, 'card.json')}: format must be neurion-model-card/1, got ${JSON.stringify(card.format)}`);
  const model = loadModel(join(dir, 'model.json'));
  if (model.features !== card.features.names.length) throw new RangeError(`${dir}: model has ${model.features} features, card lists ${card.features.names.length}`);
  return { model, card, dir };
}

export interface LiveSignal { symbol: string; time: string; probabilities: Record<string, number>; signal: string }

/**
 * The model's view of the latest bar of `bars` (raw prices are fine: features are scale-invariant
 * and only the last steps + lookback bars matter, so splits further back have no effect).
 */
export function liveSignal(tm: TrainedModel, bars: Bars, opts: { backend?: BackendName | 'auto' } = {}): LiveSignal {
  const T = tm.card.model.steps, F = tm.card.model.features;
  const feats = computeFeatures(bars);
  const n = bars.close.length;
  if (n < T + FEATURE_LOOKBACK) throw new RangeError(`liveSignal: ${bars.symbol} needs at least ${T + FEATURE_LOOKBACK} bars, got ${n}`);
  const x = new Float64Array(T * F);
  for (let t = 0; t < T; t++) {
    const row = normaliseRow(feats.subarray((n - T + t) * F, (n - T + t + 1) * F), tm.card.features.normalisation);
    for (let j = 0; j < F; j++) {
      if (!Number.isFinite(row[j]!)) throw new RangeError(`liveSignal: ${bars.symbol} feature ${tm.card.features.names[j]} at bar ${n - T + t} is not finite`);
      x[t * F + j] = row[j]!;
    }
  }
  // One window of one symbol: the CPU addon (microseconds) beats any GPU round trip, so 'auto'
  // means cpu when it is built, else the TypeScript path.
  const backend = opts.backend === undefined || opts.backend === 'auto' ? (availableBackends().includes('cpu') ? 'cpu' : 'js') : opts.backend;
  const p = predict(tm.model, x, { batch: 1, timesteps: T }, { backend });
  const probabilities = Object.fromEntries(CLASS_NAMES.map((c, k) => [c, p[k]!]));
  let best = 0;
  for (let k = 1; k < 3; k++) if (p[k]! > p[best]!) best = k;
  return { symbol: bars.symbol, time: new Date(bars.time[n - 1]!).toISOString(), probabilities, signal: CLASS_NAMES[best]! };
}
