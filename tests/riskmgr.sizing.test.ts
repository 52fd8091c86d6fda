// Position sizing rules and pre-trade limits with hand-computed numbers: the pure sizing
// functions, then the risk manager's pipeline (gates -> sizing -> confidence/performance
// factors -> limits -> lots) on a hand-built portfolio, and the risk profiles' validation.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { makeInstrument, type Instrument } from '../src/trading/instrument.js';
import type { Order } from '../src/trading/order.js';
import type { History, StrategyContext } from '../src/trading/strategy.js';
import {
  applyLotConstraints, atrStopDistance, capKelly, confidenceFactor, fixedFractionalQty, kellyFraction, multiOutcomeKelly, performanceFactor, volTargetWeight,
} from '../src/risk-manager/sizing.js';
import { RiskManager } from '../src/risk-manager/risk-manager.js';
import { loadRiskProfile, parseRiskProfile, SHIPPED_PROFILES, type RiskProfileInput } from '../src/risk-manager/profile.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);

interface FakePos { qty: number; price: number; inst?: Partial<Instrument> }

/** A StrategyContext over a hand-built portfolio (spot: equity = cash + sum qty * price). */
function fakeCtx(cash: number, positions: Record<string, FakePos>, time: number, orders: Order[] = []): StrategyContext {
  const pos = Object.fromEntries(Object.entries(positions).map(([s, p]) => [s, { symbol: s, qty: p.qty, avgPrice: p.price, realizedPnl: 0, lastPrice: p.price, openedAt: NaN, instrument: makeInstrument({ symbol: s, ...p.inst }) }]));
  const equity = cash + Object.values(positions).reduce((a, p) => a + p.qty * p.price * (p.inst?.multiplier ?? 1), 0);
  const hist = (symbol: string): History => ({ symbol, timeframe: '1d' } as unknown as History);
  return {
    time, data: (s) => hist(s), submit: () => { throw new Error('not in this test'); }, cancel: () => false, cancelAll: () => 0,
    position: (s) => pos[s]!, openOrders: (s) => orders.filter((o) => s === undefined || o.symbol === s),
    account: { cash, equity, grossExposure: 0, marginUsed: 0 }, symbols: Object.keys(positions),
  };
}

/** Feeds n daily bars of a symbol: constant range 2 around `close(i)` so ATR(14) = 2 once warm. */
function feed(rm: RiskManager, symbol: string, n: number, close: (i: number) => number = () => 100): number {
  let t = 0;
  for (let i = 0; i < n; i++) {
    t = T0 + (i + 1) * DAY;
    const c = close(i);
    rm.stats.update({ symbol, time: t, high: c + 1, low: c - 1, close: c });
  }
  return t;
}

/** A profile that isolates one rule: no confidence or performance scaling, loose limits. */
function isolated(sizing: RiskProfileInput['sizing'] = {}, limits: RiskProfileInput['limits'] = {}): RiskProfileInput {
  return {
    name: 'test',
    sizing: { method: 'fixedFractional', riskPerTrade: 0.02, confidence: { enabled: false }, performance: { enabled: false }, ...sizing },
    limits: { maxRiskPerTrade: 0.05, maxPositionNotional: 10, maxLeverage: 10, maxGrossExposure: 10, maxNetExposure: 10, maxCorrelation: 0.8, volatilityBreaker: { enabled: false }, ...limits },
  };
}

describe('sizing rules (pure)', () => {
  it('fixed-fractional: qty = f E / (d m)', () => {
    expect(fixedFractionalQty(100_000, 0.02, 2.5)).toBe(800); // 2000 at risk / 2.5 per unit
    expect(fixedFractionalQty(100_000, 0.02, 2.5, 50)).toBe(16); // futures-style multiplier 50
    expect(() => fixedFractionalQty(-1, 0.02, 2.5)).toThrow(/equity must be a positive number, got -1 \(number\)/);
    expect(() => fixedFractionalQty(1e5, 0.02, 0)).toThrow(/stopDistance must be a positive number, got 0/);
  });

  it('ATR stops: d = k ATR, then fixed-fractional', () => {
    expect(atrStopDistance(1.25, 2)).toBe(2.5);
    expect(fixedFractionalQty(100_000, 0.02, atrStopDistance(1.25, 2))).toBe(800);
  });

  it('Kelly: f* = p - (1 - p) / b, fractional and capped into [0, cap]', () => {
    expect(kellyFraction(0.55, 1.5)).toBeCloseTo(0.25, 15); // 0.55 - 0.45 / 1.5
    expect(kellyFraction(0.5, 1)).toBe(0);
    expect(kellyFraction(0.3, 1)).toBeCloseTo(-0.4, 15);
    expect(capKelly(0.25, 0.5, 0.5)).toBeCloseTo(0.125, 15); // half Kelly
    expect(capKelly(0.9, 1, 0.5)).toBe(0.5); // capped
    expect(capKelly(-0.4, 0.5, 0.5)).toBe(0); // no edge: no bet
    expect(() => kellyFraction(1.2, 1)).toThrow(/winProbability must be in \[0, 1\], got 1.2/);
  });

  it('multi-outcome Kelly maximises sum p ln(1 + f r)', () => {
    // win 2R p .5, loss 1R p .3, flat p .2: 0.5*2/(1+2f) = 0.3/(1-f) -> 1 - f = 0.3 + 0.6 f -> f = 0.7 / 1.6
    expect(multiOutcomeKelly([{ p: 0.5, r: 2 }, { p: 0.3, r: -1 }, { p: 0.2, r: 0 }])).toBeCloseTo(0.4375, 12);
    // two outcomes reduce to the binary formula
    expect(multiOutcomeKelly([{ p: 0.55, r: 1.5 }, { p: 0.45, r: -1 }])).toBeCloseTo(0.25, 12);
    // default profile outcomes: 0.675 (1 - f) = 0.35 (1 + 1.5 f) -> f = 0.325 / 1.2
    expect(multiOutcomeKelly([{ p: 0.45, r: 1.5 }, { p: 0.35, r: -1 }, { p: 0.2, r: 0 }])).toBeCloseTo(0.325 / 1.2, 12);
    expect(multiOutcomeKelly([{ p: 0.4, r: 1 }, { p: 0.6, r: -1 }])).toBe(0); // negative expectation
    expect(multiOutcomeKelly([{ p: 0.5, r: 1 }, { p: 0.5, r: 0 }])).toBe(Infinity); // nothing can lose
    expect(() => multiOutcomeKelly([{ p: 0.5, r: 1 }, { p: 0.4, r: -1 }])).toThrow(/sum to 1, got 0.9/);
  });

  it('volatility targeting: the largest weight keeping portfolio vol <= target', () => {
    expect(volTargetWeight([0], [0.04], 0, 1, 0.1)).toBeCloseTo(0.5, 12); // alone: T / sigma = 0.1 / 0.2
    // Holding 0.5 of A (sigma .2); adding B (sigma .2). Uncorrelated: 0.04 x^2 = 0.15^2 - 0.01 -> x^2 = 0.3125
    expect(volTargetWeight([0.5, 0], [0.04, 0, 0, 0.04], 1, 1, 0.15)).toBeCloseTo(Math.sqrt(0.3125), 12);
    // Perfectly correlated: (0.5 + x) 0.2 = 0.15 -> x = 0.25; a short offsets: (0.5 - x) 0.2 = -0.15 -> x = 1.25
    expect(volTargetWeight([0.5, 0], [0.04, 0.04, 0.04, 0.04], 1, 1, 0.15)).toBeCloseTo(0.25, 12);
    expect(volTargetWeight([0.5, 0], [0.04, 0.04, 0.04, 0.04], 1, -1, 0.15)).toBeCloseTo(1.25, 12);
    expect(volTargetWeight([1, 0], [0.04, 0, 0, 0.04], 1, 1, 0.15)).toBe(0); // already at 0.2 > 0.15
  });

  it('confidence and performance factors, with bounds', () => {
    const c = { floor: 0.5, min: 0.5, max: 1.5 };
    expect(confidenceFactor(0.75, c)).toBe(1); // 0.5 + 1.0 * 0.25 / 0.5
    expect(confidenceFactor(1, c)).toBe(1.5);
    expect(confidenceFactor(0.5, c)).toBe(0.5);
    expect(confidenceFactor(0.4, c)).toBeUndefined(); // below the floor: refused
    expect(() => confidenceFactor(1.2, c)).toThrow(/confidence must be in \[0, 1\], got 1.2/);
    const p = { minTrades: 10, baseline: 0.5, min: 0.25, max: 1.25 };
    expect(performanceFactor(0.3, 20, p)).toBeCloseTo(0.6, 15); // underperforming source: smaller
    expect(performanceFactor(0.1, 20, p)).toBe(0.25); // 0.2 clamped up
    expect(performanceFactor(0.9, 20, p)).toBe(1.25); // 1.8 clamped down
    expect(performanceFactor(0.1, 5, p)).toBe(1); // too few trades
  });

  it('lot size and minimum notional', () => {
    expect(applyLotConstraints(812.7, 10, { lotSize: 1, minNotional: 0, multiplier: 1 })).toEqual({ qty: 812 });
    expect(applyLotConstraints(812.7, 10, { lotSize: 100, minNotional: 0, multiplier: 1 })).toEqual({ qty: 800 });
    expect(applyLotConstraints(0.37, 10, { lotSize: 0.1, minNotional: 0, multiplier: 1 })).toEqual({ qty: 0.3 });
    expect(applyLotConstraints(800, 10, { lotSize: 1, minNotional: 10_000, multiplier: 1 })).toEqual({ reason: 'notional 8000.00 is below the minimum 10000' });
    expect(applyLotConstraints(0.5, 10, { lotSize: 1, minNotional: 0, multiplier: 1 })).toMatchObject({ reason: expect.stringMatching(/rounds to 0 lots of 1/) });
  });
});

describe('risk manager: sizing pipeline on a hand-built portfolio', () => {
  const entry = { symbol: 'X', side: 'buy' as const, price: 100, stopDistance: 2.5, source: 'm' };

  it('fixed-fractional: 2% of 100k at a 2.5 stop = 800 units, accepted', () => {
    const rm = new RiskManager(isolated());
    const t = feed(rm, 'X', 20);
    const d = rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), entry);
    expect(d).toMatchObject({ decision: 'accept', qty: 800, stopDistance: 2.5, checks: [] });
    expect(d.event).toMatchObject({ kind: 'accept', symbol: 'X', source: 'm', qty: 800, requestedQty: 800, state: 'ACTIVE' });
    expect(rm.audit.events).toHaveLength(1);
  });

  it('ATR method: stop 2 x ATR(14) = 4, size 2000 / 4 = 500, and the decision carries the stop', () => {
    const rm = new RiskManager(isolated({ method: 'atr', atr: { period: 14, multiple: 2 } }));
    const t = feed(rm, 'X', 20); // true range 2 every bar -> ATR 2
    expect(rm.stats.get('X').atr(14)).toBe(2);
    const d = rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), entry);
    expect(d).toMatchObject({ decision: 'accept', qty: 500, stopDistance: 4 });
  });

  it('volatility targeting: sigma 0.2 (returns +-1%, 300 periods a year), target 0.1 -> weight 0.5 -> 500 units', () => {
    const rm = new RiskManager(isolated({ method: 'volTarget', volTarget: { annualVol: 0.1, lookback: 4, periodsPerYear: 300 } }));
    // closes 100, 100e^.01, 100, 100e^.01, 100: four log returns +-0.01, sd (ddof 1) = 0.01 sqrt(4/3); x 300 -> sigma^2 = 0.04
    const t = feed(rm, 'X', 5, (i) => (i % 2 === 0 ? 100 : 100 * Math.exp(0.01)));
    const d = rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), entry);
    expect(d.sizing!.fraction).toBeCloseTo(0.5, 9);
    expect(d).toMatchObject({ decision: 'accept', qty: 500 });
  });

  it('Kelly: p .55, b 1.5, tenth Kelly -> risk 2.5% at a 5 stop = 500 units; no edge is refused', () => {
    const rm = new RiskManager(isolated({ method: 'kelly', kelly: { winProbability: 0.55, payoff: 1.5, fraction: 0.1, cap: 0.5 } }));
    const t = feed(rm, 'X', 20);
    const ctx = fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t);
    expect(rm.evaluateEntry(ctx, { ...entry, stopDistance: 5 })).toMatchObject({ decision: 'accept', qty: 500 });
    const none = new RiskManager(isolated({ method: 'kelly', kelly: { winProbability: 0.3, payoff: 1 } }));
    feed(none, 'X', 20);
    expect(none.evaluateEntry(ctx, entry)).toMatchObject({ decision: 'reject', qty: 0, reason: expect.stringMatching(/no edge: Kelly fraction -0.4000/) });
  });

  it('Kelly from the source history: wins 2R, 2R, losses -1R, -1R -> p .5, b 2, f* .25', () => {
    const rm = new RiskManager(isolated({ method: 'kelly', kelly: { fraction: 0.1, useHistory: true, minTrades: 4 } }));
    const t = feed(rm, 'X', 20);
    for (const r of [2, -1, 2, -1]) rm.recordClosedTrade({ source: 'm', r });
    const d = rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), { ...entry, stopDistance: 5 });
    expect(d.sizing!.fraction).toBeCloseTo(0.025, 12);
    expect(d.qty).toBe(500);
  });

  it('multi-outcome Kelly: f* .4375, tenth -> 4.375% risk at a 5 stop = 875 units', () => {
    const rm = new RiskManager(isolated({ method: 'multiKelly', multiKelly: { outcomes: [{ p: 0.5, r: 2 }, { p: 0.3, r: -1 }, { p: 0.2, r: 0 }], fraction: 0.1, cap: 0.5 } }));
    const t = feed(rm, 'X', 20);
    expect(rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), { ...entry, stopDistance: 5 })).toMatchObject({ decision: 'accept', qty: 875 });
  });

  it('confidence scales the size (0.75 -> x1, 1.0 -> x1.5) and below the floor refuses', () => {
    const rm = new RiskManager(isolated({ confidence: { enabled: true, floor: 0.5, min: 0.5, max: 1.5 } }), { accountLeverage: 2 }); // margin account: 120k notional allowed
    const t = feed(rm, 'X', 20);
    const ctx = fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t);
    expect(rm.evaluateEntry(ctx, { ...entry, confidence: 0.75 }).qty).toBe(800);
    expect(rm.evaluateEntry(ctx, { ...entry, confidence: 1 }).qty).toBe(1200); // 3% risk, within maxRiskPerTrade 5%
    expect(rm.evaluateEntry(ctx, { ...entry, confidence: 0.4 })).toMatchObject({ decision: 'reject', reason: 'confidence 0.4 below the floor 0.5' });
  });

  it('performance: a source hitting 3 of 10 gets 0.3 / 0.5 = 0.6 of the size', () => {
    const rm = new RiskManager(isolated({ performance: { enabled: true, lookback: 10, minTrades: 10, baseline: 0.5, min: 0.25, max: 1.25 } }));
    const t = feed(rm, 'X', 20);
    for (let k = 0; k < 10; k++) rm.recordClosedTrade({ source: 'm', r: k < 3 ? 1 : -1 });
    rm.recordClosedTrade({ source: 'other', r: 1 });
    const d = rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t), entry);
    expect(d.sizing!.performanceFactor).toBeCloseTo(0.6, 15);
    expect(d.qty).toBe(480);
  });
});

describe('risk manager: pre-trade limits (resize or reject, with the limit named)', () => {
  const entry = { symbol: 'X', side: 'buy' as const, price: 100, stopDistance: 2.5, source: 'm' };
  const run = (limits: RiskProfileInput['limits'], positions: Record<string, FakePos>, cash: number, opts: { accountLeverage?: number } = {}) => {
    const rm = new RiskManager(isolated({}, limits), { accountLeverage: opts.accountLeverage ?? 10, sectors: { X: 'tech', Y: 'tech' } });
    let t = 0;
    for (const s of Object.keys(positions)) t = feed(rm, s, 20);
    return rm.evaluateEntry(fakeCtx(cash, positions, t), entry);
  };

  it('max risk per trade: 1.5% of 100k at 2.5 -> 600', () => {
    expect(run({ maxRiskPerTrade: 0.015 }, { X: { qty: 0, price: 100 } }, 100_000)).toMatchObject({ decision: 'resize', qty: 600, checks: ['maxRiskPerTrade 0.015'] });
  });
  it('max position notional: 0.5 x 100k / 100 -> 500', () => {
    expect(run({ maxPositionNotional: 0.5 }, { X: { qty: 0, price: 100 } }, 100_000)).toMatchObject({ decision: 'resize', qty: 500, checks: ['maxPositionNotional 0.5'] });
  });
  it('gross exposure and leverage count the other positions: (0.6 x 100k - 30k) / 100 -> 300; leverage 0.5 -> 200', () => {
    const book = { X: { qty: 0, price: 100 }, Y: { qty: 300, price: 100 } };
    expect(run({ maxGrossExposure: 0.6 }, book, 70_000)).toMatchObject({ decision: 'resize', qty: 300, checks: ['maxGrossExposure 0.6'] });
    expect(run({ maxLeverage: 0.5 }, book, 70_000)).toMatchObject({ decision: 'resize', qty: 200, checks: ['maxLeverage 0.5'] });
  });
  it('net exposure: a long against a long book is cut ((50k - 30k) / 100 = 200); a short is not', () => {
    const book = { X: { qty: 0, price: 100 }, Y: { qty: 300, price: 100 } };
    expect(run({ maxNetExposure: 0.5 }, book, 70_000)).toMatchObject({ decision: 'resize', qty: 200, checks: ['maxNetExposure 0.5'] });
    const rm = new RiskManager(isolated({}, { maxNetExposure: 0.5 }), { accountLeverage: 10 });
    const t = feed(rm, 'X', 20); feed(rm, 'Y', 20);
    expect(rm.evaluateEntry(fakeCtx(70_000, book, t), { ...entry, side: 'sell' })).toMatchObject({ decision: 'accept', qty: 800 });
  });
  it('sector and asset-class caps: (0.4 x 100k - 30k) / 100 -> 100; equity 0.45 -> 150', () => {
    const book = { X: { qty: 0, price: 100 }, Y: { qty: 300, price: 100 } };
    expect(run({ sectors: { X: 'tech', Y: 'tech' }, sectorCaps: { tech: 0.4 } }, book, 70_000)).toMatchObject({ decision: 'resize', qty: 100, checks: ['sectorCap tech 0.4'] });
    expect(run({ assetClassCaps: { equity: 0.45 } }, book, 70_000)).toMatchObject({ decision: 'resize', qty: 150, checks: ['assetClassCap equity 0.45'] });
    expect(run({ assetClassCaps: { fx: 0.1 } }, book, 70_000)).toMatchObject({ decision: 'accept', qty: 800 }); // other class: no effect
  });
  it('a cash account: leverage 1 leaves (100k - 80k) / 100 = 200, and 1% of the cash stays free: 20k x 0.99 / 100 -> 198', () => {
    expect(run({}, { X: { qty: 0, price: 100 }, Y: { qty: 800, price: 100 } }, 20_000, { accountLeverage: 1 })).toMatchObject({ decision: 'resize', qty: 198, checks: ['maxLeverage 1', 'cash'] });
  });
  it('max open positions refuses a new symbol', () => {
    expect(run({ maxOpenPositions: 1 }, { X: { qty: 0, price: 100 }, Y: { qty: 300, price: 100 } }, 70_000)).toMatchObject({ decision: 'reject', reason: 'max open positions 1 reached', checks: ['maxOpenPositions'] });
  });
  it('lot size and minimum notional of the instrument', () => {
    expect(run({}, { X: { qty: 0, price: 100, inst: { lotSize: 300 } } }, 100_000)).toMatchObject({ decision: 'accept', qty: 600 });
    expect(run({ maxRiskPerTrade: 0.001 }, { X: { qty: 0, price: 100, inst: { minNotional: 5000 } } }, 100_000))
      .toMatchObject({ decision: 'reject', reason: 'limits maxRiskPerTrade 0.001 leave 40.0000 units: notional 4000.00 is below the minimum 5000' });
  });

  it('correlation cap: same-direction positions in correlated assets are refused; hedges are not', () => {
    const mk = () => {
      const rm = new RiskManager(isolated({}, { maxCorrelation: 0.8, correlationLookback: 20 }), { accountLeverage: 10, cashBuffer: 0 });
      const wave = (i: number): number => 100 * Math.exp(0.01 * Math.sin(i * 1.3) + 0.004 * (i % 3));
      feed(rm, 'Y', 30, wave);
      feed(rm, 'X', 30, wave); // X moves exactly like Y: rho = 1
      const t = feed(rm, 'Z', 30, (i) => 10_000 / wave(i)); // Z moves opposite: rho = -1
      return { rm, t };
    };
    const { rm, t } = mk();
    expect(rm.stats.correlation('X', 'Y', 20).rho).toBeCloseTo(1, 12);
    expect(rm.stats.correlation('Z', 'Y', 20).rho).toBeCloseTo(-1, 12);
    const book = { X: { qty: 0, price: 100 }, Y: { qty: 100, price: 100 }, Z: { qty: 0, price: 100 } };
    const ctx = fakeCtx(90_000, book, t);
    const same = rm.evaluateEntry(ctx, entry);
    expect(same).toMatchObject({ decision: 'reject', checks: ['maxCorrelation'] });
    expect(same.reason).toMatch(/^correlation 1\.000 of X with the open long Y over 20 returns: direction-adjusted 1\.000 exceeds the cap 0\.8$/);
    expect(rm.evaluateEntry(ctx, { ...entry, symbol: 'Z' }).decision).toBe('accept'); // long Z hedges long Y
    expect(rm.evaluateEntry(ctx, { ...entry, symbol: 'Z', side: 'sell' }).decision).toBe('reject'); // short Z = long Y again
    expect(rm.evaluateEntry(ctx, { ...entry, side: 'sell' }).decision).toBe('accept'); // short X hedges long Y
  });

  it('health gate: a degraded source or feed, or stale data, refuses entries', () => {
    const rm = new RiskManager(isolated());
    const t = feed(rm, 'X', 20);
    const ctx = fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t);
    rm.reportHealth({ name: 'm', score: 0.3 });
    expect(rm.evaluateEntry(ctx, entry)).toMatchObject({ decision: 'reject', reason: 'health gate: source m degraded (health score 0.3 below 0.5)' });
    expect(rm.evaluateEntry(ctx, { ...entry, source: 'other' }).decision).toBe('accept');
    rm.reportHealth({ name: 'm', score: 0.9 });
    rm.reportHealth({ name: 'X', error: 'feed disconnected' });
    expect(rm.evaluateEntry(ctx, entry).reason).toBe('health gate: feed X degraded (error: feed disconnected)');
    rm.reportHealth({ name: 'X', score: 1 });
    expect(rm.evaluateEntry(ctx, entry).decision).toBe('accept');
    // latest bar 4 days old with maxDataAgeBars 3
    expect(rm.evaluateEntry(fakeCtx(100_000, { X: { qty: 0, price: 100 } }, t + 4 * DAY), entry).reason).toBe('health gate: feed X stale (latest bar 4.0 bars old, limit 3)');
    expect(rm.audit.byKind('healthDegraded').map((e) => e.source)).toEqual(['m', 'X']);
    expect(rm.audit.byKind('healthRestored').map((e) => e.source)).toEqual(['m', 'X']);
  });

  it('volatility circuit breaker pauses entries in a symbol while sd(short) / sd(long) > ratio', () => {
    const rm = new RiskManager(isolated({}, { volatilityBreaker: { enabled: true, shortWindow: 5, longWindow: 20, ratio: 2 } }));
    let c = 100;
    const bars: number[] = [100];
    for (let i = 1; i <= 20; i++) bars.push((c *= i % 2 ? 1.002 : 1 / 1.002)); // calm: +-0.2%
    for (let i = 0; i < 5; i++) bars.push((c *= i % 2 ? 1.03 : 1 / 1.03)); // storm: +-3%
    for (let i = 0; i < 30; i++) bars.push((c *= i % 2 ? 1.002 : 1 / 1.002)); // calm again
    const ctx = (i: number) => fakeCtx(100_000, { X: { qty: 0, price: bars[i]! } }, T0 + (i + 1) * DAY);
    const states: boolean[] = [];
    bars.forEach((close, i) => {
      rm.observe(ctx(i), { symbol: 'X', timeframe: '1d', index: i, time: T0 + (i + 1) * DAY, open: close, high: close, low: close, close, volume: 0 });
      states.push(rm.pausedSymbols.includes('X'));
    });
    expect(states.slice(0, 21).some(Boolean)).toBe(false);
    const paused = states.indexOf(true);
    expect(paused).toBeGreaterThan(20);
    expect(paused).toBeLessThanOrEqual(25);
    expect(states[states.length - 1]).toBe(false); // resumed once the storm left the short window
    expect(rm.audit.byKind('volPause')).toHaveLength(1);
    expect(rm.audit.byKind('volResume')).toHaveLength(1);
    const rm2 = new RiskManager(isolated({}, { volatilityBreaker: { enabled: true, shortWindow: 5, longWindow: 20, ratio: 2 } }));
    bars.slice(0, paused + 1).forEach((close, i) => rm2.observe(ctx(i), { symbol: 'X', timeframe: '1d', index: i, time: T0 + (i + 1) * DAY, open: close, high: close * 1.001, low: close * 0.999, close, volume: 0 }));
    expect(rm2.evaluateEntry(ctx(paused), { ...entry, price: bars[paused]! }).reason).toMatch(/^volatility circuit breaker: realised volatility jump/);
  });
});

describe('risk profiles', () => {
  it('the shipped profiles load and order by risk', () => {
    const [c, m, a] = SHIPPED_PROFILES.map((n) => loadRiskProfile(n));
    expect(m!.sizing.riskPerTrade).toBe(0.02);
    expect(m!.limits).toMatchObject({ dailyLossLimit: 0.05, maxDrawdown: 0.08 });
    expect(c!.sizing.riskPerTrade).toBeLessThan(m!.sizing.riskPerTrade);
    expect(a!.sizing.riskPerTrade).toBeGreaterThan(m!.sizing.riskPerTrade);
    expect(c!.limits.maxDrawdown).toBeLessThan(a!.limits.maxDrawdown);
    for (const p of [c, m, a]) expect(p!.killSwitch.enabled).toBe(true);
  });

  it('defaults are the issue defaults: 2% risk per trade, 5% daily loss, 8% drawdown', () => {
    const p = parseRiskProfile({});
    expect(p.sizing.riskPerTrade).toBe(0.02);
    expect(p.limits.dailyLossLimit).toBe(0.05);
    expect(p.limits.maxDrawdown).toBe(0.08);
    expect(p.sizing.kelly.cap).toBe(0.5);
  });

  it.each([
    [{ sizing: { riskPerTrade: -1 } }, /config profile\.sizing\.riskPerTrade = -1 \(number\)/],
    [{ sizing: { method: 'martingale' } }, /config profile\.sizing\.method = "martingale" \(string\)/],
    [{ killSwitch: { enabled: false } }, /config profile\.killSwitch\.enabled = false \(boolean\): the kill switch cannot be disabled by a profile/],
    [{ limits: { maxDrawdown: 0 } }, /config profile\.limits\.maxDrawdown = 0 \(number\): must be > 0 \(the kill switch cannot be disabled\)/],
    [{ limits: { maxDrawdown: 1 } }, /config profile\.limits\.maxDrawdown = 1 \(number\): must be <= 0\.5/],
    [{ limits: { maxDrawdon: 0.1 } }, /config profile\.limits\.maxDrawdon = 0\.1 \(number\): unknown key/],
    [{ sizing: { kelly: { cap: 0.9 } } }, /config profile\.sizing\.kelly\.cap = 0\.9 \(number\)/],
    [{ sizing: { multiKelly: { outcomes: [{ p: 0.5, r: 1 }, { p: 0.4, r: -1 }] } } }, /config profile\.sizing\.multiKelly\.outcomes = Array\(2\): probabilities must sum to 1, got 0\.9/],
    [{ sizing: { confidence: { min: 2, max: 1 } } }, /config profile\.sizing\.confidence\.min = 2 \(number\): must be <= sizing\.confidence\.max \(1\)/],
    [{ limits: { sectorCaps: { tech: 0.3 } } }, /config profile\.limits\.sectorCaps\.tech = 0\.3 \(number\): no symbol is mapped to sector "tech"/],
  ])('names the key and value of a bad profile %#', (raw, re) => {
    expect(() => parseRiskProfile(raw)).toThrow(ConfigError);
    expect(() => parseRiskProfile(raw)).toThrow(re);
  });

  it('an unknown profile name lists the shipped ones', () => {
    expect(() => loadRiskProfile('reckless')).toThrow(/config profile = "reckless" \(string\): not a shipped profile \(conservative, moderate, aggressive\)/);
  });
});
