// The backtester: no look-ahead by construction, multi-timeframe visibility at close,
// determinism, invariants under random strategies, metrics on a hand-computed curve, and a
// real-data run.
import { describe, expect, it } from 'vitest';
import type { Bars } from '../src/data/bars.js';
import { loadBundled } from '../src/data/index.js';
import { runBacktest } from '../src/trading/backtester.js';
import { computeMetrics } from '../src/trading/metrics.js';
import { SmaCross } from '../src/trading/strategies/sma-cross.js';
import { LookAheadError, type Strategy } from '../src/trading/strategy.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

const HOUR = 3_600_000;

function hourly(n: number, rng: TestRng, symbol = 'X', start = Date.UTC(2021, 0, 4)): Bars {
  const b: Bars = { symbol, timeframe: '1h', time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p, c = Math.round(o * Math.exp(0.01 * rng.normal()) * 100) / 100;
    b.time[i] = start + i * HOUR; b.open[i] = o; b.close[i] = c;
    b.high[i] = Math.round(Math.max(o, c) * (1 + 0.003 * Math.abs(rng.normal())) * 100) / 100;
    b.low[i] = Math.round(Math.min(o, c) * (1 - 0.003 * Math.abs(rng.normal())) * 100) / 100;
    b.volume[i] = 1000 + Math.floor(1e4 * rng.next());
    p = c;
  }
  return b;
}

/** Daily bars aggregated from hourly ones (UTC days). */
function daily(h: Bars): Bars {
  const out: number[][] = [];
  for (let i = 0; i < h.time.length; i++) {
    const day = Math.floor(h.time[i]! / 86_400_000) * 86_400_000;
    const last = out[out.length - 1];
    if (!last || last[0] !== day) out.push([day, h.open[i]!, h.high[i]!, h.low[i]!, h.close[i]!, h.volume[i]!]);
    else { last[2] = Math.max(last[2]!, h.high[i]!); last[3] = Math.min(last[3]!, h.low[i]!); last[4] = h.close[i]!; last[5]! += h.volume[i]!; }
  }
  const col = (k: number): Float64Array => Float64Array.from(out, (r) => r[k]!);
  return { symbol: h.symbol, timeframe: '1d', time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

describe('backtester', () => {
  it('a strategy that tries to read the future fails', () => {
    const h = hourly(50, new TestRng(1));
    const cheat: Strategy = { onBar: (ctx) => { ctx.data('X').close(-1); } };
    expect(() => runBacktest({ feeds: [h], strategy: cheat })).toThrow(LookAheadError);
    const peek: Strategy = { onBar: (ctx, bar) => { expect(ctx.data('X').closes().length).toBe(bar.index + 1); expect(ctx.data('X').close()).toBe(bar.close); } };
    runBacktest({ feeds: [h], strategy: peek });
  });

  it('a higher-timeframe bar becomes visible only once it has closed', () => {
    const h = hourly(24 * 5, new TestRng(2));
    const d = daily(h);
    const seen: Array<[number, number]> = [];
    const s: Strategy = {
      onBar(ctx, bar) {
        if (bar.timeframe !== '1h') return;
        const days = ctx.data('X', '1d');
        seen.push([bar.time, days.length]);
        if (days.length > 0) expect(days.time()).toBeLessThanOrEqual(bar.time); // its close is not in the future
      },
    };
    runBacktest({ feeds: [h, d], strategy: s });
    // During day k (hours closing before midnight) exactly k daily bars are visible.
    for (const [t, n] of seen) expect(n).toBe(Math.floor((t - 1 - Date.UTC(2021, 0, 4)) / 86_400_000));
  });

  it('is deterministic and holds the invariants under random strategies (property test)', () => {
    const seed = freshSeed();
    for (let trial = 0; trial < 6; trial++) {
      const rng = new TestRng(seed + trial);
      const feeds = [hourly(400, rng, 'A'), hourly(400, rng, 'B', Date.UTC(2021, 0, 4) + 30 * 60_000)];
      const make = (): Strategy => {
        const r = new TestRng(seed * 7 + trial);
        return {
          onBar(ctx, bar) {
            const u = r.next();
            const pos = ctx.position(bar.symbol).qty;
            const types = ['market', 'limit', 'stop', 'stopLimit', 'trailingStop'] as const;
            if (u < 0.15) {
              const type = types[r.int(0, 4)]!;
              const side = r.next() < 0.5 ? 'buy' : 'sell';
              const px = bar.close * (1 + 0.01 * r.normal());
              ctx.submit({ symbol: bar.symbol, side, type, qty: r.int(1, 50), limitPrice: px, stopPrice: px * (side === 'buy' ? 1.005 : 0.995), trailPercent: type === 'trailingStop' ? 0.01 : undefined, tif: (['GTC', 'IOC', 'FOK', 'DAY'] as const)[r.int(0, 3)], reduceOnly: pos !== 0 && r.next() < 0.3 });
            } else if (u < 0.2) ctx.cancelAll(bar.symbol);
          },
        };
      };
      const cfg = { feeds, initialCash: 50_000, account: { allowShort: true, leverage: 2 }, fillModel: { slippage: { kind: 'bps' as const, bps: 2 }, maxVolumeShare: 0.05 }, instruments: [{ symbol: 'A', fees: { kind: 'bps' as const, maker: 1, taker: 3 } }, { symbol: 'B' }] };
      let a, b;
      try {
        a = runBacktest({ ...cfg, strategy: make() }); // invariants checked on every bar
        b = runBacktest({ ...cfg, strategy: make() });
      } catch (e) {
        throw new Error(`seed ${seed} trial ${trial}: ${(e as Error).message}`);
      }
      expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
      expect(a.fills.length).toBeGreaterThan(0);
      for (const f of a.fills) expect(f.qty).toBeGreaterThan(0);
    }
  });

  it('metrics on a hand-computed equity curve', () => {
    const day = 86_400_000;
    const time = Float64Array.from([0, 1, 2, 3, 4], (k) => k * day);
    const equity = Float64Array.from([100, 110, 99, 108.9, 119.79]);
    const m = computeMetrics({ time, equity, exposure: new Float64Array(5).fill(1), trades: [], initialCash: 100, tradedNotional: 0, fees: 0 });
    expect(m.totalReturn).toBeCloseTo(0.1979, 12);
    expect(m.maxDrawdown).toBeCloseTo(99 / 110 - 1, 12);
    expect(m.maxDrawdownDurationBars).toBe(2); // peak at 110 (point 1), recovered at point 4
    // returns 0.1, -0.1, 0.1, 0.1: mean 0.05, sd 0.1 (ddof 1)
    const ppy = 4 / (4 / 365.25);
    expect(m.sharpe).toBeCloseTo((0.05 / 0.1) * Math.sqrt(ppy), 9);
    expect(m.sortino).toBeCloseTo((0.05 / Math.sqrt(0.01 / 4)) * Math.sqrt(ppy), 9);
  });

  it('runs an SMA crossover on real bundled data with sensible results', () => {
    const spy = loadBundled('SPY', '1d');
    const r = runBacktest({ feeds: [spy], strategy: new SmaCross({ fast: 50, slow: 200 }), instruments: [{ symbol: 'SPY', fees: { kind: 'perShare', perShare: 0.005, minimum: 1 } }] });
    expect(r.trades.length).toBeGreaterThan(5);
    expect(r.metrics.maxDrawdown).toBeLessThan(0);
    expect(r.metrics.periodsPerYear).toBeGreaterThan(240);
    expect(r.metrics.periodsPerYear).toBeLessThan(260);
    expect(r.finalEquity).toBeGreaterThan(0);
    const again = runBacktest({ feeds: [spy], strategy: new SmaCross({ fast: 50, slow: 200 }), instruments: [{ symbol: 'SPY', fees: { kind: 'perShare', perShare: 0.005, minimum: 1 } }] });
    expect(again.finalEquity).toBe(r.finalEquity);
  });

  it('rejects bad configurations with clear errors', () => {
    const h = hourly(10, new TestRng(3));
    const s: Strategy = { onBar: () => {} };
    expect(() => runBacktest({ feeds: [], strategy: s })).toThrow(/feeds must be a non-empty array/);
    expect(() => runBacktest({ feeds: [h], strategy: s, initialCash: -5 })).toThrow(/initialCash must be a positive number, got -5/);
    expect(() => runBacktest({ feeds: [h], strategy: s, start: 10, end: 5 })).toThrow(/date range is empty/);
    expect(() => runBacktest({ feeds: [h], strategy: s, start: 0, end: 5 })).toThrow(/selects no bars/);
    expect(() => runBacktest({ feeds: [h], strategy: s, instruments: [{ symbol: 'X', fees: { kind: 'bps', maker: -1, taker: 1 } }] })).toThrow(/fees.maker must be a non-negative number, got -1/);
    expect(() => runBacktest({ feeds: [h], strategy: s, instruments: [{ symbol: 'ZZZ' }] })).toThrow(/instrument "ZZZ" has no data feed/);
    expect(() => new SmaCross({ fast: 10, slow: 5 })).toThrow(/slow must be an integer > fast/);
  });
});
