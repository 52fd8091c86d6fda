// The vectorised SMA-crossover sweep (op sweep.smaCross, js reference and C++ kernel) against
// the event-driven engine: for real bundled symbols, several parameter sets and cost
// schedules, every metric and the trade-list fingerprint must EQUAL runBacktest with
// SmaCross({fast, slow}) (exact equality, not a tolerance). Then the sweepSmaCross API (pool,
// progress, cancellation, top-N) and the `neurion sweep` command.
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { availableBackends, ComputePool, runOp, sma } from '../src/compute/index.js';
import { nativeAddon } from '../src/compute/backend.js';
import type { Bars } from '../src/data/bars.js';
import { loadBundled } from '../src/data/index.js';
import { runBacktest, type BacktestResult } from '../src/trading/backtester.js';
import { SmaCross } from '../src/trading/strategies/sma-cross.js';
import type { StrategyContext, BarView } from '../src/trading/strategy.js';
import { SmaStream } from '../src/ta/indicators/ma.js';
import {
  barCloseTimes, encodeCosts, packBars, sweepSmaCross, sweepSmaCrossOp, sweepStride, SWEEP_SLOT, tradeFingerprint, expandRange, smaCrossPairs,
  type SweepCosts, type SweepSmaCrossArgs,
} from '../src/trading/sweep/index.js';
import { randomSweepBars } from '../src/trading/sweep/op.js';
import { registerSweepCommand } from '../src/cli/sweep.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

const backends = availableBackends().filter((b) => b !== 'cuda');
const pool = new ComputePool({ maxThreads: 1 });
afterAll(() => pool.destroy());

const COSTS: Record<string, SweepCosts> = {
  none: { initialCash: 100_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 0, taker: 0 }, slippageBps: 0 },
  bps: { initialCash: 50_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 10, taker: 10 }, slippageBps: 5 },
  perShare: { initialCash: 10_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'perShare', perShare: 0.005, minimum: 1, maxFraction: 0.005 }, slippageBps: 2 },
  fractional: { initialCash: 7_777, tickSize: 0.0001, lotSize: 0.01, fees: { kind: 'bps', maker: 2, taker: 7.5, minimum: 0.5 }, slippageBps: 1 },
};

/** Feeds the warm-up bars to a strategy through a context that never trades (it just watches). */
function prefeed(strategy: SmaCross, b: Bars, until: number): void {
  const ctx = { position: () => ({ qty: 0 }), submit: () => undefined } as unknown as StrategyContext;
  for (let i = 0; i < until; i++) strategy.onBar(ctx, { symbol: b.symbol, close: b.close[i]! } as BarView);
}

/** The event-driven engine on bars [start, end) of one series (earlier bars warm the SMAs). */
function eventDriven(b: Bars, fast: number, slow: number, c: SweepCosts, start = 0, end = b.close.length): BacktestResult {
  const strategy = new SmaCross({ fast, slow });
  if (start > 0) prefeed(strategy, b, start);
  const ct = barCloseTimes(b);
  return runBacktest({
    feeds: [b],
    strategy,
    initialCash: c.initialCash,
    instruments: [{ symbol: b.symbol, tickSize: c.tickSize, lotSize: c.lotSize, fees: c.fees }],
    fillModel: { slippage: c.slippageBps > 0 ? { kind: 'bps', bps: c.slippageBps } : { kind: 'none' } },
    start: start > 0 ? ct[start] : undefined,
    end: end < b.close.length ? ct[end - 1] : undefined,
  });
}

/** Every slot of one (pair, symbol) row must equal the event engine's numbers exactly. */
function expectEqual(row: Float64Array, o: number, r: BacktestResult, closeTimes: Float64Array, what: string): void {
  const m = r.metrics;
  const fp = tradeFingerprint(r.trades, closeTimes);
  const got = {
    totalReturn: row[o + SWEEP_SLOT.totalReturn], sharpe: row[o + SWEEP_SLOT.sharpe], maxDrawdown: row[o + SWEEP_SLOT.maxDrawdown],
    trades: row[o + SWEEP_SLOT.trades], winRate: row[o + SWEEP_SLOT.winRate], profitFactor: row[o + SWEEP_SLOT.profitFactor],
    finalEquity: row[o + SWEEP_SLOT.finalEquity], fees: row[o + SWEEP_SLOT.fees], timeInMarket: row[o + SWEEP_SLOT.timeInMarket],
    fingerprintHi: row[o + SWEEP_SLOT.fingerprintHi], fingerprintLo: row[o + SWEEP_SLOT.fingerprintLo],
  };
  const want = {
    totalReturn: m.totalReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown, trades: m.trades, winRate: m.winRate, profitFactor: m.profitFactor,
    finalEquity: r.finalEquity, fees: m.fees, timeInMarket: m.timeInMarket, fingerprintHi: fp.hi, fingerprintLo: fp.lo,
  };
  expect(got, what).toEqual(want);
  expect(Object.is(got.sharpe, want.sharpe) && Object.is(got.totalReturn, want.totalReturn), `${what}: bit-identical`).toBe(true);
}

function opArgs(series: Bars[], pairs: Array<[number, number]>, c: SweepCosts, start?: number[], end?: number[], blocks = 0): SweepSmaCrossArgs {
  const p = packBars(series);
  return {
    open: p.open, high: p.high, low: p.low, close: p.close, time: p.time, symbols: p.rows, bars: p.cols,
    start: Uint32Array.from(start ?? series.map(() => 0)), end: Uint32Array.from(end ?? Array.from(p.length)),
    fast: Uint32Array.from(pairs, (x) => x[0]), slow: Uint32Array.from(pairs, (x) => x[1]), costs: encodeCosts(c), blocks,
  };
}

const SPY = loadBundled('SPY', '1d'), IWM = loadBundled('IWM', '1d'), AAPL = loadBundled('AAPL', '1d');
const EURUSD = loadBundled('EURUSD', '1d'), BTC = loadBundled('BTCUSD', '1d'), GOOGL = loadBundled('GOOGL', '1d');

describe('sweep.smaCross equals the event-driven engine (runBacktest + SmaCross longOnly)', () => {
  const proof: string[] = [];
  afterAll(() => console.info(`equality proof (sweep vs runBacktest, exact):\n  ${proof.join('\n  ')}`));

  it.each(Object.keys(COSTS))('real bundled symbols of different lengths in one call, costs: %s', (costName) => {
    const c = COSTS[costName]!;
    const series = costName === 'fractional' ? [BTC, EURUSD, GOOGL] : [SPY, IWM, AAPL, GOOGL];
    const pairs: Array<[number, number]> = costName === 'none' ? [[2, 3], [5, 20], [13, 47], [50, 200]] : [[3, 8], [10, 50], [50, 200]];
    const args = opArgs(series, pairs, c, undefined, undefined, 4);
    const stride = sweepStride(4);
    const results = backends.map((b) => [b, runOp(sweepSmaCrossOp, args, { backend: b })] as const);
    let trades = 0;
    series.forEach((b, s) => {
      const ct = barCloseTimes(b);
      pairs.forEach(([f, sl], p) => {
        const r = eventDriven(b, f, sl, c);
        trades += r.trades.length;
        for (const [backend, out] of results) expectEqual(out, (p * series.length + s) * stride, r, ct, `${backend} ${b.symbol} (${f}, ${sl}) ${costName}`);
      });
    });
    expect(trades).toBeGreaterThan(50);
    proof.push(`${costName}: ${series.map((b) => `${b.symbol}(${b.close.length})`).join(' ')} x pairs ${pairs.map((p) => p.join('/')).join(' ')} on ${backends.join('+')}: ${trades} trades, all metrics and fingerprints equal`);
  });

  it('spans: bars before start only warm the SMAs, end cuts the series', () => {
    const c = COSTS.bps!;
    const pairs: Array<[number, number]> = [[5, 20], [20, 60]];
    const start = [1500, 2500], end = [4000, 5244];
    const args = opArgs([SPY, IWM], pairs, c, start, end);
    const stride = sweepStride(0);
    for (const backend of backends) {
      const out = runOp(sweepSmaCrossOp, args, { backend });
      [SPY, IWM].forEach((b, s) => pairs.forEach(([f, sl], p) => {
        const r = eventDriven(b, f, sl, c, start[s], end[s]);
        expect(r.equity.length).toBe(end[s]! - start[s]!);
        expectEqual(out, (p * 2 + s) * stride, r, barCloseTimes(b), `${backend} ${b.symbol} window (${f}, ${sl})`);
      }));
    }
    proof.push('windows with SMA warm-up: SPY [1500, 4000), IWM [2500, 5244) equal');
  });

  it('random series with flat stretches (fast == slow ties) and off-grid extremes (property test)', () => {
    const seed = freshSeed();
    const rng = new TestRng(seed);
    const S = 3, B = 900;
    const d = randomSweepBars(rng, S, B);
    const pairs: Array<[number, number]> = [[1, 2], [2, 3], [rng.int(2, 9), rng.int(10, 40)], [rng.int(3, 20), rng.int(21, 120)]];
    const c = Object.values(COSTS)[rng.int(0, 3)]!;
    const args: SweepSmaCrossArgs = { ...d, symbols: S, bars: B, start: new Uint32Array(S), end: new Uint32Array(S).fill(B), fast: Uint32Array.from(pairs, (x) => x[0]), slow: Uint32Array.from(pairs, (x) => x[1]), costs: encodeCosts(c), blocks: 0 };
    for (const backend of backends) {
      const out = runOp(sweepSmaCrossOp, args, { backend });
      for (let s = 0; s < S; s++) {
        const row = (x: Float64Array): Float64Array => x.slice(s * B, (s + 1) * B);
        // Bars whose close times are the op's: open time = close time - 1 day.
        const b: Bars = { symbol: `R${s}`, timeframe: '1d', time: row(d.time).map((t) => t - 86_400_000), open: row(d.open), high: row(d.high), low: row(d.low), close: row(d.close), volume: new Float64Array(B).fill(1e6) };
        pairs.forEach(([f, sl], p) => expectEqual(out, (p * S + s) * sweepStride(0), eventDriven(b, f, sl, c), row(d.time), `seed ${seed} ${backend} R${s} (${f}, ${sl})`));
      }
    }
  });

  it('the SMAs it crosses are the ones the strategy sees: sma op (cpu) == SmaStream bit for bit', () => {
    const x = SPY.close;
    for (const p of [2, 17, 200]) {
      const st = new SmaStream(p);
      const stream = Float64Array.from(x, (v) => st.push(v));
      for (const backend of backends.filter((b) => b !== 'js')) {
        const batch = sma(x, { rows: 1, cols: x.length, period: p }, { backend });
        expect(Array.from(batch), `period ${p} ${backend}`).toEqual(Array.from(stream));
      }
    }
  });
});

describe('sweepSmaCross', () => {
  const viaPool0Pairs = smaCrossPairs('5..40:5', '20..120:20').fast.length;

  it('grid helpers: ranges and fast < slow pairs', () => {
    expect(expandRange('2..6', 'f')).toEqual([2, 3, 4, 5, 6]);
    expect(expandRange('5..20:5', 'f')).toEqual([5, 10, 15, 20]);
    expect(expandRange('20,5,10', 'f')).toEqual([5, 10, 20]);
    expect(expandRange([2, 4], 'f')).toEqual([2, 3, 4]);
    expect(expandRange({ from: 10, to: 30, step: 10 }, 'f')).toEqual([10, 20, 30]);
    expect(() => expandRange('2-200', 'fastRange')).toThrow(/fastRange must look like 2..200/);
    expect(smaCrossPairs([2, 200], [2, 200]).fast.length).toBe((199 * 198) / 2);
    const p = smaCrossPairs([2, 4], [3, 5]);
    expect(Array.from(p.fast)).toEqual([2, 2, 3, 2, 3, 4]);
    expect(Array.from(p.slow)).toEqual([3, 4, 4, 5, 5, 5]);
  });

  it('pool and inline runs agree; progress reaches the total; top N is the best by mean metric; the table matches single backtests', async () => {
    const input = { bars: [SPY, IWM], fastRange: '5..40:5', slowRange: '20..120:20', costs: { perShare: 0.005, minFee: 1 }, metric: 'sharpe' as const, top: 5 };
    const progress: number[] = [];
    const viaPool = await sweepSmaCross(input, { pool, onProgress: (d, t) => { progress.push(d); expect(t).toBe(viaPool0Pairs * 2); } });
    const inline = await sweepSmaCross(input, { inline: true, threads: 2 });
    expect(Array.from(viaPool.metrics.sharpe)).toEqual(Array.from(inline.metrics.sharpe));
    expect(Array.from(viaPool.fingerprint.hi)).toEqual(Array.from(inline.fingerprint.hi));
    expect(progress.at(-1)).toBe(viaPool.fast.length * 2);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    // Top N: sorted, and nobody outside it scores higher.
    const scores = viaPool.top.map((t) => t.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(Math.max(...viaPool.score)).toBe(scores[0]);
    const t = viaPool.top[0]!;
    expect(t.score).toBeCloseTo((t.perSymbol[0]!.sharpe + t.perSymbol[1]!.sharpe) / 2, 12);
    // The winner equals its own event-driven backtest.
    const r = eventDriven(IWM, t.fast, t.slow, { ...COSTS.none!, fees: { kind: 'perShare', perShare: 0.005, minimum: 1 } });
    expect(t.perSymbol[1]!.sharpe).toBe(r.metrics.sharpe);
    expect(t.perSymbol[1]!.fingerprint).toBe(tradeFingerprint(r.trades, barCloseTimes(IWM)).hex);
    // Overfitting statistics are wired in.
    expect(viaPool.overfitting!.pbo.trials).toBe(viaPool.fast.length);
    expect(viaPool.overfitting!.pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(viaPool.overfitting!.deflatedSharpe.map((d) => d.symbol)).toEqual(['SPY', 'IWM']);
    for (const d of viaPool.overfitting!.deflatedSharpe) {
      expect(d.probability).toBeGreaterThanOrEqual(0);
      expect(d.probability).toBeLessThanOrEqual(d.probabilisticSharpe + 1e-12);
    }
  });
  it('keepTable: false keeps only the streaming reductions, with the same top N and overfitting statistics', async () => {
    const input = { bars: [SPY, IWM], fastRange: '2..60:2', slowRange: '20..200:10', metric: 'totalReturn' as const, top: 7, blocks: 8 };
    const full = await sweepSmaCross(input, { inline: true, threads: 2, windowPairs: 37 });
    const lean = await sweepSmaCross({ ...input, keepTable: false }, { inline: true, threads: 2, windowPairs: 37 });
    expect(lean.metrics.sharpe.length).toBe(0);
    expect(lean.top).toEqual(full.top);
    // The full table's own ranking agrees with the streamed top N.
    const order = Array.from(full.score.keys()).sort((a, b) => full.score[b]! - full.score[a]! || a - b).slice(0, 7);
    expect(full.top.map((t) => [t.fast, t.slow])).toEqual(order.map((p) => [full.fast[p], full.slow[p]]));
    expect(lean.overfitting!.pbo.pbo).toBe(full.overfitting!.pbo.pbo);
    lean.overfitting!.deflatedSharpe.forEach((d, s) => expect(d.probability).toBeCloseTo(full.overfitting!.deflatedSharpe[s]!.probability, 12));
  });

  it('cancels through its AbortSignal', async () => {
    const controller = new AbortController();
    const job = sweepSmaCross({ bars: [SPY], fastRange: [2, 200], slowRange: [2, 200], blocks: 0 }, { pool, chunkPairs: 200, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(job).rejects.toThrow(/abort|cancel/i);
  });

  it('rejects bad input with clear errors', async () => {
    await expect(sweepSmaCross({ bars: [SPY], costs: { commissionBps: 1, perShare: 0.01 } }, { inline: true })).rejects.toThrow(/commissionBps or perShare, not both/);
    await expect(sweepSmaCross({ bars: [SPY], metric: 'nope' as never }, { inline: true })).rejects.toThrow(/metric must be one of/);
    await expect(sweepSmaCross({ bars: [GOOGL], fastRange: [2, 3], slowRange: [1800, 1801] }, { inline: true })).rejects.toThrow(/slow\[0\] must be an integer in \[fast \+ 1, bars\]/);
    await expect(sweepSmaCross({ symbols: [] }, { inline: true })).rejects.toThrow(/needs symbols/);
    await expect(sweepSmaCross({ bars: [SPY], blocks: 3 }, { inline: true })).rejects.toThrow(/blocks must be an even integer/);
  });

  it('native entry point validates before touching memory (direct calls and a randomised argument fuzz)', () => {
    if (!backends.includes('cpu')) return;
    const addon = nativeAddon('cpu') as unknown as { sweepSmaCross: (...a: unknown[]) => unknown };
    const a = opArgs([GOOGL.close.length > 300 ? { ...GOOGL, open: GOOGL.open.slice(0, 300), high: GOOGL.high.slice(0, 300), low: GOOGL.low.slice(0, 300), close: GOOGL.close.slice(0, 300), time: GOOGL.time.slice(0, 300), volume: GOOGL.volume.slice(0, 300) } : GOOGL], [[2, 5], [3, 30]], COSTS.none!, undefined, undefined, 2);
    const good = [a.open, a.high, a.low, a.close, a.time, a.symbols, a.bars, a.start, a.end, a.fast, a.slow, a.costs, a.blocks, undefined, 1];
    expect(addon.sweepSmaCross(...good)).toBeInstanceOf(Float64Array);
    const direct: Array<[number, unknown, RegExp]> = [
      [0, undefined, /sweep\.smaCross: open must be a Float64Array, got undefined/],
      [3, new Float32Array(300), /close must be a Float64Array, got Float32Array/],
      [5, '1', /symbols must be a number/],
      [6, 301, /open must have length 301/],
      [7, new Float64Array(1), /start must be a Uint32Array/],
      [8, Uint32Array.of(301), /end\[0\] must be an integer in \[1, bars\]/],
      [9, Uint32Array.of(0, 3), /fast\[0\] must be an integer >= 1, got 0/],
      [10, Uint32Array.of(5, 2), /slow\[1\] must be an integer in \[fast \+ 1, bars\] = \[4, 300\], got 2/],
      [11, Float64Array.of(1e5, 0.01, 1, 1, -1, 0, NaN, 0), /costs\[4\] \(feeRate\) must be a non-negative number, got -1/],
      [12, 1.5, /blocks must be an integer in \[0, 64\]/],
      [13, new Float64Array(5), /out must have length 34 \(pairs \* symbols \* \(13 \+ 2 \* blocks\)\), got 5/],
      [13, a.close, /out must have length|out must not share memory/],
      [14, 0, /threads must be an integer in \[1, 256\]/],
    ];
    for (const [k, v, re] of direct) {
      const args = [...good];
      args[k] = v;
      expect(() => addon.sweepSmaCross(...args), `argument ${k}`).toThrow(re);
    }
    // Fuzz: one or two arguments replaced by hostile values; every call must return or throw a TypeError/RangeError.
    const seed = freshSeed();
    const rng = new TestRng(seed);
    const hostile = (): unknown => {
      const pool: unknown[] = [undefined, null, 'x', -1, 0, 1, 2, 1.5, NaN, Infinity, 2 ** 53, 2 ** 33, [], {}, new Float32Array(3), new Uint32Array(0),
        Uint32Array.of(1, 2), Uint32Array.of(299, 300), Uint32Array.of(4294967295, 4294967295), Uint32Array.of(0, 300), new Float64Array(0), new Float64Array(300).fill(NaN),
        new Float64Array(300).fill(-1), Float64Array.of(1e5, 1e-300, 1e300, 2, 1, 0, NaN, 0), Float64Array.of(1e5, 0.01, 1, 2, 0.005, 1, 1e-9, 1e6), Float64Array.of(NaN, 0.01, 1, 0, 0, 0, NaN, 0)];
      return pool[rng.int(0, pool.length - 1)];
    };
    for (let n = 0; n < 400; n++) {
      const args = [...good];
      for (let m = rng.int(1, 2); m > 0; m--) args[rng.int(0, 14)] = hostile();
      try {
        const r = addon.sweepSmaCross(...args);
        expect(r, `seed ${seed} call ${n}`).toBeInstanceOf(Float64Array);
      } catch (e) {
        expect(e instanceof TypeError || e instanceof RangeError, `seed ${seed} call ${n}: ${(e as Error).message}`).toBe(true);
      }
    }
  });
});

describe('neurion sweep', () => {
  function cli(args: string[]): Promise<string> {
    let text = '';
    const program = new Command('neurion').exitOverride();
    registerSweepCommand(program, (s) => { text += s; });
    return program.parseAsync(['node', 'neurion', 'sweep', ...args]).then(() => text);
  }

  it('--json prints the top pairs and the overfitting statistics', async () => {
    const j = JSON.parse(await cli(['--symbols', 'SPY,IWM', '--fast', '5..30:5', '--slow', '40..100:20', '--top', '3', '--threads', '1', '--json'])) as {
      symbols: string[]; pairs: number; top: Array<{ fast: number; slow: number; perSymbol: Array<{ fingerprint: string }> }>; overfitting: { pbo: { pbo: number }; deflatedSharpe: unknown[] };
    };
    expect(j.symbols).toEqual(['SPY', 'IWM']);
    expect(j.pairs).toBe(6 * 4);
    expect(j.top).toHaveLength(3);
    expect(j.top[0]!.perSymbol[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(j.overfitting.deflatedSharpe).toHaveLength(2);
  });

  it('prints a table, and rejects bad flags', async () => {
    const text = await cli(['--symbols', 'SPY', '--fast', '5,10', '--slow', '50,100', '--per-share', '0.005', '--min-fee', '1', '--threads', '1']);
    expect(text).toMatch(/sma-cross sweep: 4 pairs x 1 symbol/);
    expect(text).toMatch(/PBO/);
    await expect(cli(['--symbols', 'SPY', '--metric', 'bogus'])).rejects.toThrow(/--metric must be one of/);
    await expect(cli(['--symbols', 'SPY', '--fast', '2-9'])).rejects.toThrow(/fastRange must look like/);
  });
});
