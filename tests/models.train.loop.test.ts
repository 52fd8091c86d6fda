// The training loop and the shipped models: a tiny model learns a learnable task in a few
// epochs, training is bit-for-bit deterministic given a seed (and any thread count), early
// stopping restores the best weights, the js and cpu backends agree, the shipped models load
// and reproduce their model cards' numbers, the live-signal path works, and `neurion train`
// runs end to end (one short epoch).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/backend.js';
import { loadBundled } from '../src/data/index.js';
import { buildModel, countParams, type Model } from '../src/models/layers.js';
import { predict } from '../src/models/index.js';
import { getParams } from '../src/models/train/grad-reference.js';
import { buildDataset } from '../src/models/train/dataset.js';
import { classMetrics } from '../src/models/train/metrics.js';
import { liveSignal, loadTrainedModel, windowSet } from '../src/models/train/pipeline.js';
import { evaluate, fit, shuffleOrder, type WindowSet } from '../src/models/train/trainer.js';
import { registerTrainCommand } from '../src/cli/train.js';
import { toyTask } from './helpers/train.js';

const hasCpu = availableBackends().includes('cpu');
const SHIPPED = ['models/lstm-spy-iwm-aapl-1d', 'models/gru-spy-iwm-aapl-1d'];


const toyModel = (kind: 'lstm' | 'gru', seed = 1): Model =>
  buildModel({ timesteps: 8, features: 3, seed, layers: [kind === 'lstm' ? { kind: 'lstm', units: 8 } : { kind: 'gru', units: 8 }, { kind: 'dense', units: 3, activation: 'softmax' }] });

describe('training loop', () => {
  it('shuffling is a Philox permutation keyed by (seed, epoch)', () => {
    const a = shuffleOrder(1000, 7, 0);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(shuffleOrder(1000, 7, 0))).toEqual(Array.from(a));
    expect(Array.from(shuffleOrder(1000, 7, 1))).not.toEqual(Array.from(a));
    expect(Array.from(shuffleOrder(1000, 8, 0))).not.toEqual(Array.from(a));
  });

  it.each(['lstm', 'gru'] as const)('%s learns a learnable task (loss falls, accuracy beats chance)', (kind) => {
    const train = toyTask(1, 1200, 8, 3), val = toyTask(2, 400, 8, 3);
    const model = toyModel(kind);
    const before = evaluate(model, val, { loss: 'crossentropy', timesteps: 8 });
    const r = fit(model, train, { loss: 'crossentropy', timesteps: 8, epochs: 6, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, clipNorm: 1, seed: 3, val });
    const after = evaluate(model, val, { loss: 'crossentropy', timesteps: 8 });
    expect(r.history[r.history.length - 1]!.trainLoss).toBeLessThan(r.history[0]!.trainLoss);
    expect(after.loss).toBeLessThan(before.loss - 0.2);
    expect(after.accuracy!).toBeGreaterThan(0.7);
  });

  it('is bit-for-bit deterministic given the seed, for any thread count; another seed differs', () => {
    const train = toyTask(5, 300, 8, 3);
    const run = (seed: number, threads: number): Float32Array => {
      const m = toyModel('gru');
      fit(m, train, { loss: 'crossentropy', timesteps: 8, epochs: 2, batchSize: 40, optimizer: { kind: 'adam', learningRate: 0.005 }, clipNorm: 0.5, seed, threads });
      return getParams(m);
    };
    const a = run(9, 1);
    expect(Buffer.from(run(9, 1).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    if (hasCpu) expect(Buffer.from(run(9, 3).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Buffer.from(run(10, 1).buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', () => {
    const train = toyTask(7, 200, 8, 3), val = toyTask(8, 100, 8, 3);
    const m = toyModel('lstm');
    const r = fit(m, train, { loss: 'crossentropy', timesteps: 8, epochs: 40, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 1, patience: 2, val });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBe(r.bestEpoch + 3);
    expect(evaluate(m, val, { loss: 'crossentropy', timesteps: 8 }).loss).toBeCloseTo(r.bestValLoss!, 12);
  });

  it.runIf(hasCpu)('js (float64 reference) and cpu (float32 kernel) backends train to the same weights within float32 drift', () => {
    const train = toyTask(3, 64, 8, 3);
    const run = (backend: 'js' | 'cpu'): Float32Array => {
      const m = toyModel('lstm');
      fit(m, train, { loss: 'crossentropy', timesteps: 8, epochs: 1, batchSize: 16, optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 }, seed: 2, backend });
      return getParams(m);
    };
    const a = run('js'), b = run('cpu');
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
  });

  it('rejects bad options with the name and value', () => {
    const train = toyTask(1, 20, 8, 3);
    const o = { loss: 'crossentropy' as const, timesteps: 8, epochs: 1, batchSize: 4, optimizer: { kind: 'adam' as const, learningRate: 0.01 }, seed: 1 };
    expect(() => fit(toyModel('lstm'), train, { ...o, epochs: 0 })).toThrow(/epochs must be an integer >= 1, got 0/);
    expect(() => fit(toyModel('lstm'), train, { ...o, optimizer: { kind: 'adam', learningRate: -1 } })).toThrow(/learningRate/);
    expect(() => fit(toyModel('lstm'), train, { ...o, clipNorm: 0 })).toThrow(/clipNorm/);
    expect(() => fit(toyModel('lstm'), { ...train, target: train.target.map(() => 5) }, o)).toThrow(/target\[0\] must be a class index/);
  });
});

describe('shipped models', () => {
  it.each(SHIPPED)('%s loads, is small, and reproduces its card\'s test numbers', (dir) => {
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    const tm = loadTrainedModel(dir);
    const c = tm.card;
    expect(countParams(tm.model)).toBe(c.model.params);
    expect(c.model.params).toBeLessThan(100_000);
    for (const k of ['val', 'test'] as const) {
      for (const p of ['model', 'majority', 'logistic'] as const) {
        const m = c.metrics[k][p];
        for (const v of [m.accuracy, m.logLoss, m.brier, m.ece]) expect(Number.isFinite(v)).toBe(true);
      }
    }
    expect(c.verdict).toMatch(/baseline/);
    expect(readFileSync(join(dir, 'card.md'), 'utf8')).toContain(c.metrics.test.model.logLoss.toFixed(4));
    // rebuild the data set from the card and re-evaluate the shipped weights
    const ds = buildDataset({ symbols: c.data.symbols, steps: c.model.steps, labels: { horizon: c.labels.horizon, k: c.labels.k } });
    expect(ds.spans).toEqual(c.data.spans);
    // Feature kernels may change by a few ulps when optimised (e.g. ATR's recursion): compare the
    // recomputed normalisation with the shipped one to 1e-9 relative, not bit for bit.
    ds.norm.mean.forEach((v, j) => expect(Math.abs(v - c.features.normalisation.mean[j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v))));
    const ev = evaluate(tm.model, windowSet(ds.test), { loss: 'crossentropy', timesteps: c.model.steps });
    const m = classMetrics(ev.outputs, ds.test.target, 3);
    expect(m.accuracy).toBeCloseTo(c.metrics.test.model.accuracy, 6);
    expect(m.logLoss).toBeCloseTo(c.metrics.test.model.logLoss, 5);
    // the inference op (nn.forward) gives the same probabilities as the training kernel's forward
    const n = 64;
    const x = new Float64Array(n * c.model.steps * c.model.features);
    for (let i = 0; i < n; i++) for (let k = 0; k < c.model.steps * c.model.features; k++) x[i * c.model.steps * c.model.features + k] = ds.test.xs[ds.test.starts[i]! * c.model.features + k]!;
    const p = predict(tm.model, x, { batch: n, timesteps: c.model.steps });
    for (let i = 0; i < n * 3; i++) expect(Math.abs(p[i]! - ev.outputs[i]!)).toBeLessThan(1e-5);
  });

  it('gives a live signal for the latest bars', () => {
    const tm = loadTrainedModel(SHIPPED[1]!);
    const s = liveSignal(tm, loadBundled('SPY', '1d'));
    const sum = Object.values(s.probabilities).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(['UP', 'DOWN', 'FLAT']).toContain(s.signal);
    expect(s.time.startsWith('2021-03-31')).toBe(true);
  });
});

describe('neurion train', () => {
  it('trains, saves the model and a card, and reports the baselines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurion-train-'));
    try {
      let text = '';
      const p = new Command('neurion').exitOverride();
      registerTrainCommand(p, (s) => { text += s; });
      await p.parseAsync(['node', 'neurion', 'train', '--symbols', 'SPY', '--model', 'gru', '--units', '8', '--steps', '10', '--epochs', '1', '--seed', '1', '--out', dir]);
      expect(text).toMatch(/majority/);
      const tm = loadTrainedModel(dir);
      expect(tm.card.model.steps).toBe(10);
      expect(tm.card.data.symbols).toEqual(['SPY']);
      await expect(p.parseAsync(['node', 'neurion', 'train', '--model', 'rnn', '--out', dir])).rejects.toThrow(/--model must be lstm or gru/);
      await expect(p.parseAsync(['node', 'neurion', 'train', '--units', '0', '--out', dir])).rejects.toThrow(/--units must be an integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
