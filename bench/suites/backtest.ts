/**
 * Backtesting throughput.
 *
 * Group "event-driven, 1M bars" (unit: bar): one SMA-crossover backtest, SmaCross(50, 200)
 * long-only with allIn orders, on 1,000,000 one-minute bars of one symbol (a random walk on a
 * 0.01 price grid, TestRng(20240601)). Cases:
 *   - runBacktest, default settings (invariants checked on every bar) - the baseline
 *   - runBacktest with checkInvariants: false
 *   - the same backtest through the vectorised kernel: op sweep.smaCross, one pair, cpu
 *   - and through its TypeScript reference (the js backend)
 * Verified first: all four give the same Sharpe, total return, trade count and fingerprint.
 *
 * Group "sweep 10k pairs x 10 symbols x 5k bars" (unit: bar evaluation = one parameter set on
 * one bar of one symbol; 5e8 per call): 10,000 (fast, slow) pairs spread evenly over the
 * 19,701 pairs with 2 <= fast < slow <= 200, on 10 symbols of 5,000 daily bars (random walks,
 * TestRng(20240602)), commission 1 bp + slippage 1 bp, 10 CSCV blocks (the sweep's default).
 * Cases:
 *   - sweep.smaCross cpu threads=1 - the baseline, and the per-core figure
 *   - sweep.smaCross cpu threads=2
 *   - the js reference on a slice (20 pairs x 10 symbols), per bar evaluation
 *   - runBacktest, one event-driven backtest per (pair, symbol), on a slice (4 pairs x 10
 *     symbols), per bar evaluation: what the sweep would cost without the kernel
 * Verified first: the cpu output is bit-identical to the reference on a slice, and a few
 * (pair, symbol) cells equal runBacktest exactly.
 *
 * Run on its own: node dist/bench/suites/backtest.js [--quick] [--filter <text>].
 */
import { fileURLToPath } from 'node:url';
import { availableBackends, backendStatus, runOp } from '../../src/compute/index.js';
import type { Bars } from '../../src/data/bars.js';
import { runBacktest } from '../../src/trading/backtester.js';
import { SmaCross } from '../../src/trading/strategies/sma-cross.js';
import {
  barCloseTimes, encodeCosts, smaCrossPairs, sweepSmaCrossOp, sweepStride, SWEEP_SLOT, tradeFingerprint, type SweepCosts, type SweepSmaCrossArgs,
} from '../../src/trading/sweep/index.js';
import { TestRng } from '../../src/util/rng.js';
import { parseOptions, runSuite, type BenchCase, type SkippedCase, type SuiteModule, type SuiteSpec } from '../harness.js';

const EVENT_BARS = 1_000_000;
const PAIRS = 10_000;
const SYMBOLS = 10;
const BARS = 5_000;
const BLOCKS = 10;
const JS_SLICE_PAIRS = 20;
const EVENT_SLICE_PAIRS = 4;
const DAY = 86_400_000;

/** Random-walk OHLC on a 0.01 grid, bars of `stepMs` from 2000-01-03. */
function randomBars(rng: TestRng, n: number, stepMs: number, timeframe: '1m' | '1d', symbol: string, vol: number): Bars {
  const b: Bars = { symbol, timeframe, time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  let p = 50 + 100 * rng.next();
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = Math.max(0.01, Math.round(o * Math.exp(vol * rng.normal()) * 100) / 100);
    b.time[i] = Date.UTC(2000, 0, 3) + i * stepMs;
    b.open[i] = o;
    b.close[i] = c;
    b.high[i] = Math.round(Math.max(o, c) * (1 + 0.3 * vol * Math.abs(rng.normal())) * 100) / 100;
    b.low[i] = Math.max(0.01, Math.round(Math.min(o, c) * (1 - 0.3 * vol * Math.abs(rng.normal())) * 100) / 100);
    b.volume[i] = 1e6;
    p = c;
  }
  return b;
}

function argsOf(series: Bars[], fast: Uint32Array, slow: Uint32Array, costs: SweepCosts, blocks: number): SweepSmaCrossArgs {
  const cols = series[0]!.close.length;
  const m = (k: 'open' | 'high' | 'low' | 'close'): Float64Array => {
    const x = new Float64Array(series.length * cols);
    series.forEach((s, r) => x.set(s[k], r * cols));
    return x;
  };
  const time = new Float64Array(series.length * cols);
  series.forEach((s, r) => time.set(barCloseTimes(s), r * cols));
  return {
    open: m('open'), high: m('high'), low: m('low'), close: m('close'), time, symbols: series.length, bars: cols,
    start: new Uint32Array(series.length), end: new Uint32Array(series.length).fill(cols), fast, slow, costs: encodeCosts(costs), blocks,
  };
}

function eventDriven(b: Bars, fast: number, slow: number, c: SweepCosts, invariants = true) {
  return runBacktest({
    feeds: [b], strategy: new SmaCross({ fast, slow }), initialCash: c.initialCash, checkInvariants: invariants,
    instruments: [{ symbol: b.symbol, tickSize: c.tickSize, lotSize: c.lotSize, fees: c.fees }],
    fillModel: { slippage: c.slippageBps > 0 ? { kind: 'bps', bps: c.slippageBps } : { kind: 'none' } },
  });
}

function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(`backtest bench: ${what}`);
}

export const backtestSuite: SuiteModule = {
  name: 'backtest',
  build(): SuiteSpec {
    const hasCpu = availableBackends().includes('cpu');
    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];
    const cpuReason = backendStatus().find((b) => b.name === 'cpu')!.detail;

    // ---- event-driven, one symbol, 1M bars ----
    const g1 = 'event-driven, 1M bars';
    const one = randomBars(new TestRng(20240601), EVENT_BARS, 60_000, '1m', 'X', 0.002);
    const none: SweepCosts = { initialCash: 100_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 0, taker: 0 }, slippageBps: 0 };
    const oneArgs = argsOf([one], Uint32Array.of(50), Uint32Array.of(200), none, 0);
    const oneCt = barCloseTimes(one);
    const checkOne = (out: Float64Array, what: string): void => {
      const r = eventDriven(one, 50, 200, none);
      const fp = tradeFingerprint(r.trades, oneCt);
      must(out[SWEEP_SLOT.sharpe] === r.metrics.sharpe && out[SWEEP_SLOT.totalReturn] === r.metrics.totalReturn && out[SWEEP_SLOT.trades] === r.metrics.trades
        && out[SWEEP_SLOT.fingerprintHi] === fp.hi && out[SWEEP_SLOT.fingerprintLo] === fp.lo, `${what} differs from runBacktest (Sharpe ${out[SWEEP_SLOT.sharpe]} vs ${r.metrics.sharpe})`);
    };
    cases.push({
      name: 'runBacktest SmaCross(50,200), invariants on (default)', group: g1, tag: 'ours', baseline: true, items: EVENT_BARS, minSamples: 5,
      notes: 'one symbol, 1,000,000 one-minute bars, allIn orders, default fill model; includes computeMetrics',
      verify: () => { const r = eventDriven(one, 50, 200, none); must(r.trades.length > 1000 && r.barsProcessed === EVENT_BARS, `unexpected run: ${r.trades.length} trades`); },
      fn: () => { eventDriven(one, 50, 200, none); },
    });
    cases.push({
      name: 'runBacktest, checkInvariants: false', group: g1, tag: 'ours', items: EVENT_BARS, minSamples: 5,
      verify: () => { const a = eventDriven(one, 50, 200, none, false), b = eventDriven(one, 50, 200, none); must(a.metrics.sharpe === b.metrics.sharpe, 'invariant checks changed the result'); },
      fn: () => { eventDriven(one, 50, 200, none, false); },
    });
    if (hasCpu) {
      cases.push({
        name: 'sweep.smaCross kernel, 1 pair, cpu', group: g1, tag: 'ours', items: EVENT_BARS,
        notes: 'the same backtest reduced to metrics by the native kernel (bit-identical to runBacktest)',
        verify: () => checkOne(runOp(sweepSmaCrossOp, oneArgs, { backend: 'cpu', threads: 1 }), 'cpu kernel'),
        fn: () => { runOp(sweepSmaCrossOp, oneArgs, { backend: 'cpu', threads: 1 }); },
      });
    } else skipped.push({ name: 'sweep.smaCross kernel, 1 pair, cpu', group: g1, reason: cpuReason });
    cases.push({
      name: 'sweep.smaCross reference, 1 pair, js', group: g1, tag: 'ours', items: EVENT_BARS, minSamples: 5,
      verify: () => checkOne(runOp(sweepSmaCrossOp, oneArgs, { backend: 'js' }), 'js reference'),
      fn: () => { runOp(sweepSmaCrossOp, oneArgs, { backend: 'js' }); },
    });

    // ---- the sweep: 10k pairs x 10 symbols x 5k bars ----
    const g2 = 'sweep 10k pairs x 10 symbols x 5k bars';
    const all = smaCrossPairs([2, 200], [2, 200]);
    const pick = Array.from({ length: PAIRS }, (_, k) => Math.floor((k * all.fast.length) / PAIRS));
    const fast = Uint32Array.from(pick, (i) => all.fast[i]!), slow = Uint32Array.from(pick, (i) => all.slow[i]!);
    const rng = new TestRng(20240602);
    const symbols = Array.from({ length: SYMBOLS }, (_, s) => randomBars(rng, BARS, DAY, '1d', `S${s}`, 0.015));
    const costs: SweepCosts = { initialCash: 100_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 1, taker: 1 }, slippageBps: 1 };
    const args = argsOf(symbols, fast, slow, costs, BLOCKS);
    const evals = PAIRS * SYMBOLS * BARS;
    const stride = sweepStride(BLOCKS);
    const out = new Float64Array(PAIRS * SYMBOLS * stride);
    const jsArgs = { ...args, fast: fast.subarray(0, JS_SLICE_PAIRS), slow: slow.subarray(0, JS_SLICE_PAIRS) };
    const evArgs = { fast: fast.subarray(0, EVENT_SLICE_PAIRS), slow: slow.subarray(0, EVENT_SLICE_PAIRS) };
    if (hasCpu) {
      const verifyCpu = (threads: number) => (): void => {
        out.fill(-7.77e77);
        runOp(sweepSmaCrossOp, { ...args, out }, { backend: 'cpu', threads });
        const ref = runOp(sweepSmaCrossOp, jsArgs, { backend: 'js' });
        for (let i = 0; i < ref.length; i++) must(Object.is(ref[i], out[i]) || (Number.isNaN(ref[i]!) && Number.isNaN(out[i]!)), `cpu threads=${threads} differs from the js reference at ${i}: ${out[i]} vs ${ref[i]}`);
        for (const [p, s] of [[0, 0], [1, 3], [PAIRS - 1, SYMBOLS - 1], [PAIRS >> 1, 5]] as const) {
          const r = eventDriven(symbols[s]!, fast[p]!, slow[p]!, costs, false);
          const o = (p * SYMBOLS + s) * stride;
          const fp = tradeFingerprint(r.trades, barCloseTimes(symbols[s]!));
          must(out[o + SWEEP_SLOT.sharpe] === r.metrics.sharpe && out[o + SWEEP_SLOT.maxDrawdown] === r.metrics.maxDrawdown && out[o + SWEEP_SLOT.fingerprintHi] === fp.hi,
            `cpu cell (pair ${p}, symbol ${s}) differs from runBacktest`);
        }
        let trades = 0;
        for (let k = 0; k < PAIRS * SYMBOLS; k++) trades += out[k * stride + SWEEP_SLOT.trades]!;
        process.stdout.write(`(${(trades / (PAIRS * SYMBOLS)).toFixed(1)} trades per pair and symbol) `);
      };
      for (const threads of [1, 2]) {
        cases.push({
          name: `sweep.smaCross cpu threads=${threads}`, group: g2, tag: 'ours', baseline: threads === 1, items: evals, minSamples: 3,
          notes: `runOp(sweepSmaCrossOp, {..., out}, {backend: 'cpu', threads: ${threads}}): 10,000 pairs x 10 symbols x 5,000 bars, ${BLOCKS} CSCV blocks, argument validation included`,
          verify: verifyCpu(threads),
          fn: () => { runOp(sweepSmaCrossOp, { ...args, out }, { backend: 'cpu', threads }); },
        });
      }
    } else skipped.push({ name: 'sweep.smaCross cpu', group: g2, reason: cpuReason });
    cases.push({
      name: `js reference (${JS_SLICE_PAIRS}-pair slice)`, group: g2, tag: 'ours', baseline: !hasCpu, items: JS_SLICE_PAIRS * SYMBOLS * BARS, minSamples: 3,
      notes: `the TypeScript reference on the first ${JS_SLICE_PAIRS} pairs x 10 symbols, reported per bar evaluation`,
      fn: () => { runOp(sweepSmaCrossOp, jsArgs, { backend: 'js' }); },
    });
    cases.push({
      name: `runBacktest per (pair, symbol) (${EVENT_SLICE_PAIRS}-pair slice)`, group: g2, tag: 'ours', items: EVENT_SLICE_PAIRS * SYMBOLS * BARS, minSamples: 3,
      notes: `one event-driven backtest (checkInvariants: false) per pair and symbol on the first ${EVENT_SLICE_PAIRS} pairs x 10 symbols, reported per bar evaluation`,
      fn: () => {
        for (let p = 0; p < EVENT_SLICE_PAIRS; p++) for (const s of symbols) eventDriven(s, evArgs.fast[p]!, evArgs.slow[p]!, costs, false);
      },
    });

    return {
      name: 'backtest',
      description: 'event-driven SMA-crossover backtest on 1M bars, and the vectorised sweep of 10,000 parameter sets x 10 symbols x 5,000 bars',
      unit: 'bar',
      params: {
        eventDriven: { bars: EVENT_BARS, timeframe: '1m', strategy: 'SmaCross(50, 200) longOnly allIn', data: 'TestRng(20240601) random walk, vol 0.002, 0.01 grid', costs: 'none' },
        sweep: {
          pairs: PAIRS, pairSelection: 'every 1.97th of the 19,701 pairs 2 <= fast < slow <= 200 (evenly spread)', symbols: SYMBOLS, bars: BARS, timeframe: '1d',
          data: 'TestRng(20240602) random walks, vol 0.015, 0.01 grid', costs: 'commission 1 bp, slippage 1 bp, cash 100,000', blocks: BLOCKS,
          unitNote: 'for this group one item is one bar evaluation (one parameter set on one bar of one symbol)',
        },
      },
      cases,
      skipped,
    };
  },
};

// Runnable on its own until bench/run.ts lists it: node dist/bench/suites/backtest.js [--quick] [--filter <text>]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = parseOptions(process.argv.slice(2));
  await runSuite(backtestSuite, opts);
}
