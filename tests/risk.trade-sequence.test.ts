// Trade-sequence Monte Carlo: Philox keying (chunking invariance), exact cases, statistical
// checks against closed forms, block resampling, and argument checks. Prints its speed.
import { describe, expect, it } from 'vitest';
import { runTradeSequence, simulateTradePaths, wilsonInterval } from '../src/risk/trade-sequence.js';
import { TestRng } from '../src/util/rng.js';

const rng = new TestRng(20240601);
const trades = Float64Array.from({ length: 300 }, () => (rng.next() < 0.55 ? 0.01 : -0.01) + 0.002 * rng.normal());

describe('trade-sequence simulation', () => {
  it('is keyed by (seed, path, trade): chunked runs equal one run; seeds differ', () => {
    for (const method of ['iid', 'fixed-block', 'stationary'] as const) {
      const whole = simulateTradePaths(trades, { paths: 100, trades: 500, seed: 3, method });
      const a = simulateTradePaths(trades, { paths: 40, trades: 500, seed: 3, method });
      const b = simulateTradePaths(trades, { paths: 60, trades: 500, seed: 3, method, pathOffset: 40 });
      expect(Array.from(a.finalEquity).concat(Array.from(b.finalEquity)), method).toEqual(Array.from(whole.finalEquity));
      expect(Array.from(a.maxDrawdown).concat(Array.from(b.maxDrawdown))).toEqual(Array.from(whole.maxDrawdown));
      expect(simulateTradePaths(trades, { paths: 100, trades: 500, seed: 4, method }).finalEquity).not.toEqual(whole.finalEquity);
    }
  });

  it('constant trades give exact results', () => {
    const r = runTradeSequence(new Float64Array(10).fill(0.01), { paths: 50, trades: 100 });
    for (const [, v] of r.finalEquity.quantiles) expect(v).toBeCloseTo(Math.pow(1.01, 100), 10);
    expect(r.maxDrawdown.mean).toBe(0);
    expect(r.longestLosingStreak.mean).toBe(0);
    expect(r.riskOfRuin.probability).toBe(0);
    expect(r.winRate.mean).toBe(1);
    const loss = runTradeSequence(new Float64Array(5).fill(-0.1), { paths: 10, trades: 20, ruinThreshold: 0.5 });
    expect(loss.riskOfRuin.probability).toBe(1);
    expect(loss.longestLosingStreak.mean).toBe(20);
    expect(loss.maxDrawdown.mean).toBeCloseTo(1 - Math.pow(0.9, 20), 12);
  });

  it('iid compounding: E[final equity] = (1 + mean r)^T within sampling error', () => {
    const r = runTradeSequence(trades, { paths: 20_000, trades: 200, seed: 11 });
    let m = 0;
    for (const x of trades) m += x;
    m /= trades.length;
    const expected = Math.pow(1 + m, 200);
    expect(Math.abs(r.finalEquity.mean / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.winRate.mean - r.sample.winRate)).toBeLessThan(0.002);
    const [lo, hi] = r.winRate.interval;
    expect(lo).toBeLessThan(r.sample.winRate);
    expect(hi).toBeGreaterThan(r.sample.winRate);
    // with trades = n the bootstrap Sharpe interval is close to Lo's analytic one
    const s = runTradeSequence(trades, { paths: 20_000, seed: 12 });
    expect(Math.abs(s.sharpe.interval[0] - s.sharpe.analyticInterval[0])).toBeLessThan(0.03);
    expect(Math.abs(s.sharpe.interval[1] - s.sharpe.analyticInterval[1])).toBeLessThan(0.03);
    console.log(`tradesim iid: ${(s.tradesPerSecond / 1e6).toFixed(1)} M resampled trades/s (${s.paths} x ${s.trades} in ${s.elapsedMs.toFixed(0)} ms)`);
  });

  it('block resampling keeps losing streaks that iid resampling breaks up', () => {
    // 20 losses then 20 wins, repeated: serially dependent trades
    const x = Float64Array.from({ length: 400 }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? -0.01 : 0.0105));
    const iid = runTradeSequence(x, { paths: 2000, seed: 1 });
    const fixed = runTradeSequence(x, { paths: 2000, seed: 1, method: 'fixed-block', blockSize: 20 });
    const stat = runTradeSequence(x, { paths: 2000, seed: 1, method: 'stationary', blockSize: 20 });
    expect(iid.longestLosingStreak.mean).toBeLessThan(12);
    expect(fixed.longestLosingStreak.mean).toBeGreaterThan(20);
    expect(stat.longestLosingStreak.mean).toBeGreaterThan(20);
    expect(fixed.maxDrawdown.mean).toBeGreaterThan(iid.maxDrawdown.mean);
    // stationary with mean block 1 draws a new index every trade from the same stream: iid exactly
    expect(simulateTradePaths(x, { paths: 20, method: 'stationary', blockSize: 1, seed: 5 })).toEqual(simulateTradePaths(x, { paths: 20, seed: 5 }));
  });

  it('additive mode, ruin at zero equity (absorbing), Wilson interval', () => {
    const add = runTradeSequence(new Float64Array([0.1, 0.1]), { paths: 5, trades: 10, compounding: 'additive' });
    expect(add.finalEquity.mean).toBeCloseTo(2, 12);
    const bust = simulateTradePaths(new Float64Array([-1.5, 0.5]), { paths: 200, trades: 50, ruinThreshold: 0 });
    for (let p = 0; p < 200; p++) {
      if (bust.ruined[p]) expect(bust.finalEquity[p]).toBe(0);
      expect(bust.maxDrawdown[p]).toBeLessThanOrEqual(1);
    }
    const [lo, hi] = wilsonInterval(50, 100, 0.95);
    expect(lo).toBeCloseTo(0.40383153, 7);
    expect(hi).toBeCloseTo(0.59616847, 7);
  });

  it('names bad arguments', () => {
    expect(() => runTradeSequence(trades, { paths: 0 })).toThrow(/opts.paths must be an integer in \[1, /);
    expect(() => runTradeSequence(new Float64Array([0.1, NaN, 0.2]))).toThrow(/returns\[1\] must be finite/);
    expect(() => runTradeSequence(trades, { method: 'jackknife' as 'iid' })).toThrow(/opts.method must be/);
    expect(() => runTradeSequence(trades, { ruinThreshold: 1 })).toThrow(/opts.ruinThreshold must be in \[0, 1\)/);
    expect(() => runTradeSequence(trades, { method: 'fixed-block', blockSize: 2.5 })).toThrow(/opts.blockSize must be an integer/);
    expect(() => runTradeSequence(trades, { seed: -1 })).toThrow(/seed must be a non-negative safe integer/);
    expect(() => runTradeSequence([0.1, 0.2] as unknown as Float64Array)).toThrow(TypeError);
  });
});
