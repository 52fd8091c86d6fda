/**
 * `neurion train` end to end: data set -> (optional) hyperparameter search with walk-forward
 * folds -> training with early stopping -> evaluation against the baselines -> model files
 * (TF.js Layers format) + model card (card.json, card.md) in models/<name>/.
 *
 * Also the live side: `loadTrainedModel(dir)` and `liveSignal(...)` turn the latest bars of a
 * symbol into UP / FLAT / DOWN probabilities with the card's features and normalisation.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { philoxBlock, philoxKey } from '../../compute/ops/philox.js';
import type { BackendName } from '../../compute/backend.js';
import type { Bars } from '../../data/index.js';
import { buildModel, countParams, type Model } from '../layers.js';
import { predict } from '../index.js';
import { loadModel, saveModel } from '../tfjs-format.js';
import { buildDataset, CLASS_NAMES, computeFeatures, DEFAULT_LABELS, FEATURE_LOOKBACK, FEATURE_NAMES, normaliseRow, type Dataset, type LabelConfig, type Split } from './dataset.js';
import { classMetrics, fitLogistic, lastStep, majorityBaseline, predictLogistic, type ClassMetrics } from './metrics.js';
import { evaluate, fit, type EpochLog, type WindowSet } from './trainer.js';
import { trainingBackend } from './grad.js';

export interface Hyper {
  model: 'lstm' | 'gru';
  units: number;
  learningRate: number;
  batchSize: number;
  clipNorm: number;
}

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
  /** Random-search trials (0: none). */
  search?: number;
  /** Walk-forward folds for the search (default 3). */
  folds?: number;
  backend?: BackendName | 'auto';
  threads?: number;
  log?(line: string): void;
}

export interface SearchTrial { hyper: Hyper; foldLogLoss: number[]; meanLogLoss: number }

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
  search: { trials: SearchTrial[]; folds: number; note: string } | null;
  metrics: {
    val: { model: ClassMetrics; majority: ClassMetrics; logistic: ClassMetrics };
    test: { model: ClassMetrics; majority: ClassMetrics; logistic: ClassMetrics };
  };
  verdict: string;
}

export function windowSet(s: Split): WindowSet {
  return { xs: s.xs, starts: s.starts, target: s.target };
}

function makeModel(kind: 'lstm' | 'gru', units: number, steps: number, seed: number, name: string): Model {
  return buildModel({
    name, timesteps: steps, features: FEATURE_NAMES.length, seed,
    layers: [kind === 'lstm' ? { kind: 'lstm', units, name: `${kind}_1` } : { kind: 'gru', units, name: `${kind}_1` }, { kind: 'dense', units: 3, activation: 'softmax', name: 'dense_1' }],
  });
}

/** Uniform in [0, 1) from Philox keyed by (seed, trial, draw). */
function u01(seed: number, trial: number, draw: number): number {
  const key = philoxKey(seed);
  const b = new Uint32Array(4);
  philoxBlock(trial >>> 0, draw >>> 0, 0x5345, 0, key[0]!, key[1]!, b, 0);
  return (b[0]! + 0.5) / 4294967296;
}

export function sampleHyper(model: 'lstm' | 'gru', seed: number, trial: number): Hyper {
  const pick = <T>(xs: readonly T[], d: number): T => xs[Math.min(xs.length - 1, Math.floor(u01(seed, trial, d) * xs.length))]!;
  return {
    model,
    units: pick([16, 32, 64], 0),
    learningRate: Number((3e-4 * 10 ** u01(seed, trial, 1)).toPrecision(3)),   // log-uniform [3e-4, 3e-3)
    batchSize: pick([64, 128, 256], 2),
    clipNorm: pick([0.5, 1, 5], 3),
  };
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

export function runSearch(ds: Dataset, o: TrainPipelineOptions): SearchTrial[] {
  const folds = walkForwardFolds(ds, o.folds ?? 3);
  const trials: SearchTrial[] = [];
  for (let trial = 0; trial < (o.search ?? 0); trial++) {
    const hyper = sampleHyper(o.model, o.seed, trial);
    const foldLogLoss: number[] = [];
    for (const f of folds) {
      const model = makeModel(hyper.model, hyper.units, ds.steps, o.seed + trial, 'search');
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
    trials.push({ hyper, foldLogLoss, meanLogLoss });
    o.log?.(`search trial ${trial + 1}/${o.search}: ${JSON.stringify(hyper)} walk-forward log-loss ${meanLogLoss.toFixed(4)} (${foldLogLoss.map((v) => v.toFixed(4)).join(', ')})`);
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
units ${h.units}, steps ${c.model.steps}, ${h.optimizer} lr ${h.learningRate}, batch ${h.batchSize}, clip global norm ${h.clipNorm}, epochs <= ${h.epochs}, early stopping patience ${h.patience} on validation loss (best weights restored), loss ${h.loss}, seed ${h.seed}
${c.search ? `\nHyperparameter search: ${c.search.trials.length} random trials, ${c.search.folds} walk-forward folds inside the training span (${c.search.note}). Best mean fold log-loss ${Math.min(...c.search.trials.map((t) => t.meanLogLoss)).toFixed(4)}.\n` : ''}
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
  let hyper: Hyper = { model: o.model, units: o.units, learningRate: o.learningRate ?? 1e-3, batchSize: o.batchSize ?? 128, clipNorm: o.clipNorm ?? 1 };
  let trials: SearchTrial[] = [];
  if ((o.search ?? 0) > 0) {
    trials = runSearch(ds, o);
    hyper = trials.reduce((a, b) => (b.meanLogLoss < a.meanLogLoss ? b : a)).hyper;
    log(`search: best ${JSON.stringify(hyper)}`);
  }
  const name = o.name ?? `${o.model}-${o.symbols.join('-').toLowerCase()}-1d`;
  const model = makeModel(hyper.model, hyper.units, o.steps, o.seed, name);
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
      kind: hyper.model, layers: `${hyper.model.toUpperCase()}(${hyper.units}) -> Dense(3, softmax)`, params: countParams(model), steps: o.steps, features: F, classes: CLASS_NAMES,
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
    search: trials.length ? { trials, folds: o.folds ?? 3, note: 'random search (Philox draws keyed by seed and trial) over units, learning rate (log-uniform), batch size, clip norm; score = mean fold validation log-loss; normalisation statistics are the training span\'s for every fold' } : null,
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
  const backend = opts.backend === undefined || opts.backend === 'auto' ? (trainingBackend('auto') === 'cpu' ? 'cpu' : 'js') : opts.backend;
  const p = predict(tm.model, x, { batch: 1, timesteps: T }, { backend });
  const probabilities = Object.fromEntries(CLASS_NAMES.map((c, k) => [c, p[k]!]));
  let best = 0;
  for (let k = 1; k < 3; k++) if (p[k]! > p[best]!) best = k;
  return { symbol: bars.symbol, time: new Date(bars.time[n - 1]!).toISOString(), probabilities, signal: CLASS_NAMES[best]! };
}
