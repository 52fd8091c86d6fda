// The exit manager bar by bar on constructed paths, through the risk manager and the paper
// broker (next-open fills, conservative intrabar path: a long sees the low before the high).
// Sizing: 1% of 100k at the stop, so a 2-point stop buys 500 units.
import { describe, expect, it } from 'vitest';
import type { Bars } from '../src/data/bars.js';
import type { ExitPlanInput } from '../src/exits/plan.js';
import { runManagedBacktest, type ManagedBacktestOptions, type Signal } from '../src/risk-manager/managed-backtest.js';
import type { RiskProfileInput } from '../src/risk-manager/profile.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);
type Row = [number, number, number, number];

function bars(rows: Row[], symbol = 'X'): Bars {
  const n = rows.length;
  const b: Bars = { symbol, timeframe: '1d', time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n).fill(1e6) };
  rows.forEach(([o, h, l, c], i) => { b.time[i] = T0 + i * DAY; b.open[i] = o; b.high[i] = h; b.low[i] = l; b.close[i] = c; });
  return b;
}

const profile: RiskProfileInput = {
  sizing: { method: 'fixedFractional', riskPerTrade: 0.01, confidence: { enabled: false }, performance: { enabled: false } },
  limits: { maxPositionNotional: 1, maxDrawdown: 0.5, dailyLossLimit: 0.5, volatilityBreaker: { enabled: false } },
};

/** Buys at the close of bar `at` (one signal), runs the plan over the rows. */
function run(rows: Row[], exitPlan: ExitPlanInput, at = 0, extra: Partial<ManagedBacktestOptions> = {}) {
  const signal = (_: unknown, bar: { index: number }): Signal | null => (bar.index === at ? { side: 'buy', confidence: 0.8, source: 'src' } : null);
  const r = runManagedBacktest({ feeds: [bars(rows)], signal, profile, exitPlan, initialCash: 100_000, ...extra });
  return { ...r, fills: r.result.fills.map((f) => [f.side, f.qty, f.price, f.barIndex, f.tag]) };
}

const flat: Row = [100, 100, 100, 100];
const fixed2 = { kind: 'fixed', distance: 2 } as const;

describe('exit manager: stops', () => {
  it('gap through the stop fills at the open, and the TP orders are cancelled (OCO)', () => {
    const r = run([flat, [100, 101, 99, 100], [95, 96, 94, 95], [95, 95, 95, 95]], { stop: fixed2, trailing: null });
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 500, 95, 2, 'exit:stop']]);
    expect(r.exits).toHaveLength(1);
    expect(r.exits[0]).toMatchObject({ exitRule: 'stop', entryPrice: 100, exitPrice: 95, qty: 500, stopDistance: 2, r: -2.5, pnl: -2500, tpHits: [false, false], bars: 1, source: 'src' });
    const tps = r.result.orders.filter((o) => o.tag?.startsWith('exit:tp'));
    expect(tps.map((o) => [o.tag, o.limitPrice, o.qty, o.status])).toEqual([['exit:tp1', 102, 250, 'cancelled'], ['exit:tp2', 104, 125, 'cancelled']]);
    expect(r.result.orders.filter((o) => o.status === 'accepted')).toHaveLength(0);
  });

  it('a bar touching both the stop and TP1 stops out (conservative path: the low first)', () => {
    const r = run([flat, [100, 101, 99.5, 100.5], [100, 102.5, 97.5, 101]], { stop: fixed2, trailing: null });
    expect(r.fills.slice(1)).toEqual([['sell', 500, 98, 2, 'exit:stop']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'stop', r: -1, tpHits: [false, false] }); // the high came after the stop: TP1 not reached in the trade
  });

  it('time stop: market exit at the next open after 3 bars', () => {
    const quiet: Row = [100, 100.5, 99.5, 100];
    const r = run([flat, quiet, quiet, quiet, quiet, [100.2, 100.5, 99.5, 100], quiet], { stop: fixed2, takeProfits: [], trailing: null, timeStopBars: 3 });
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 500, 100.2, 5, 'exit:time']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'time', bars: 4 });
  });

  it('structure stop: below the lowest low of the last 3 bars; the level stays put when the entry gaps', () => {
    // signal at bar 2 (close 100.5): lowest low of bars 0-2 is 97 -> distance 3.5 -> 1000 / 3.5 = 285.7 -> 285 units
    const r = run([[100, 101, 97, 100], [100, 100.5, 98, 99.5], [99.5, 101, 99, 100.5], [101, 102, 100, 101], [100, 100, 96, 96.5]], { stop: { kind: 'structure', lookback: 3 }, takeProfits: [], trailing: null }, 2);
    expect(r.audit.find((e) => e.kind === 'accept' && e.side === 'buy')).toMatchObject({ qty: 285, details: { stopDistance: 3.5 } });
    expect(r.result.orders.filter((o) => o.type === 'stop').map((o) => o.stopPrice)).toEqual([97]); // bracket at the level, never moved
    expect(r.fills).toEqual([['buy', 285, 101, 3, 'entry:src'], ['sell', 285, 97, 4, 'exit:stop']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'stop', stopDistance: 4, r: -1 }); // R measured from the fill at 101
  });
});

describe('exit manager: take-profit ladder, breakeven, trailing', () => {
  it('TP1 fills half, the stop moves to breakeven, and the rest is stopped out there', () => {
    const r = run([flat, [100, 101, 99.5, 100.5], [100.5, 102.5, 100, 102], [101, 101.5, 99, 99.5], [99.5, 99.5, 99.5, 99.5]], { stop: fixed2, trailing: null });
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 250, 102, 2, 'exit:tp1'], ['sell', 250, 100, 3, 'exit:breakeven']]);
    const stops = r.result.orders.filter((o) => o.type === 'stop').map((o) => [o.tag, o.stopPrice, o.qty, o.status]);
    expect(stops).toEqual([['exit:stop', 98, 500, 'cancelled'], ['exit:breakeven', 100, 250, 'filled']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'breakeven', exitPrice: 101, r: 0.5, pnl: 500, tpHits: [true, false], bars: 2 });
    expect(r.attribution.src).toMatchObject({ trades: 1, tpHitRate: [1, 0], avgR: 0.5, exitRules: { breakeven: 1 } });
  });

  it('percent trailing stop ratchets under the best high and exits at its level', () => {
    // 5% below the best high: 104 -> 98.8, 110 -> 104.5, 112 -> 106.4; bar 4 trades down through 106.4
    const r = run([flat, [100, 104, 99, 103], [103, 110, 102, 109], [109, 112, 108, 111], [110, 110, 105, 106], [106, 107, 105, 106]],
      { stop: { kind: 'fixed', distance: 5 }, takeProfits: [], trailing: { kind: 'percent', percent: 0.05, activateAfterTp: 0 } });
    const stops = r.result.orders.filter((o) => o.type === 'stop').map((o) => o.stopPrice!);
    expect(stops.map((s) => Math.round(s * 100) / 100)).toEqual([95, 98.8, 104.5, 106.4]);
    expect(r.fills).toEqual([['buy', 200, 100, 1, 'entry:src'], ['sell', 200, 106.4, 4, 'exit:trail']]);
    expect(r.exits[0]!.r).toBeCloseTo(1.28, 12); // 6.4 / 5
  });

  it('ATR trailing stop activates at +1R and trails 1.5 ATR under the best high; a gap fills at the open', () => {
    // 20 warm-up bars of true range 2 -> ATR(14) = 2; stop 2 ATR = 4 -> 250 units; trail 1.5 x 2 = 3 once the best is >= 104
    const warm: Row[] = Array.from({ length: 20 }, () => [100, 101, 99, 100] as Row);
    const rows: Row[] = [...warm, [100, 101, 99, 100], [100, 102, 100, 101.5], [101.5, 103.5, 101.5, 103], [103, 105, 103, 104.5], [104.5, 106, 104, 105.5], [102.8, 103.2, 102, 102.2]];
    const r = run(rows, { stop: { kind: 'atr', multiple: 2, period: 14 }, takeProfits: [], trailing: { kind: 'atr', multiple: 1.5, period: 14, activateAtR: 1 } }, 19);
    expect(r.riskManager.stats.get('X').atr(14)).toBeGreaterThan(2); // the gap bar widened it afterwards
    expect(r.result.orders.filter((o) => o.type === 'stop').map((o) => [o.tag, o.stopPrice])).toEqual([['exit:stop', 96], ['exit:trail', 102], ['exit:trail', 103]]);
    expect(r.fills).toEqual([['buy', 250, 100, 20, 'entry:src'], ['sell', 250, 102.8, 25, 'exit:trail']]);
    expect(r.exits[0]!.r).toBeCloseTo(0.7, 12); // 2.8 / 4
  });
});

describe('exit manager: hybrid stop and warnings', () => {
  const hybrid: ExitPlanInput = { stop: fixed2, takeProfits: [], trailing: null, internalStop: 'close', hardStop: { multiple: 2 } };

  it('the internal stop ignores a wick and exits on a close through it; only the hard stop rests at the broker', () => {
    const r = run([flat, [100, 101, 99, 100], [100, 100.5, 97, 99], [99, 99, 97.5, 97.8], [97.9, 98, 97, 97.5]], hybrid);
    expect(r.result.orders.filter((o) => o.type === 'stop').map((o) => [o.tag, o.stopPrice, o.status])).toEqual([['exit:hard', 96, 'cancelled']]);
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 500, 97.9, 4, 'exit:stop']]);
    expect(r.exits[0]!.r).toBeCloseTo(-1.05, 12);
  });

  it('a crash inside one bar is caught by the hard stop at the broker', () => {
    const r = run([flat, [100, 101, 99, 100], [99, 99, 90, 91], [91, 92, 90, 91]], hybrid);
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 500, 96, 2, 'exit:hard']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'hard', r: -2 });
  });

  it('a warning moves the stop to breakeven pre-emptively; the dip then exits flat', () => {
    const warnings = (_: unknown, bar: { index: number }) => (bar.index === 3 ? [{ symbol: 'X', action: 'breakeven' as const, reason: 'model risk warning' }] : []);
    const r = run([flat, [100, 101, 99.5, 101], [101, 103, 100.5, 102.5], [102.5, 103, 102, 102.8], [102, 102, 99.5, 100]], { stop: fixed2, takeProfits: [], trailing: null }, 0, { warnings });
    expect(r.fills).toEqual([['buy', 500, 100, 1, 'entry:src'], ['sell', 500, 100, 4, 'exit:tightened']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'tightened', r: 0 });
    expect(r.audit.filter((e) => e.kind === 'exitTighten').map((e) => e.reason)).toEqual(['model risk warning: breakeven on X stop 98 -> 100']);
  });

  it('an opposite signal closes the position (exit rule "signal")', () => {
    const signal = (_: unknown, bar: { index: number }): Signal | null => (bar.index === 0 ? { side: 'buy', source: 'src' } : bar.index === 2 ? { side: 'sell', source: 'src' } : null);
    const r = runManagedBacktest({ feeds: [bars([flat, [100, 101, 99.5, 100.5], [100.5, 101, 100, 101], [101.5, 102, 101, 101.5]])], signal, profile, exitPlan: { stop: fixed2, trailing: null } });
    expect(r.result.fills.map((f) => [f.side, f.price, f.barIndex, f.tag])).toEqual([['buy', 100, 1, 'entry:src'], ['sell', 101.5, 3, 'exit:signal']]);
    expect(r.exits[0]).toMatchObject({ exitRule: 'signal', r: 0.75 });
  });

  it('rejects bad exit plans naming the key and value', () => {
    const sig = () => null;
    expect(() => runManagedBacktest({ feeds: [bars([flat])], signal: sig, exitPlan: { takeProfits: [{ r: 2, fraction: 0.5 }, { r: 1, fraction: 0.5 }] } })).toThrow(/config exitPlan\.takeProfits\.1\.r = 1 \(number\): must be greater than takeProfits\[0\]\.r \(2\)/);
    expect(() => runManagedBacktest({ feeds: [bars([flat])], signal: sig, exitPlan: { takeProfits: [{ r: 1, fraction: 0.7 }, { r: 2, fraction: 0.5 }] } })).toThrow(/config exitPlan\.takeProfits = Array\(2\): fractions must sum to at most 1, got 1\.2/);
    expect(() => runManagedBacktest({ feeds: [bars([flat])], signal: sig, exitPlan: { stop: { kind: 'fixed' } } })).toThrow(/config exitPlan\.stop = .*exactly one of distance or percent/);
    expect(() => runManagedBacktest({ feeds: [bars([flat])], signal: sig, exitPlan: { hardStop: { multiple: 0.5 } } })).toThrow(/config exitPlan\.hardStop\.multiple = 0\.5 \(number\)/);
    expect(() => runManagedBacktest({ feeds: [bars([flat])], signal: sig, exitPlan: { internalStop: 'mental' as never } })).toThrow(/config exitPlan\.internalStop = "mental" \(string\)/);
  });
});
