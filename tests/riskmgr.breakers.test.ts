// Limits and circuit breakers firing in backtests on constructed data: the daily loss halt,
// the drawdown kill switch (cancel, flatten, stays engaged until a person resets it), the
// correlation cap and the health gate; the risk manager as a decorator of any strategy.
import { describe, expect, it } from 'vitest';
import type { Bars } from '../src/data/bars.js';
import { loadBundled } from '../src/data/index.js';
import { runBacktest } from '../src/trading/backtester.js';
import type { Order, OrderRequest } from '../src/trading/order.js';
import { SmaCross } from '../src/trading/strategies/sma-cross.js';
import type { Strategy, StrategyContext } from '../src/trading/strategy.js';
import { RiskManager } from '../src/risk-manager/risk-manager.js';
import { withRiskManager } from '../src/risk-manager/guarded-context.js';
import { runManagedBacktest, type Signal } from '../src/risk-manager/managed-backtest.js';
import type { RiskProfileInput } from '../src/risk-manager/profile.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);

/** Bars from closes: open = previous close (or `opens[i]`), high/low = max/min of open and close, widened by `pad`. */
function barsFrom(closes: number[], symbol: string, timeframe: '1h' | '1d', pad = 0): Bars {
  const n = closes.length, step = timeframe === '1h' ? HOUR : DAY;
  const b: Bars = { symbol, timeframe, time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n).fill(1e6) };
  closes.forEach((c, i) => {
    const o = i === 0 ? c : closes[i - 1]!;
    b.time[i] = T0 + i * step; b.open[i] = o; b.close[i] = c;
    b.high[i] = Math.max(o, c) * (1 + pad); b.low[i] = Math.min(o, c) * (1 - pad);
  });
  return b;
}

/** Submits the planned orders at the close of bar `index`; records what came back and the state. */
function scripted(plan: Record<number, (ctx: StrategyContext) => OrderRequest | void>, rm: RiskManager, log: Array<{ bar: number; order?: Order; state: string }>): Strategy {
  return {
    onBar(ctx, bar) {
      const req = plan[bar.index]?.(ctx);
      log.push({ bar: bar.index, order: req ? ctx.submit(req) : undefined, state: rm.state });
    },
  };
}

const loose: RiskProfileInput = { sizing: { confidence: { enabled: false }, performance: { enabled: false } }, limits: { maxPositionNotional: 1, volatilityBreaker: { enabled: false } } };

describe('daily loss limit', () => {
  it('a 5.5% intraday loss halts new entries for the rest of the day; exits still go; the next day resumes', () => {
    // Hour bars: long 1000 at 100 with 200k; bar 5 closes at 89: equity 189k = -5.5% on the day.
    const closes = [100, 100, 100, 100, 97, 89, ...new Array<number>(18).fill(89), ...new Array<number>(6).fill(89)];
    const rm = new RiskManager(loose);
    const log: Array<{ bar: number; order?: Order; state: string }> = [];
    const buy = (qty: number) => (): OrderRequest => ({ symbol: 'X', side: 'buy', type: 'market', qty });
    const r = runBacktest({
      feeds: [barsFrom(closes, 'X', '1h')], initialCash: 200_000,
      strategy: withRiskManager(scripted({ 0: buy(1000), 6: buy(10), 7: () => ({ symbol: 'X', side: 'sell', type: 'market', qty: 500 }), 24: buy(10) }, rm, log), rm),
    });
    const halt = rm.audit.byKind('dailyHalt');
    expect(halt).toHaveLength(1);
    expect(halt[0]!.time).toBe(T0 + 6 * HOUR); // close of bar 5
    expect(halt[0]!.reason).toBe('daily loss 5.50% (equity 189000.00 vs day start 200000.00) reached the limit 5.00%: no new entries until the next day');
    expect(log[6]!.order).toMatchObject({ status: 'rejected', rejectReason: 'risk manager: daily loss limit reached: no new entries until the next day' });
    expect(log[6]!.order!.id).toBeLessThan(0); // never reached the broker
    expect(log[7]!.order!.status).not.toBe('rejected'); // reducing is allowed while halted
    expect(log.slice(5, 24).every((l) => l.state === 'REDUCING')).toBe(true);
    expect(log[24]!.state).toBe('ACTIVE');
    expect(rm.audit.byKind('dailyResume')[0]!.time).toBe(T0 + 25 * HOUR);
    expect(log[24]!.order!.id).toBeGreaterThan(0);
    expect(log[24]!.order!.status).toBe('filled');
    expect(r.fills.map((f) => [f.side, f.qty, f.price, f.barIndex])).toEqual([['buy', 1000, 100, 1], ['sell', 500, 89, 8], ['buy', 10, 89, 25]]);
    const decisions = rm.audit.events.filter((e) => ['accept', 'resize', 'reject'].includes(e.kind)).map((e) => e.kind);
    expect(decisions).toEqual(['accept', 'reject', 'accept', 'accept']);
  });
});

describe('drawdown kill switch', () => {
  it('at 8% drawdown it cancels orders, flattens, refuses entries while prices recover, until a person resets it', () => {
    // Long 1000 at 100 with 200k; bar 4 closes at 83.5: equity 183.5k = -8.25% from the 200k peak.
    const closes = [100, 100, 96, 91, 83.5, 85, 90, 95, 100, 100, 100];
    const rm = new RiskManager(loose);
    const log: Array<{ bar: number; order?: Order; state: string }> = [];
    const plan: Record<number, (ctx: StrategyContext) => OrderRequest | void> = {
      0: () => ({ symbol: 'X', side: 'buy', type: 'market', qty: 1000 }),
      1: () => ({ symbol: 'X', side: 'buy', type: 'limit', limitPrice: 50, qty: 10 }), // resting order the kill switch cancels
      6: () => ({ symbol: 'X', side: 'buy', type: 'market', qty: 10 }),
      8: () => {
        expect(() => rm.resetKillSwitch('')).toThrow(/needs the name of the person/);
        rm.resetKillSwitch('alice', 'post-mortem done');
        return { symbol: 'X', side: 'buy', type: 'market', qty: 10 };
      },
    };
    const r = runBacktest({ feeds: [barsFrom(closes, 'X', '1d')], initialCash: 200_000, strategy: withRiskManager(scripted(plan, rm, log), rm) });
    const kill = rm.audit.byKind('killSwitch');
    expect(kill).toHaveLength(1);
    expect(kill[0]!.time).toBe(T0 + 5 * DAY); // close of bar 4
    expect(kill[0]!.reason).toMatch(/^drawdown 8\.25% from peak 200000\.00 reached the limit 8\.00%: 1 open order\(s\) cancelled, positions flattened; stays engaged until reset by a person$/);
    expect(r.orders.find((o) => o.type === 'limit')!.status).toBe('cancelled');
    expect(rm.audit.byKind('flatten')).toMatchObject([{ symbol: 'X', side: 'sell', qty: 1000 }]);
    expect(r.fills.map((f) => [f.side, f.qty, f.price, f.barIndex, f.tag])).toEqual([['buy', 1000, 100, 1, undefined], ['sell', 1000, 83.5, 5, 'exit:kill'], ['buy', 10, 100, 9, undefined]]);
    expect(log.slice(4, 8).every((l) => l.state === 'HALTED')).toBe(true); // prices recover, still engaged
    expect(log[6]!.order).toMatchObject({ status: 'rejected', rejectReason: 'risk manager: kill switch engaged: no new entries until a person resets it' });
    expect(r.equity[7]).toBe(183_500); // flat while halted
    expect(rm.audit.byKind('killSwitchReset')[0]!.reason).toBe('kill switch reset by alice (post-mortem done); drawdown peak restarts at 183500.00');
    expect(log[8]!.state).toBe('ACTIVE');
    expect(rm.audit.byKind('dailyHalt')).toHaveLength(0); // worst day -3.9% stayed under the daily limit
  });

  it('a profile cannot switch it off, and managed runs report it', () => {
    const closes = [100, 100, 100, ...Array.from({ length: 30 }, (_, i) => 100 - 1.5 * (i + 1))];
    const sig = (_: StrategyContext, bar: { index: number }): Signal | null => (bar.index === 1 ? { side: 'buy', source: 's' } : null);
    const r = runManagedBacktest({ feeds: [barsFrom(closes, 'X', '1d', 0.001)], signal: sig, profile: { sizing: { ...loose.sizing, method: 'fixedFractional', riskPerTrade: 0.2 }, limits: { ...loose.limits, maxRiskPerTrade: 0.2 } }, exitPlan: { stop: { kind: 'fixed', percent: 0.5 }, takeProfits: [], trailing: null } });
    expect(r.killSwitch.engaged).toBe(true);
    expect(r.exits.map((e) => e.exitRule)).toEqual(['kill']); // 400 units (20% risk at a 50-point stop) flattened by the kill switch
    expect(r.exits[0]!.qty).toBe(400);
    expect(r.result.metrics.maxDrawdown).toBeGreaterThan(-0.1); // stopped near -8%, not at -45%
  });
});

describe('correlation cap in a multi-symbol backtest', () => {
  it('refuses an entry whose returns move with an open position; accepts an unrelated one', () => {
    const n = 60;
    const wave = (i: number): number => 100 * Math.exp(0.01 * Math.sin(i * 1.3) + 0.004 * (i % 3));
    const a = barsFrom(Array.from({ length: n }, (_, i) => wave(i)), 'A', '1d', 0.003);
    const b = barsFrom(Array.from({ length: n }, (_, i) => 2 * wave(i)), 'B', '1d', 0.003); // same returns as A
    const c = barsFrom(Array.from({ length: n }, (_, i) => 50 * Math.exp(0.01 * Math.sin(i * 0.77 + 2) * ((i % 5) - 2))), 'C', '1d', 0.003);
    const signal = (_: StrategyContext, bar: { index: number; symbol: string }): Signal | null => (bar.index === 40 ? { side: 'buy', confidence: 0.75, source: 'sig' } : null);
    const r = runManagedBacktest({ feeds: [a, b, c], signal, profile: { ...loose, limits: { ...loose.limits, maxCorrelation: 0.8, correlationLookback: 30 } }, initialCash: 300_000 });
    const rhoAC = r.riskManager.stats.correlation('A', 'C', 30).rho;
    expect(Math.abs(rhoAC)).toBeLessThan(0.8);
    const entries = r.audit.filter((e) => ['accept', 'resize', 'reject'].includes(e.kind) && e.side === 'buy' && e.time === a.time[40]! + DAY);
    expect(entries.map((e) => [e.symbol, e.kind === 'reject' ? 'reject' : 'go'])).toEqual([['A', 'go'], ['B', 'reject'], ['C', 'go']]);
    expect(entries[1]!.reason).toMatch(/^correlation 1\.000 of B with the open long A over 30 returns/);
    expect(r.result.fills.filter((f) => f.tag === 'entry:sig').map((f) => f.symbol)).toEqual(['A', 'C']);
  });
});

describe('health gate in a backtest', () => {
  it('refuses entries while the source is degraded or after a model error, then lets them through', () => {
    const n = 60;
    const closes = Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 3));
    const fire = new Set([20, 30, 40, 46, 55]);
    const signal = (_: StrategyContext, bar: { index: number }): Signal | null => {
      if (bar.index === 45) throw new Error('NaN in features');
      return fire.has(bar.index) ? { side: 'buy', confidence: 0.8, source: 'model-a' } : null;
    };
    const health = (_: StrategyContext, bar: { index: number }) => (bar.index >= 18 && bar.index <= 35 ? [{ name: 'model-a', score: bar.index < 35 ? 0.3 : 1 }] : []);
    const r = runManagedBacktest({ feeds: [barsFrom(closes, 'X', '1d', 0.002)], signal, health, signalSource: 'model-a', profile: loose, exitPlan: { timeStopBars: 2 } });
    const entries = r.audit.filter((e) => ['accept', 'resize', 'reject'].includes(e.kind) && e.side === 'buy');
    const at = (t: number): number => Math.round((t - T0) / DAY) - 1; // bar index from its close time
    expect(entries.map((e) => [at(e.time), e.kind === 'reject' ? e.reason : 'go'])).toEqual([
      [20, 'health gate: source model-a degraded (health score 0.3 below 0.5)'],
      [30, 'health gate: source model-a degraded (health score 0.3 below 0.5)'],
      [40, 'go'],
      [46, 'health gate: source model-a degraded (error: model error: NaN in features)'],
      [55, 'go'],
    ]);
    expect(r.audit.filter((e) => e.kind === 'healthDegraded' || e.kind === 'healthRestored').map((e) => [e.kind, at(e.time)])).toEqual([
      ['healthDegraded', 18], ['healthRestored', 35], ['healthDegraded', 45], ['healthRestored', 48],
    ]);
    expect(r.exits.map((e) => e.exitRule)).toEqual(['time', 'time']);
  });
});

describe('the risk manager as a decorator of any strategy', () => {
  it('SMA crossover on SPY: allIn buys are cut to 50% of equity; every order has a decision in the audit trail', () => {
    const spy = loadBundled('SPY', '1d');
    const rm = new RiskManager({ ...loose, limits: { ...loose.limits, maxPositionNotional: 0.5 } });
    const r = runBacktest({ feeds: [spy], strategy: withRiskManager(new SmaCross({ fast: 50, slow: 200 }), rm), end: Date.UTC(2010, 0, 1) });
    const buys = r.fills.filter((f) => f.side === 'buy');
    expect(buys.length).toBeGreaterThan(3);
    for (const f of buys) {
      const k = r.time.findIndex((t) => t >= f.time);
      expect(f.qty * f.price).toBeLessThan(0.55 * r.equity[Math.max(0, k - 1)]!); // 50% at the signal close, plus the overnight gap
    }
    const decisions = rm.audit.events.filter((e) => ['accept', 'resize', 'reject'].includes(e.kind));
    expect(decisions.length).toBe(r.orders.length);
    expect(decisions.filter((e) => e.kind === 'resize').length).toBe(buys.length);
    expect(decisions.filter((e) => e.kind === 'resize').every((e) => e.checks!.includes('maxPositionNotional 0.5'))).toBe(true);
  });
});
