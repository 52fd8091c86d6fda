// Adaptive exit levels (hit rates per TP level, stop-out rate, volatility regime, bounds,
// freezing while the health gate is closed) and exit attribution per signal source.
import { describe, expect, it } from 'vitest';
import type { Bars } from '../src/data/bars.js';
import { adaptiveMultipliers } from '../src/exits/adaptive.js';
import { sourceStats, type ExitRecord } from '../src/exits/attribution.js';
import { ExitManager } from '../src/exits/exit-manager.js';
import { parseExitPlan } from '../src/exits/plan.js';
import { MarketStats } from '../src/risk-manager/market-stats.js';
import { runManagedBacktest, type Signal } from '../src/risk-manager/managed-backtest.js';
import type { BarView, StrategyContext } from '../src/trading/strategy.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);

function rec(source: string, tpHits: boolean[], exitRule: string, r: number): ExitRecord {
  return { symbol: 'X', source, direction: 'long', entryTime: 0, exitTime: 0, entryPrice: 100, exitPrice: 100, qty: 1, stopDistance: 1, r, pnl: r, exitRule, tpHits, bars: 1, slMultiplier: 1, tpMultipliers: [1, 1] };
}

/** 3 of 4 trades reached TP1, none TP2; one closed by the initial stop. */
const four = [rec('s', [true, false], 'breakeven', 0.5), rec('s', [true, false], 'trail', 1.2), rec('s', [true, false], 'breakeven', 0.5), rec('s', [false, false], 'stop', -1)];

describe('adaptive multipliers', () => {
  const plan = parseExitPlan({ adaptive: { enabled: true, minTrades: 4, tpTargets: [0.6, 0.4], stopTarget: 0.4, gain: 1, min: 0.5, max: 2 } });

  it('from hit rates: TP1 hit 75% vs 60% -> 1.15; TP2 0% vs 40% -> 0.6; stops 25% vs 40% -> SL 0.85', () => {
    const m = adaptiveMultipliers(plan, four, NaN);
    expect(m.tp[0]).toBeCloseTo(1.15, 12);
    expect(m.tp[1]).toBeCloseTo(0.6, 12);
    expect(m.sl).toBeCloseTo(0.85, 12);
    expect(m.regime).toBe('normal');
  });

  it('high volatility regime (ATR ratio 2 > 1.5) scales by 1.25; low (0.5 < 0.67) by 0.8; all within [min, max]', () => {
    const hi = adaptiveMultipliers(plan, four, 2);
    expect(hi.regime).toBe('high');
    expect(hi.tp[0]).toBeCloseTo(1.4375, 12);
    expect(hi.tp[1]).toBeCloseTo(0.75, 12);
    expect(hi.sl).toBeCloseTo(1.0625, 12);
    const lo = adaptiveMultipliers(plan, four, 0.5);
    expect(lo.tp[1]).toBeCloseTo(0.5, 12); // 0.6 x 0.8 = 0.48, clamped up to min 0.5
    const wild = adaptiveMultipliers(parseExitPlan({ adaptive: { enabled: true, minTrades: 4, gain: 10 } }), four, NaN);
    expect(wild.tp).toEqual([2, 0.5]); // 1 + 10 x 0.15 = 2.5 -> 2; 1 + 10 x (0 - 0.4) = -3 -> 0.5
    expect(wild.sl).toBe(0.5);
  });

  it('fewer than minTrades: neutral; adaptation off: neutral', () => {
    expect(adaptiveMultipliers(plan, four.slice(0, 3), NaN)).toMatchObject({ sl: 1, tp: [1, 1] });
    expect(adaptiveMultipliers(parseExitPlan({}), four, 3)).toMatchObject({ sl: 1, tp: [1, 1] });
  });

  it('the exit manager measures the regime from its ATR history and freezes multipliers while the health gate is closed', () => {
    let frozen = false;
    const events: Array<[string, string]> = [];
    const stats = new MarketStats(4, [2]);
    const em = new ExitManager({ stop: { kind: 'fixed', distance: 2 }, adaptive: { enabled: true, minTrades: 4, tpTargets: [0.6, 0.4], regime: { atrPeriod: 2, longWindow: 4 } } }, {
      stats, isFrozen: () => frozen, onEvent: (kind, reason) => events.push([kind, reason]),
    });
    const ctx = {} as StrategyContext; // no managed position: onBar only updates statistics
    const bar = (i: number, h: number, l: number): BarView => ({ symbol: 'X', timeframe: '1d', index: i, time: T0 + i * DAY, open: 100, high: h, low: l, close: 100, volume: 0 });
    for (let i = 0; i < 6; i++) em.onBar(ctx, bar(i, 101, 99)); // true range 2: ATR(2) = 2 from bar 2
    em.onBar(ctx, bar(6, 105, 95)); // true range 10: ATR = (2 + 10) / 2 = 6; last 4 ATRs 2, 2, 2, 6 -> ratio 6 / 3 = 2
    const m1 = em.multipliers('s', 'X');
    expect(m1).toMatchObject({ regime: 'high', volRatio: 2, sl: 1.25, tp: [1.25, 1.25] }); // no trades yet: regime only
    expect(em.proposeStop(ctx, 'X', 'buy', 100, 's')).toMatchObject({ distance: 2.5 });
    for (const r of four) em.attribution.add(r);
    frozen = true;
    expect(em.multipliers('s', 'X')).toEqual(m1); // health gate closed: unchanged despite the new trades
    frozen = false;
    const m2 = em.multipliers('s', 'X');
    expect(m2.tp[0]).toBeCloseTo(1.4375, 12);
    expect(events.map(([k]) => k)).toEqual(['exitAdjust', 'exitFrozen', 'exitAdjust']); // unchanged multipliers are not re-recorded
    expect(events[1]![1]).toBe('health gate closed for s: exit multipliers frozen at sl 1.250, tp 1.250/1.250');
  });
});

describe('exit attribution', () => {
  it('per-source statistics: hit rate per TP level, average R, exits by rule', () => {
    const st = sourceStats(four, 2);
    expect(st).toMatchObject({ trades: 4, winRate: 0.75, tpHitRate: [0.75, 0], stopRate: 0.25, exitRules: { breakeven: 2, trail: 1, stop: 1 } });
    expect(st.avgR).toBeCloseTo(0.3, 12); // (0.5 + 1.2 + 0.5 - 1) / 4
  });

  it('a two-source backtest attributes each exit to its source and rule, and feeds the risk manager', () => {
    const mk = (rows: Array<[number, number, number, number]>, symbol: string): Bars => {
      const n = rows.length;
      const b: Bars = { symbol, timeframe: '1d', time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n).fill(1e6) };
      rows.forEach(([o, h, l, c], i) => { b.time[i] = T0 + i * DAY; b.open[i] = o; b.high[i] = h; b.low[i] = l; b.close[i] = c; });
      return b;
    };
    const flat: [number, number, number, number] = [100, 100, 100, 100];
    // X (alpha): TP1 at 102 then breakeven; Y (beta): gap through the stop
    const x = mk([flat, [100, 101, 99.5, 100.5], [100.5, 102.5, 100, 102], [101, 101.5, 99, 99.5], [99.5, 99.5, 99.5, 99.5]], 'X');
    const y = mk([flat, [100, 101, 99, 100], [95, 96, 94, 95], [95, 95, 95, 95], [95, 95, 95, 95]], 'Y');
    const signal = (_: StrategyContext, bar: BarView): Signal | null => (bar.index === 0 ? { side: 'buy', source: bar.symbol === 'X' ? 'alpha' : 'beta' } : null);
    const r = runManagedBacktest({
      feeds: [x, y], signal, exitPlan: { stop: { kind: 'fixed', distance: 2 }, trailing: null }, initialCash: 200_000,
      profile: { sizing: { method: 'fixedFractional', riskPerTrade: 0.005, confidence: { enabled: false }, performance: { enabled: false } }, limits: { maxDrawdown: 0.5, dailyLossLimit: 0.5, volatilityBreaker: { enabled: false }, maxCorrelation: 1 } },
    });
    expect(r.exits.map((e) => [e.symbol, e.source, e.exitRule, e.r])).toEqual([['Y', 'beta', 'stop', -2.5], ['X', 'alpha', 'breakeven', 0.5]]);
    expect(r.attribution.alpha).toMatchObject({ trades: 1, tpHitRate: [1, 0], avgR: 0.5, exitRules: { breakeven: 1 } });
    expect(r.attribution.beta).toMatchObject({ trades: 1, tpHitRate: [0, 0], avgR: -2.5, exitRules: { stop: 1 } });
    expect(r.riskManager.sourceHitRate('alpha', 10)).toEqual({ hitRate: 1, trades: 1 });
    expect(r.riskManager.sourceHitRate('beta', 10)).toEqual({ hitRate: 0, trades: 1 });
    // trade list tags carry the source and the rule too
    expect(r.result.trades.map((t) => [t.symbol, t.entryTag, t.exitTag])).toEqual([['Y', 'entry:beta', 'exit:stop'], ['X', 'entry:alpha', 'exit:breakeven']]);
  });
});
