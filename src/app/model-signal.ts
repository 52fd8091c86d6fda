/**
 * The signal of the shipped model (models/<name>/, a TF.js Layers model with its card),
 * scored in batch for a backtest: for every bar t the model sees the window of its `steps`
 * feature rows ending at t — features computed causally from bars <= t (src/models/train/
 * dataset.ts), normalised with the TRAINING span's statistics from the card — so the
 * probability at t never uses a later bar. The live path steps the same model per bar
 * (src/models/session.ts); both give the window's output.
 *
 * Rule: argmax of DOWN / FLAT / UP; UP -> buy, DOWN -> sell (close the long), FLAT -> nothing;
 * confidence = the winning class's probability (the card reports its calibration error).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bars } from '../data/bars.js';
import { compileModel } from '../models/index.js';
import { adjustSplits, computeFeatures, normaliseRow } from '../models/train/dataset.js';
import { loadTrainedModel, type TrainedModel } from '../models/train/pipeline.js';
import type { SignalFn } from '../risk-manager/index.js';
import { projectRoot } from '../util/paths.js';

export interface ShippedSignal {
  name: string;
  note: string;
  model: TrainedModel;
  /** First day of the card's test span: backtests of the model start here (out of sample). */
  testStart: number;
  /** Builds the signal for these series (the same bars the backtest replays). */
  signal(series: readonly Bars[]): SignalFn;
}

/** Folders of models/ that hold a trained model (model.json + card.json). */
export function shippedModelDirs(): string[] {
  const dir = join(projectRoot(), 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'model.json')) && existsSync(join(dir, d.name, 'card.json')))
    .map((d) => join(dir, d.name))
    .sort();
}

/** Per bar: [DOWN, FLAT, UP] probabilities (NaN until a full window of features exists). */
export function scoreSeries(tm: TrainedModel, bars: Bars, batch = 2048): Float64Array {
  const T = tm.card.model.steps, F = tm.card.model.features;
  const n = bars.close.length;
  const feats = computeFeatures(adjustSplits(bars));
  const rows = new Float64Array(n * F);
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = normaliseRow(feats.subarray(i * F, (i + 1) * F), tm.card.features.normalisation);
    let finite = 1;
    for (let j = 0; j < F; j++) if (!Number.isFinite(r[j]!)) finite = 0;
    rows.set(r, i * F);
    ok[i] = finite;
  }
  // Bars whose whole window of T rows is finite.
  const valid: number[] = [];
  let run = 0;
  for (let i = 0; i < n; i++) {
    run = ok[i] ? run + 1 : 0;
    if (run >= T) valid.push(i);
  }
  const probs = new Float64Array(n * 3).fill(NaN);
  const compiled = compileModel(tm.model);
  for (let a = 0; a < valid.length; a += batch) {
    const idx = valid.slice(a, a + batch);
    const x = new Float32Array(idx.length * T * F);
    idx.forEach((t, b) => x.set(rows.subarray((t - T + 1) * F, (t + 1) * F), b * T * F));
    const p = compiled.predict(x, idx.length, T);
    idx.forEach((t, b) => { for (let k = 0; k < 3; k++) probs[t * 3 + k] = p[b * 3 + k]!; });
  }
  return probs;
}

export function loadShippedSignal(): ShippedSignal | null {
  const dirs = shippedModelDirs();
  if (dirs.length === 0) return null;
  // The GRU is the default (models/README.md: it is the one that beat both baselines on test log-loss).
  const dir = dirs.find((d) => /gru/i.test(d)) ?? dirs[0]!;
  const tm = loadTrainedModel(dir);
  const testStart = Date.parse(`${tm.card.data.spans.test[0]}T00:00:00Z`);
  const m = tm.card.metrics as unknown as { test?: { model?: { accuracy?: number; logLoss?: number } } };
  return {
    name: tm.card.name,
    note: `${tm.card.model.layers}, trained on ${tm.card.data.symbols.join(', ')} ${tm.card.data.spans.train.join(' .. ')}; backtested on its out-of-sample test span from ${tm.card.data.spans.test[0]}` +
      (m.test?.model?.accuracy !== undefined ? ` (card: test accuracy ${(100 * m.test.model.accuracy).toFixed(1)}%, log-loss ${m.test.model.logLoss?.toFixed(4)}; baselines beside it in card.md)` : ''),
    model: tm,
    testStart,
    signal(series: readonly Bars[]): SignalFn {
      const probs = new Map(series.map((b) => [b.symbol, scoreSeries(tm, b)]));
      const source = tm.card.name;
      return (_ctx, bar) => {
        const p = probs.get(bar.symbol);
        if (!p) return null;
        const d = p[bar.index * 3]!, f = p[bar.index * 3 + 1]!, u = p[bar.index * 3 + 2]!;
        if (Number.isNaN(d)) return null;
        if (u > d && u > f) return { side: 'buy', confidence: u, source };
        if (d > u && d > f) return { side: 'sell', confidence: d, source };
        return null;
      };
    },
  };
}
