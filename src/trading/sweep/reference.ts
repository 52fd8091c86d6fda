/**
 * The TypeScript reference of the SMA-crossover sweep (the judge of op `sweep.smaCross`): one
 * (fast, slow) pair on one symbol, bar by bar, the way runBacktest runs
 * SmaCross({fast, slow, mode: 'longOnly'}) with the default fill model:
 *
 *   - a market order submitted at a bar's close fills at the next bar's open;
 *   - allIn buy: the whole lots the cash affords at the execution price, fees included
 *     (PaperBroker.allInQty: one lot less at a time, at most 10,000 steps), then the
 *     affordability check of fillAt; allIn sell: the whole position;
 *   - execution price: open + slippage (bps, against the trader), rounded to the tick against
 *     the trader, clamped into the bar's [low, high] (PaperBroker.execPrice);
 *   - fees from the instrument's schedule (taker: market orders), booked as Account does;
 *   - the strategy decides on the bar's close with SmaStream values: buy when
 *     prev <= 0 < fast - slow and flat, sell when prev >= 0 > fast - slow and long;
 *   - equity = cash + qty * close after every bar, and computeMetrics on that curve.
 *
 * It reuses the broker's own helpers (roundPrice, roundQty, feeFor, slippageFor), SmaStream
 * and computeMetrics, so the only thing re-stated here is the order of events above.
 * tests/trading.sweep.test.ts proves it (and the C++ kernel) equal to runBacktest.
 *
 * Bars before `start` only warm the SMAs, as if the strategy had been running without
 * trading; the backtest covers bars [start, end).
 */
import { describeValue } from '../../errors.js';
import { SmaStream } from '../../ta/indicators/ma.js';
import type { Trade } from '../account.js';
import { slippageFor, type Slippage } from '../fill-model.js';
import { feeFor, roundPrice, roundQty, type FeeSchedule } from '../instrument.js';
import { computeMetrics, type Metrics } from '../metrics.js';
import { FingerprintBuilder } from './fingerprint.js';

/** Trading costs and sizing of the simulated instrument (a spot equity, multiplier 1). */
export interface SweepCosts {
  initialCash: number;
  /** Price increment; fills are rounded to it against the trader (default 0.01). */
  tickSize: number;
  /** Quantity increment (default 1: whole shares). */
  lotSize: number;
  /** Commission schedule: none, bps of notional (taker rate) or per share with minimum/cap. */
  fees: FeeSchedule;
  /** Slippage on market fills in bps of price (0: none). */
  slippageBps: number;
}

export const DEFAULT_COSTS: SweepCosts = {
  initialCash: 100_000,
  tickSize: 0.01,
  lotSize: 1,
  fees: { kind: 'bps', maker: 0, taker: 0 },
  slippageBps: 0,
};

/** Number of slots of the encoded costs (native/sweep/sma_cross.h kCostsLength). */
export const COSTS_LENGTH = 8;

/**
 * The costs as the op's Float64Array: initialCash, tickSize, lotSize, feeKind (0 none,
 * 1 bps, 2 perShare), feeRate (taker bps or per share), feeMinimum, feeMaxFraction (NaN:
 * none), slippageBps. Tiered fee schedules are not supported by the sweep.
 */
export function encodeCosts(c: SweepCosts): Float64Array {
  const f = c.fees;
  let kind: number, rate: number, maxFraction = NaN;
  if (f.kind === 'bps') {
    kind = 1;
    rate = f.taker;
  } else if (f.kind === 'perShare') {
    kind = 2;
    rate = f.perShare;
    if (f.maxFraction !== undefined) maxFraction = f.maxFraction;
  } else {
    throw new RangeError(`sweep costs: fee schedule kind ${describeValue((f as { kind: unknown }).kind)} is not supported (use bps or perShare)`);
  }
  return Float64Array.of(c.initialCash, c.tickSize, c.lotSize, kind, rate, f.minimum ?? 0, maxFraction, c.slippageBps);
}

/** The inverse of encodeCosts (a validated array). */
export function decodeCosts(a: Float64Array): SweepCosts {
  const kind = a[3]!;
  const fees: FeeSchedule = kind === 2
    ? { kind: 'perShare', perShare: a[4]!, minimum: a[5]!, ...(Number.isNaN(a[6]!) ? {} : { maxFraction: a[6]! }) }
    : { kind: 'bps', maker: kind === 1 ? a[4]! : 0, taker: kind === 1 ? a[4]! : 0, minimum: a[5]! };
  return { initialCash: a[0]!, tickSize: a[1]!, lotSize: a[2]!, fees, slippageBps: a[7]! };
}

/** One symbol's series (full rows) and the span the backtest covers. */
export interface SymbolSeries {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Bar close times (ms): fill and trade times, and computeMetrics' periods per year. */
  time: Float64Array;
  start: number;
  end: number;
}

/** A closed trade with the bar indices of its fills. */
export interface SweepTrade extends Trade {
  entryBar: number;
  exitBar: number;
}

export interface SimulationResult {
  /** Equity after each bar of [start, end). */
  equity: Float64Array;
  exposure: Float64Array;
  trades: SweepTrade[];
  metrics: Metrics;
  /** Skewness and (Pearson) kurtosis of the per-bar returns; 0 and 3 when they are all equal. */
  skew: number;
  kurtosis: number;
  /** Per CSCV block: sum of returns and sum of squared returns (2 * blocks values). */
  blockSums: Float64Array;
  fingerprint: { hi: number; lo: number; hex: string };
  /** Bars at which the strategy's orders were rejected (cash did not afford a lot). */
  rejected: number;
}

/** First return index of CSCV block b of `blocks` over `returns` returns: floor(b * returns / blocks). */
export function blockEdge(b: number, returns: number, blocks: number): number {
  return Math.floor((b * returns) / blocks);
}

/** Skewness and Pearson kurtosis from raw power sums of k values (0 and 3 when degenerate). */
export function momentsFromSums(k: number, s1: number, s2: number, s3: number, s4: number): { skew: number; kurtosis: number } {
  if (!(k > 0)) return { skew: 0, kurtosis: 3 };
  const m1 = s1 / k, a2 = s2 / k, a3 = s3 / k, a4 = s4 / k;
  const c2 = a2 - m1 * m1;
  const c3 = a3 - 3 * m1 * a2 + 2 * m1 * m1 * m1;
  const c4 = a4 - 4 * m1 * a3 + 6 * m1 * m1 * a2 - 3 * m1 * m1 * m1 * m1;
  if (!(c2 > 0)) return { skew: 0, kurtosis: 3 };
  return { skew: c3 / (c2 * Math.sqrt(c2)), kurtosis: c4 / (c2 * c2) };
}

/** Runs one pair on one symbol. `blocks` > 0 also returns the CSCV block sums. */
export function simulateSmaCross(d: SymbolSeries, fast: number, slow: number, costs: SweepCosts, blocks = 0, symbol = 'X'): SimulationResult {
  const { open, high, low, close, time, start, end } = d;
  const slippage: Slippage = { kind: 'bps', bps: costs.slippageBps };
  const { tickSize: tick, lotSize: lot, fees } = costs;
  const n = end - start;
  const equity = new Float64Array(n), exposure = new Float64Array(n);
  const trades: SweepTrade[] = [];
  const fastSma = new SmaStream(fast), slowSma = new SmaStream(slow);
  let cash = costs.initialCash, qty = 0, prev = NaN, pending: 'buy' | 'sell' | undefined;
  let entryPrice = 0, entryFee = 0, entryBar = 0, totalFees = 0, traded = 0, rejected = 0;

  const execPrice = (raw: number, buy: boolean, i: number, q: number): number => {
    const slip = slippageFor(slippage, raw, q, high[i]!, low[i]!, 0);
    const p = roundPrice(buy ? raw + slip : raw - slip, tick, buy ? 'buy' : 'sell');
    return Math.min(Math.max(p, low[i]!), high[i]!);
  };

  for (let i = 0; i < end; i++) {
    if (pending === 'buy') {
      // PaperBroker.allInQty, then fillAt's affordability check.
      let q = roundQty(cash / (execPrice(open[i]!, true, i, lot) * 1), lot);
      for (let k = 0; k < 10_000 && q > 0; k++) {
        const px = execPrice(open[i]!, true, i, q);
        if (q * px * 1 + feeFor(fees, q, px, 1, false, traded) <= cash + 1e-9) break;
        q = roundQty(q - lot, lot);
      }
      const px = execPrice(open[i]!, true, i, q);
      const fee = q > 0 ? feeFor(fees, q, px, 1, false, traded) : 0;
      if (q <= 0 || q * px * 1 + fee > cash + 1e-9) rejected++;
      else {
        cash -= fee;
        cash -= q * px * 1;
        qty = q;
        entryPrice = px;
        entryFee = fee;
        entryBar = i;
        totalFees += fee;
        traded += q * px * 1;
      }
    } else if (pending === 'sell') {
      const q = qty;
      const px = execPrice(open[i]!, false, i, q);
      const fee = feeFor(fees, q, px, 1, false, traded);
      cash -= fee;
      cash -= -q * px * 1;
      // Account.applyFill's round trip: fees of both fills and the realised P&L.
      let pnl = 0 - entryFee * 1;
      pnl += q * (px - entryPrice) * 1 * 1;
      pnl -= fee * 1;
      const ep = (0 + q * entryPrice) / q, xp = (0 + q * px) / q;
      trades.push({
        symbol, direction: 'long', entryTime: time[entryBar]!, exitTime: time[i]!, entryPrice: ep, exitPrice: xp, qty: q,
        pnl, fees: entryFee + fee, returnPct: pnl / (ep * q * 1), bars: i - entryBar, entryBar, exitBar: i,
      });
      totalFees += fee;
      traded += q * px * 1;
      qty = 0;
    }
    pending = undefined;
    // SmaCross.onBar (longOnly).
    const diff = fastSma.push(close[i]!) - slowSma.push(close[i]!);
    if (i >= start) {
      if (!Number.isNaN(prev) && !Number.isNaN(diff)) {
        const up = prev <= 0 && diff > 0, down = prev >= 0 && diff < 0;
        if (up && qty <= 0) pending = 'buy';
        else if (down && qty > 0) pending = 'sell';
      }
      const e = cash + (qty === 0 ? 0 : qty * close[i]! * 1);
      equity[i - start] = e;
      exposure[i - start] = e !== 0 && qty !== 0 ? Math.abs(qty * close[i]! * 1) / e : 0;
    }
    prev = diff;
  }

  const t = time.subarray(start, end);
  const metrics = computeMetrics({ time: t, equity, exposure, trades, initialCash: costs.initialCash, tradedNotional: traded, fees: totalFees });
  // Return moments and CSCV block sums over the same returns computeMetrics uses.
  let s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  const blockSums = new Float64Array(2 * blocks);
  const returns = n - 1;
  let b = 0;
  for (let i = 1; i < n; i++) {
    const r = equity[i - 1] !== 0 ? equity[i]! / equity[i - 1]! - 1 : 0;
    const r2 = r * r;
    s1 += r; s2 += r2; s3 += r2 * r; s4 += r2 * r2;
    if (blocks > 0) {
      while (i - 1 >= blockEdge(b + 1, returns, blocks)) b++;
      blockSums[2 * b] += r;
      blockSums[2 * b + 1] += r2;
    }
  }
  const { skew, kurtosis } = momentsFromSums(returns, s1, s2, s3, s4);
  const fp = new FingerprintBuilder();
  for (const tr of trades) fp.trade(tr.entryBar, tr.exitBar, tr.entryPrice, tr.exitPrice, tr.qty);
  return { equity, exposure, trades, metrics, skew, kurtosis, blockSums, fingerprint: { hi: fp.hi, lo: fp.lo, hex: fp.hex }, rejected };
}
