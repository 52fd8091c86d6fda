// Hand-computed cases for the paper broker: every order type, time in force, fees,
// slippage, gaps, the intrabar path assumption, partial fills, latency and rejections.
import { describe, expect, it } from 'vitest';
import type { Bars } from '../src/data/bars.js';
import { runBacktest, type BacktestConfig } from '../src/trading/backtester.js';
import type { OrderRequest } from '../src/trading/order.js';
import type { BarView, Strategy, StrategyContext } from '../src/trading/strategy.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 6);

/** Daily bars from [open, high, low, close, volume] rows. */
function bars(rows: Array<[number, number, number, number, number?]>, symbol = 'X'): Bars {
  const n = rows.length;
  const b: Bars = { symbol, timeframe: '1d', time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  rows.forEach(([o, h, l, c, v], i) => { b.time[i] = T0 + i * DAY; b.open[i] = o; b.high[i] = h; b.low[i] = l; b.close[i] = c; b.volume[i] = v ?? 1e6; });
  return b;
}

/** Submits the given orders at the close of bar `at` (index). */
function scripted(plan: Record<number, OrderRequest[]>, onBar?: (ctx: StrategyContext, bar: BarView) => void): Strategy {
  return {
    onBar(ctx, bar) {
      for (const o of plan[bar.index] ?? []) ctx.submit(o);
      onBar?.(ctx, bar);
    },
  };
}

function run(rows: Array<[number, number, number, number, number?]>, plan: Record<number, OrderRequest[]>, extra: Partial<BacktestConfig> = {}) {
  return runBacktest({ feeds: [bars(rows)], strategy: scripted(plan), initialCash: 10_000, ...extra });
}

const flat: Array<[number, number, number, number]> = [[100, 101, 99, 100], [100, 102, 98, 101], [101, 103, 99, 102], [102, 104, 100, 103], [103, 105, 101, 104]];

describe('paper broker fills', () => {
  it('market order fills at the next open (default) and books cash and position', () => {
    const r = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 10 }] });
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ price: 100, qty: 10, barIndex: 1 });
    expect(r.finalCash).toBe(10_000 - 1000);
    expect(r.finalEquity).toBe(9000 + 10 * 104);
  });

  it('fillAt close fills at the signal bar close', () => {
    const r = run(flat, { 1: [{ symbol: 'X', side: 'buy', type: 'market', qty: 10 }] }, { fillModel: { fillAt: 'close' } });
    expect(r.fills[0]).toMatchObject({ price: 101, barIndex: 1 });
  });

  it('limit buy fills at the limit inside the bar, or at the open when it gaps through', () => {
    const r = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'limit', qty: 1, limitPrice: 99 }] });
    expect(r.fills[0]).toMatchObject({ price: 99, barIndex: 1, maker: true });
    const gap = run([[100, 101, 99, 100], [95, 96, 94, 95]], { 0: [{ symbol: 'X', side: 'buy', type: 'limit', qty: 1, limitPrice: 99 }] });
    expect(gap.fills[0]).toMatchObject({ price: 95 });
    const never = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'limit', qty: 1, limitPrice: 90 }] });
    expect(never.fills).toHaveLength(0);
  });

  it('stop sell fills at the stop, or at the gap price when the open is already through it', () => {
    const rows: Array<[number, number, number, number]> = [[100, 101, 99, 100], [100, 100, 96, 97], [90, 91, 88, 89]];
    const r = run(rows, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1 }], 1: [{ symbol: 'X', side: 'sell', type: 'stop', qty: 1, stopPrice: 95 }] });
    expect(r.fills[1]).toMatchObject({ side: 'sell', price: 90, barIndex: 2 }); // gap: open 90 < stop 95
    const inside = run(rows, { 0: [{ symbol: 'X', side: 'sell', type: 'stop', qty: 1, stopPrice: 97, reduceOnly: false }] }, { account: { allowShort: true, leverage: 2 } });
    expect(inside.fills[0]).toMatchObject({ price: 97, barIndex: 1 });
  });

  it('stop-limit triggers at the stop then fills as a limit', () => {
    const rows: Array<[number, number, number, number]> = [[100, 101, 99, 100], [100, 106, 99, 105], [105, 107, 103, 104]];
    const r = run(rows, { 0: [{ symbol: 'X', side: 'buy', type: 'stopLimit', qty: 1, stopPrice: 103, limitPrice: 104 }] });
    expect(r.fills[0]).toMatchObject({ price: 103, barIndex: 1 });
    const gap = run([[100, 101, 99, 100], [106, 108, 105.5, 107], [107, 107, 103, 104]], { 0: [{ symbol: 'X', side: 'buy', type: 'stopLimit', qty: 1, stopPrice: 103, limitPrice: 104 }] });
    // Triggered at the open (106 > limit 104): rests as a limit and fills on bar 2 at 104.
    expect(gap.fills[0]).toMatchObject({ price: 104, barIndex: 2 });
  });

  it('trailing stop follows the high and fills when price falls back by the trail', () => {
    const rows: Array<[number, number, number, number]> = [[100, 100, 100, 100], [100, 110, 100, 110], [110, 112, 104, 105]];
    const plan = { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1 } as OrderRequest], 1: [{ symbol: 'X', side: 'sell', type: 'trailingStop', qty: 1, trailAmount: 5 } as OrderRequest] };
    // Conservative path for a long (open, low, high, close): anchor = open 110 -> stop 105, hit on the way down to 104.
    expect(run(rows, plan).fills[1]).toMatchObject({ side: 'sell', price: 105, barIndex: 2 });
    // Adaptive OHLC path (down bar: open, high, low, close): anchor rises to 112 -> stop 107.
    expect(run(rows, plan, { fillModel: { path: 'ohlc' } }).fills[1]).toMatchObject({ side: 'sell', price: 107, barIndex: 2 });
  });

  it('conservative path: a long with stop and take-profit both inside one bar is stopped out', () => {
    const rows: Array<[number, number, number, number]> = [[100, 100, 100, 100], [100, 100, 100, 100], [100, 110, 90, 105]];
    const plan = { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1 } as OrderRequest], 1: [
      { symbol: 'X', side: 'sell', type: 'stop', qty: 1, stopPrice: 95, reduceOnly: true } as OrderRequest,
      { symbol: 'X', side: 'sell', type: 'limit', qty: 1, limitPrice: 108, reduceOnly: true } as OrderRequest,
    ] };
    const r = run(rows, plan);
    expect(r.fills.map((f) => f.price)).toEqual([100, 95]);
    expect(r.orders.find((o) => o.limitPrice === 108)!.status).toBe('cancelled'); // reduce-only with no position left
    // The adaptive OHLC path (up bar: open, low, high, close) agrees here; a down bar would reach the high first.
    const down = run([[100, 100, 100, 100], [100, 100, 100, 100], [100, 110, 90, 92]], plan, { fillModel: { path: 'ohlc' } });
    expect(down.fills.map((f) => f.price)).toEqual([100, 108]);
  });

  it('a finer timeframe decides the order inside the bar when supplied', () => {
    const rows: Array<[number, number, number, number]> = [[100, 100, 100, 100], [100, 100, 100, 100], [100, 110, 90, 105]];
    const plan = { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1 } as OrderRequest], 1: [
      { symbol: 'X', side: 'sell', type: 'stop', qty: 1, stopPrice: 95, reduceOnly: true } as OrderRequest,
      { symbol: 'X', side: 'sell', type: 'limit', qty: 1, limitPrice: 108, reduceOnly: true } as OrderRequest,
    ] };
    const fine: Bars = { symbol: 'X', timeframe: '1h', time: new Float64Array([T0 + 2 * DAY, T0 + 2 * DAY + 3_600_000]), open: new Float64Array([100, 109]), high: new Float64Array([110, 109]), low: new Float64Array([100, 90]), close: new Float64Array([109, 105]), volume: new Float64Array([1, 1]) };
    const r = run(rows, plan, { fineBars: { X: fine } });
    expect(r.fills.map((f) => f.price)).toEqual([100, 108]); // the high came first in the hourly bars
  });

  it('fees: bps with minimum, per share with cap; slippage bps on market orders', () => {
    const plan = { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 10 } as OrderRequest] };
    const bps = run(flat, plan, { instruments: [{ symbol: 'X', fees: { kind: 'bps', maker: 1, taker: 5, minimum: 1 } }] });
    expect(bps.fills[0]!.fee).toBeCloseTo(Math.max(1, 1000 * 5e-4), 12); // 0.5 -> minimum 1
    const ps = run(flat, plan, { instruments: [{ symbol: 'X', fees: { kind: 'perShare', perShare: 0.005, minimum: 1, maxFraction: 0.01 } }] });
    expect(ps.fills[0]!.fee).toBe(1);
    const slip = run(flat, plan, { fillModel: { slippage: { kind: 'bps', bps: 10 } } });
    expect(slip.fills[0]!.price).toBeCloseTo(100.1, 10);
    expect(slip.finalCash).toBeCloseTo(10_000 - 1001, 9);
  });

  it('partial fills are capped by a share of bar volume; IOC cancels the rest, FOK fills all or nothing', () => {
    const thin: Array<[number, number, number, number, number]> = [[100, 101, 99, 100, 100], [100, 101, 99, 100, 100], [100, 101, 99, 100, 100], [100, 101, 99, 100, 100]];
    const gtc = run(thin, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 25 }] }, { fillModel: { maxVolumeShare: 0.1 } });
    expect(gtc.fills.map((f) => f.qty)).toEqual([10, 10, 5]);
    expect(gtc.events.filter((e) => e.kind === 'partiallyFilled')).toHaveLength(2);
    const ioc = run(thin, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 25, tif: 'IOC' }] }, { fillModel: { maxVolumeShare: 0.1 } });
    expect(ioc.fills.map((f) => f.qty)).toEqual([10]);
    expect(ioc.orders[0]!.status).toBe('cancelled');
    const fok = run(thin, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 25, tif: 'FOK' }] }, { fillModel: { maxVolumeShare: 0.1 } });
    expect(fok.fills).toHaveLength(0);
    expect(fok.orders[0]!.status).toBe('cancelled');
  });

  it('DAY orders expire at the end of their day; latency delays activation', () => {
    const day = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'limit', qty: 1, limitPrice: 90, tif: 'DAY' }] });
    expect(day.orders[0]!.status).toBe('expired');
    const late = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1 }] }, { fillModel: { latencyBars: 2 } });
    expect(late.fills[0]!.barIndex).toBe(3);
  });

  it('rejects for insufficient cash, shorting in a cash account, bad lots and unknown instruments', () => {
    const r = run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'market', qty: 1000 }, { symbol: 'X', side: 'sell', type: 'market', qty: 1 }, { symbol: 'X', side: 'buy', type: 'market', qty: 1.5 }] });
    const reasons = r.events.filter((e) => e.kind === 'rejected').map((e) => e.reason);
    expect(reasons).toHaveLength(3);
    expect(reasons.join('\n')).toMatch(/insufficient cash/);
    expect(reasons.join('\n')).toMatch(/short selling is not enabled/);
    expect(reasons.join('\n')).toMatch(/not a multiple of the lot size 1/);
    expect(() => run(flat, { 0: [{ symbol: 'Y', side: 'buy', type: 'market', qty: 1 }] })).toThrow(/unknown instrument "Y"/);
    expect(() => run(flat, { 0: [{ symbol: 'X', side: 'buy', type: 'limit', qty: 1 } as OrderRequest] })).toThrow(/order.limitPrice must be a positive number/);
  });

  it('perpetuals: margin, short positions and funding', () => {
    const rows: Array<[number, number, number, number]> = Array.from({ length: 6 }, () => [100, 101, 99, 100]);
    const r = runBacktest({
      feeds: [bars(rows, 'BTCPERP')],
      strategy: scripted({ 0: [{ symbol: 'BTCPERP', side: 'sell', type: 'market', qty: 5 }] }),
      initialCash: 1000,
      instruments: [{ symbol: 'BTCPERP', assetClass: 'perp', maxLeverage: 10, lotSize: 1, fundingRate: 0.001, fundingIntervalMs: DAY }],
    });
    expect(r.fills[0]).toMatchObject({ side: 'sell', qty: 5, price: 100 });
    // Short 5 at 100, flat prices: funding is received by shorts when the rate is positive: +0.5 per day, 4 boundaries.
    expect(r.finalEquity).toBeCloseTo(1000 + 4 * 0.5, 9);
    const tooBig = runBacktest({
      feeds: [bars(rows, 'BTCPERP')],
      strategy: scripted({ 0: [{ symbol: 'BTCPERP', side: 'buy', type: 'market', qty: 200 }] }),
      initialCash: 1000,
      instruments: [{ symbol: 'BTCPERP', assetClass: 'perp', maxLeverage: 10, lotSize: 1 }],
    });
    expect(tooBig.events.find((e) => e.kind === 'rejected')?.reason).toMatch(/insufficient margin/);
  });
});
