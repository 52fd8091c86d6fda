// Overfitting statistics: the normal distribution helpers, the deflated Sharpe ratio against
// the paper's worked example and a Monte Carlo of the null, and PBO by CSCV on known cases
// (pure noise -> ~0.5, a planted genuinely good trial -> ~0), the sufficient-statistics form
// against a brute-force CSCV, and the sweep's block sums against runBacktest's returns.
import { describe, expect, it } from 'vitest';
import { runOp } from '../src/compute/index.js';
import { availableBackends } from '../src/compute/index.js';
import { loadBundled } from '../src/data/index.js';
import { runBacktest } from '../src/trading/backtester.js';
import { SmaCross } from '../src/trading/strategies/sma-cross.js';
import {
  blockStatsOf, deflatedSharpe, expectedMaxSharpe, meanVariance, normalCdf, normalQuantile, pboFromBlocks, probabilisticSharpe,
  probabilityOfBacktestOverfitting,
} from '../src/trading/overfitting.js';
import { blockEdge, encodeCosts, packBars, sweepSmaCrossOp, SWEEP_SLOTS, DEFAULT_COSTS } from '../src/trading/sweep/index.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

/** [T x N] iid normal returns with per-trial mean mu[t] and sd 1 (time-major). */
function returnsMatrix(rng: TestRng, T: number, N: number, mu: (trial: number) => number = () => 0): Float64Array {
  const m = new Float64Array(T * N);
  for (let r = 0; r < T; r++) for (let t = 0; t < N; t++) m[r * N + t] = mu(t) + rng.normal();
  return m;
}

function sharpeColumns(m: Float64Array, T: number, N: number): Float64Array {
  const sr = new Float64Array(N);
  for (let t = 0; t < N; t++) {
    let s = 0, q = 0;
    for (let r = 0; r < T; r++) { s += m[r * N + t]!; q += m[r * N + t]! ** 2; }
    const mean = s / T;
    sr[t] = mean / Math.sqrt((q - T * mean * mean) / (T - 1));
  }
  return sr;
}

describe('normal distribution helpers', () => {
  it('CDF and quantile match reference values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 12);
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 10);
    for (const p of [1e-12, 1e-4, 0.025, 0.3, 0.5, 0.8, 0.999, 1 - 1e-10]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
  });
});

describe('deflated Sharpe ratio (Bailey & Lopez de Prado 2014)', () => {
  it("reproduces the paper's worked example", () => {
    // 100 trials, best annualised SR 2.5 over 5 years of daily returns (T = 1250), skew -3,
    // kurtosis 10, variance of the trials' annualised Sharpe 0.5: SR0 = 0.1132 per day, DSR = 0.9004.
    const d = deflatedSharpe({ sharpe: 2.5 / Math.sqrt(250), nObs: 1250, skew: -3, kurtosis: 10, nTrials: 100, sharpeVariance: 0.5 / 250 });
    expect(d.expectedMaxSharpe).toBeCloseTo(0.1132, 4);
    expect(d.probability).toBeCloseTo(0.9004, 3);
    expect(d.probabilisticSharpe).toBeGreaterThan(0.9999);
    expect(expectedMaxSharpe(1, 0.3)).toBe(0);
  });

  it('expected max Sharpe of N null trials agrees with a Monte Carlo of the maximum', () => {
    const rng = new TestRng(20240605);
    for (const N of [10, 100, 1000]) {
      const reps = 2000;
      let sum = 0;
      for (let k = 0; k < reps; k++) {
        let mx = -Infinity;
        for (let i = 0; i < N; i++) mx = Math.max(mx, rng.normal());
        sum += mx;
      }
      // The Euler-Mascheroni approximation is within a few per cent of E[max] for N >= 10.
      expect(expectedMaxSharpe(N, 1) / (sum / reps)).toBeGreaterThan(0.95);
      expect(expectedMaxSharpe(N, 1) / (sum / reps)).toBeLessThan(1.06);
    }
  });

  it('pure noise: the best of many trials looks significant undeflated, not once deflated', () => {
    const seed = freshSeed();
    const T = 1000, N = 200;
    // Calibration (300 seeds): DSR mean 0.498, 95th percentile 0.77, max 0.93; undeflated PSR min 0.97.
    let meanDsr = 0;
    const seeds = 12;
    for (let k = 0; k < seeds; k++) {
      const rng = new TestRng(seed + k);
      const m = returnsMatrix(rng, T, N);
      const sr = sharpeColumns(m, T, N);
      let best = 0;
      for (let t = 1; t < N; t++) if (sr[t]! > sr[best]!) best = t;
      const d = deflatedSharpe({ sharpe: sr[best]!, nObs: T, skew: 0, kurtosis: 3, nTrials: N, sharpeVariance: meanVariance(sr).variance });
      expect(d.probabilisticSharpe, `seed ${seed + k}`).toBeGreaterThan(0.95);
      expect(d.probability, `seed ${seed + k}`).toBeLessThan(0.98);
      meanDsr += d.probability / seeds;
    }
    expect(meanDsr, `seed ${seed}`).toBeLessThan(0.7);
  });

  it('a genuinely good trial keeps a high deflated Sharpe', () => {
    const rng = new TestRng(77);
    const T = 1000, N = 200;
    const m = returnsMatrix(rng, T, N, (t) => (t === 17 ? 0.2 : 0));
    const sr = sharpeColumns(m, T, N);
    const d = deflatedSharpe({ sharpe: sr[17]!, nObs: T, skew: 0, kurtosis: 3, nTrials: N, sharpeVariance: meanVariance(sr).variance });
    expect(d.probability).toBeGreaterThan(0.97);
  });

  it('PSR moves with skew and kurtosis as the formula says', () => {
    const base = { sharpe: 0.08, nObs: 500, skew: 0, kurtosis: 3 };
    expect(probabilisticSharpe({ ...base, skew: -2 })).toBeLessThan(probabilisticSharpe(base));
    expect(probabilisticSharpe({ ...base, kurtosis: 12 })).toBeLessThan(probabilisticSharpe(base));
    expect(probabilisticSharpe(base, 0.08)).toBeCloseTo(0.5, 12);
    expect(() => probabilisticSharpe({ ...base, nObs: 1 })).toThrow(/nObs must be an integer >= 2/);
  });
});

describe('probability of backtest overfitting (CSCV, Bailey, Borwein, Lopez de Prado & Zhu 2015)', () => {
  it('pure-noise trials give PBO near 0.5', () => {
    const seed = freshSeed();
    // Calibration (200 seeds): mean 0.503, standard deviation 0.19 per seed, range 0.095..0.91.
    let mean = 0;
    const seeds = 16;
    for (let k = 0; k < seeds; k++) {
      const r = probabilityOfBacktestOverfitting(returnsMatrix(new TestRng(seed + k), 800, 40), 800, 40, 10);
      expect(r.combinations).toBe(252);
      expect(r.pbo, `seed ${seed + k}`).toBeGreaterThan(0.02);
      expect(r.pbo, `seed ${seed + k}`).toBeLessThan(0.98);
      mean += r.pbo / seeds;
    }
    expect(mean, `seeds ${seed}..${seed + seeds - 1}`).toBeGreaterThan(0.35);
    expect(mean, `seeds ${seed}..${seed + seeds - 1}`).toBeLessThan(0.65);
  });

  it('a planted genuinely good trial gives a low PBO', () => {
    const seed = freshSeed();
    const T = 1000, N = 40;
    const r = probabilityOfBacktestOverfitting(returnsMatrix(new TestRng(seed), T, N, (t) => (t === 7 ? 0.25 : 0)), T, N, 16);
    expect(r.combinations).toBe(12870);
    expect(r.pbo, `seed ${seed}`).toBeLessThan(0.05);
    expect(r.probabilityOfOosLoss, `seed ${seed}`).toBeLessThan(0.05);
  });

  it('the block-sums form equals a brute-force CSCV on the raw matrix', () => {
    const rng = new TestRng(5);
    const T = 120, N = 9, S = 6;
    const m = returnsMatrix(rng, T, N, (t) => 0.05 * t);
    const fast = pboFromBlocks(blockStatsOf(m, T, N, S));
    // Brute force: Sharpe of each trial on the concatenated rows of the chosen blocks.
    const edges = Array.from({ length: S + 1 }, (_, b) => Math.floor((b * T) / S));
    const sharpe = (rows: number[], t: number): number => {
      const v = rows.map((r) => m[r * N + t]!);
      const mean = v.reduce((a, x) => a + x, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
      return mean / sd;
    };
    const logits: number[] = [];
    const combos = (k: number, from: number): number[][] => (k === 0 ? [[]] : Array.from({ length: S - from }, (_, i) => from + i).flatMap((b) => combos(k - 1, b + 1).map((c) => [b, ...c])));
    for (const c of combos(S / 2, 0)) {
      const isRows: number[] = [], oosRows: number[] = [];
      for (let b = 0; b < S; b++) for (let r = edges[b]!; r < edges[b + 1]!; r++) (c.includes(b) ? isRows : oosRows).push(r);
      const is = Array.from({ length: N }, (_, t) => sharpe(isRows, t)), oos = Array.from({ length: N }, (_, t) => sharpe(oosRows, t));
      const best = is.indexOf(Math.max(...is));
      const rank = oos.filter((v) => v < oos[best]!).length + 1;
      const w = rank / (N + 1);
      logits.push(Math.log(w / (1 - w)));
    }
    expect(fast.logits.length).toBe(logits.length);
    fast.logits.forEach((l, k) => expect(l).toBeCloseTo(logits[k]!, 9));
    expect(fast.pbo).toBeCloseTo((logits.filter((l) => l < 0).length + 0.5 * logits.filter((l) => l === 0).length) / logits.length, 12);
  });

  it('rejects bad input', () => {
    const st = blockStatsOf(new Float64Array(40), 20, 2, 4);
    expect(() => pboFromBlocks({ ...st, blocks: 3 })).toThrow(/blocks must be an even integer/);
    expect(() => pboFromBlocks({ ...st, trials: 1, sum: new Float64Array(4), sumSq: new Float64Array(4) })).toThrow(/trials must be an integer >= 2/);
    expect(() => probabilityOfBacktestOverfitting(new Float64Array(10), 5, 3)).toThrow(/length T \* N = 15/);
    expect(() => pboFromBlocks(blockStatsOf(new Float64Array(2 * 40), 40, 2, 20))).toThrow(/exceeds maxCombinations/);
  });

  it("the sweep's per-block return sums are those of runBacktest's equity curve", () => {
    const spy = loadBundled('SPY', '1d');
    const p = packBars([spy]);
    const blocks = 8;
    const args = {
      open: p.open, high: p.high, low: p.low, close: p.close, time: p.time, symbols: 1, bars: p.cols, start: Uint32Array.of(0), end: Uint32Array.of(p.cols),
      fast: Uint32Array.of(5, 30), slow: Uint32Array.of(20, 120), costs: encodeCosts(DEFAULT_COSTS), blocks,
    };
    for (const backend of availableBackends().filter((b) => b !== 'cuda')) {
      const out = runOp(sweepSmaCrossOp, args, { backend });
      [[5, 20], [30, 120]].forEach(([f, s], k) => {
        const e = runBacktest({ feeds: [spy], strategy: new SmaCross({ fast: f!, slow: s! }) }).equity;
        const R = e.length - 1;
        for (let b = 0; b < blocks; b++) {
          let sum = 0, sq = 0;
          for (let j = blockEdge(b, R, blocks); j < blockEdge(b + 1, R, blocks); j++) {
            const r = e[j + 1]! / e[j]! - 1;
            sum += r; sq += r * r;
          }
          const o = k * (SWEEP_SLOTS + 2 * blocks) + SWEEP_SLOTS + 2 * b;
          expect(out[o], `${backend} (${f}, ${s}) block ${b} sum`).toBe(sum);
          expect(out[o + 1], `${backend} (${f}, ${s}) block ${b} sum of squares`).toBe(sq);
        }
      });
    }
  });
});
