/**
 * The risk manager: every order passes it, in backtests, paper trading and live alike (it
 * works through the StrategyContext, so only the clock, data and broker behind it differ).
 *
 * States (NautilusTrader's risk-engine states):
 *   ACTIVE    every order is checked and may go ahead.
 *   REDUCING  the daily loss limit was reached: no new entries until the next UTC day; orders
 *             that only reduce positions still go ahead.
 *   HALTED    the kill switch is engaged (maximum drawdown reached, or engaged by hand): all
 *             open orders were cancelled and every position flattened; no new entries until a
 *             person calls resetKillSwitch(by). Reducing orders are still allowed.
 * Per symbol / per source gates that refuse entries without changing the global state: the
 * volatility circuit breaker (entries in a symbol pause while its short-window return
 * volatility exceeds `ratio` times the long-window one) and the health gate (a degraded or
 * stale signal source or data feed).
 *
 * An order "increases" risk when |position after| > |position before| (a flip counts): those
 * are entries and go through the gates, the sizing and the limits. Everything else is a
 * reduction and is accepted (and recorded). Every decision is an audit event with its reason.
 *
 * Days are UTC days of the bar close time t, counted as floor((t - 1 ms) / 1 day), so a daily
 * bar stamped at midnight belongs to the day it covered. Day-start equity = the last equity
 * seen on the previous day.
 */
import { describeValue } from '../errors.js';
import { TIMEFRAME_MS } from '../data/bars.js';
import type { Instrument } from '../trading/instrument.js';
import type { Order, OrderRequest, Side } from '../trading/order.js';
import type { BarView, StrategyContext } from '../trading/strategy.js';
import { AuditTrail, type RiskEvent, type RiskEventKind, type TradingState } from './audit.js';
import { HealthGate, type HealthReport } from './health.js';
import { MarketStats, sampleSd } from './market-stats.js';
import { loadRiskProfile, type RiskProfile, type RiskProfileInput, type SizingMethod } from './profile.js';
import { applyLotConstraints, capKelly, confidenceFactor, kellyFraction, multiOutcomeKelly, performanceFactor, volTargetWeight } from './sizing.js';

const DAY_MS = 86_400_000;
const EPS = 1e-9;

export function dayOf(t: number): number {
  return Math.floor((t - 1) / DAY_MS);
}

/** A request for a new position, from a signal. */
export interface EntryIntent {
  symbol: string;
  /** 'buy' opens (or adds to) a long, 'sell' a short. */
  side: Side;
  /** Reference price (the signal bar's close). */
  price: number;
  /** Proposed stop distance in price units (from the exit plan). The 'atr' sizing method replaces it. */
  stopDistance: number;
  /** Calibrated confidence in [0, 1]. */
  confidence?: number;
  /** Signal source (model) name: health gate and performance scaling. */
  source: string;
  /** Data feed the signal depends on (default: the symbol). */
  feed?: string;
}

export interface SizingBreakdown {
  method: SizingMethod;
  equity: number;
  stopDistance: number;
  /** Risk fraction (fixed-fractional, atr, kelly), or weight (volTarget). */
  fraction: number;
  baseQty: number;
  confidenceFactor: number;
  performanceFactor: number;
  /** baseQty times both factors, before limits and lot rounding. */
  scaledQty: number;
}

export interface RiskDecision {
  decision: 'accept' | 'resize' | 'reject';
  /** Units allowed (whole lots); 0 when rejected. */
  qty: number;
  /** Stop distance the size was computed for (the exit plan's initial stop uses it). */
  stopDistance: number;
  reason: string;
  /** Limits that cut the size (resize) or refused it (reject). */
  checks: string[];
  sizing?: SizingBreakdown;
  event: RiskEvent;
}

export interface OrderCheck {
  decision: 'accept' | 'resize' | 'reject';
  /** The request to send (qty possibly reduced, allIn turned into an explicit qty); undefined when rejected. */
  request?: OrderRequest;
  reason: string;
  event: RiskEvent;
}

export interface ClosedTradeRecord {
  source: string;
  /** Result in R (P&L over the initial risk). */
  r: number;
}

export interface RiskManagerOptions {
  /** Sector per symbol (merged over profile.limits.sectors). */
  sectors?: Record<string, string>;
  /** The account's gross-exposure limit (multiple of equity; 1 = cash account). Default 1. */
  accountLeverage?: number;
  /** Spot buys in a cash account keep this fraction of the cash free for a gap at the next open and fees. Default 0.01. */
  cashBuffer?: number;
  /** Override the profile's sizing method (comparison runs). */
  sizingMethod?: SizingMethod;
  /** More ATR periods to track (the exit manager's). */
  atrPeriods?: number[];
  /** Called for every audit event. */
  onEvent?: (e: RiskEvent) => void;
}

interface Projected {
  qty: number;
  price: number;
  inst: Instrument;
}

export class RiskManager {
  readonly profile: RiskProfile;
  readonly audit: AuditTrail;
  readonly health: HealthGate;
  readonly stats: MarketStats;
  readonly sizingMethod: SizingMethod;
  private readonly sectors: Record<string, string>;
  private readonly accountLeverage: number;
  private readonly cashBuffer: number;
  private now = Number.NEGATIVE_INFINITY;
  private killEngaged = false;
  /** When (ms) and why the kill switch engaged last. */
  killedAt: number | undefined;
  private dailyHalted = false;
  private day = NaN;
  private dayStartEquity = NaN;
  private lastEquity = NaN;
  private peak = Number.NEGATIVE_INFINITY;
  private readonly volPaused = new Map<string, string>();
  private readonly closed = new Map<string, ClosedTradeRecord[]>();
  private syntheticIds = 0;

  constructor(profile: string | RiskProfileInput | RiskProfile = 'moderate', opts: RiskManagerOptions = {}) {
    this.profile = loadRiskProfile(profile);
    this.audit = new AuditTrail(opts.onEvent);
    const l = this.profile.limits, s = this.profile.sizing;
    this.health = new HealthGate(l.health.minScore, (name, degraded, reason) => this.record(degraded ? 'healthDegraded' : 'healthRestored', reason, { source: name }));
    const capacity = Math.max(l.correlationLookback, s.volTarget.lookback, l.volatilityBreaker.longWindow) + 1;
    this.stats = new MarketStats(capacity, [s.atr.period, ...(opts.atrPeriods ?? [])]);
    this.sectors = { ...l.sectors, ...(opts.sectors ?? {}) };
    this.accountLeverage = opts.accountLeverage ?? 1;
    if (!(this.accountLeverage >= 1)) throw new RangeError(`accountLeverage must be >= 1, got ${describeValue(opts.accountLeverage)}`);
    this.cashBuffer = opts.cashBuffer ?? 0.01;
    if (!(this.cashBuffer >= 0 && this.cashBuffer < 1)) throw new RangeError(`cashBuffer must be in [0, 1), got ${describeValue(opts.cashBuffer)}`);
    this.sizingMethod = opts.sizingMethod ?? s.method;
  }

  get state(): TradingState {
    if (this.killEngaged) return 'HALTED';
    if (this.dailyHalted) return 'REDUCING';
    return 'ACTIVE';
  }

  get killSwitchEngaged(): boolean {
    return this.killEngaged;
  }

  /** Symbols whose entries the volatility breaker pauses now. */
  get pausedSymbols(): string[] {
    return [...this.volPaused.keys()];
  }

  private record(kind: RiskEventKind, reason: string, extra: Partial<RiskEvent> = {}): RiskEvent {
    return this.audit.record({ time: this.now, kind, state: this.state, reason, ...extra });
  }

  /** Reports a source's or feed's health (see HealthGate). */
  reportHealth(r: HealthReport): void {
    this.health.report(r);
  }

  /**
   * Call once per closed bar, before the strategy acts: updates the market statistics, the
   * day and the equity peak, and runs the continuous checks (kill switch, daily loss,
   * volatility breaker). Only the symbol's execution-timeframe bars feed the statistics.
   */
  observe(ctx: StrategyContext, bar: BarView): void {
    this.now = ctx.time;
    const exec = ctx.data(bar.symbol).timeframe;
    if (bar.timeframe === exec) {
      this.stats.update(bar);
      this.checkVolatility(bar.symbol);
    }
    const equity = ctx.account.equity;
    const d = dayOf(ctx.time);
    if (d !== this.day) {
      this.dayStartEquity = Number.isNaN(this.day) ? equity : this.lastEquity;
      this.day = d;
      if (this.dailyHalted) {
        this.dailyHalted = false;
        this.record('dailyResume', `new day: entries allowed again (day-start equity ${this.dayStartEquity.toFixed(2)})`);
      }
    }
    this.lastEquity = equity;
    if (equity > this.peak) this.peak = equity;
    const l = this.profile.limits;
    if (!this.killEngaged) {
      const dd = equity / this.peak - 1;
      if (dd <= -l.maxDrawdown + EPS) {
        this.engageKillSwitch(ctx, `drawdown ${(100 * -dd).toFixed(2)}% from peak ${this.peak.toFixed(2)} reached the limit ${(100 * l.maxDrawdown).toFixed(2)}%`);
      }
    } else {
      this.flattenAll(ctx, 'kill switch engaged: flattening a remaining position');
    }
    if (!this.dailyHalted && !this.killEngaged) {
      const loss = equity / this.dayStartEquity - 1;
      if (loss <= -l.dailyLossLimit + EPS) {
        this.dailyHalted = true;
        const cancelled = this.cancelEntries(ctx, 'daily loss limit: pending entry cancelled');
        this.record('dailyHalt', `daily loss ${(100 * -loss).toFixed(2)}% (equity ${equity.toFixed(2)} vs day start ${this.dayStartEquity.toFixed(2)}) reached the limit ${(100 * l.dailyLossLimit).toFixed(2)}%: no new entries until the next day`, { details: { cancelledEntries: cancelled } });
      }
    }
  }

  private checkVolatility(symbol: string): void {
    const v = this.profile.limits.volatilityBreaker;
    if (!v.enabled) return;
    const s = this.stats.get(symbol);
    if (s.returnCount < v.longWindow) return;
    const long = sampleSd(s.returns(v.longWindow).ret), short = sampleSd(s.returns(v.shortWindow).ret);
    const ratio = long > 0 ? short / long : short > 0 ? Infinity : 1;
    const paused = this.volPaused.has(symbol);
    if (!paused && ratio > v.ratio) {
      const why = `realised volatility jump: sd of the last ${v.shortWindow} returns is ${ratio.toFixed(2)}x that of the last ${v.longWindow} (limit ${v.ratio}x)`;
      this.volPaused.set(symbol, why);
      this.record('volPause', why, { symbol, details: { ratio } });
    } else if (paused && ratio <= v.ratio) {
      this.volPaused.delete(symbol);
      this.record('volResume', `volatility ratio back to ${ratio.toFixed(2)}x (limit ${v.ratio}x): entries allowed`, { symbol, details: { ratio } });
    }
  }

  private cancelEntries(ctx: StrategyContext, _why: string): number {
    let n = 0;
    for (const o of ctx.openOrders()) {
      if (!o.reduceOnly && !(o.tag ?? '').startsWith('exit:')) {
        if (ctx.cancel(o.id)) n++;
      }
    }
    return n;
  }

  /** Engages the kill switch: cancels every open order and flattens every position. */
  engageKillSwitch(ctx: StrategyContext, reason: string): void {
    this.now = ctx.time;
    this.killEngaged = true;
    this.killedAt = ctx.time;
    const cancelled = ctx.cancelAll();
    this.record('killSwitch', `${reason}: ${cancelled} open order(s) cancelled, positions flattened; stays engaged until reset by a person`, { details: { cancelledOrders: cancelled, equity: ctx.account.equity } });
    this.flattenAll(ctx, 'kill switch flatten');
  }

  private flattenAll(ctx: StrategyContext, why: string): void {
    for (const sym of ctx.symbols) {
      const q = ctx.position(sym).qty;
      if (q === 0) continue;
      const side: Side = q > 0 ? 'sell' : 'buy';
      if (ctx.openOrders(sym).some((o) => o.tag === 'exit:kill')) continue;
      ctx.submit({ symbol: sym, side, type: 'market', qty: Math.abs(q), reduceOnly: true, tag: 'exit:kill' });
      this.record('flatten', why, { symbol: sym, side, qty: Math.abs(q) });
    }
  }

  /** A person resets the kill switch; the drawdown peak restarts from the current equity. */
  resetKillSwitch(by: string, note = ''): void {
    if (typeof by !== 'string' || by.trim() === '') throw new TypeError(`resetKillSwitch needs the name of the person resetting it, got ${describeValue(by)}`);
    if (!this.killEngaged) return;
    this.killEngaged = false;
    this.peak = this.lastEquity;
    this.record('killSwitchReset', `kill switch reset by ${by}${note ? ` (${note})` : ''}; drawdown peak restarts at ${this.lastEquity.toFixed(2)}`);
  }

  /** Records a closed trade of a source (performance scaling and Kelly estimates). */
  recordClosedTrade(t: ClosedTradeRecord): void {
    let list = this.closed.get(t.source);
    if (!list) this.closed.set(t.source, (list = []));
    list.push(t);
    if (list.length > 1000) list.splice(0, list.length - 1000);
  }

  /** Hit rate (share of R > 0) and count over a source's last `lookback` closed trades. */
  sourceHitRate(source: string, lookback: number): { hitRate: number; trades: number } {
    const list = (this.closed.get(source) ?? []).slice(-lookback);
    return { hitRate: list.length ? list.filter((t) => t.r > 0).length / list.length : NaN, trades: list.length };
  }

  // ---- the entry gates, sizing and limits ----

  private project(ctx: StrategyContext): Map<string, Projected> {
    const out = new Map<string, Projected>();
    for (const sym of ctx.symbols) {
      const p = ctx.position(sym);
      const last = Number.isFinite(p.lastPrice) ? p.lastPrice : this.stats.get(sym).close;
      out.set(sym, { qty: p.qty, price: last, inst: p.instrument });
    }
    for (const o of ctx.openOrders()) {
      if (o.reduceOnly || (o.tag ?? '').startsWith('exit:')) continue;
      const pr = out.get(o.symbol);
      if (!pr) continue;
      const q = o.allIn ? (o.side === 'buy' ? Math.max(0, ctx.account.cash) / (pr.price * pr.inst.multiplier) : -Math.max(0, pr.qty)) : (o.side === 'buy' ? 1 : -1) * (o.qty - o.filledQty);
      pr.qty += q;
    }
    return out;
  }

  /** Gates that refuse an entry outright (state, volatility, health, stale data). */
  private gate(ctx: StrategyContext, symbol: string, source: string | undefined, feed: string): string | undefined {
    if (this.killEngaged) return 'kill switch engaged: no new entries until a person resets it';
    if (this.dailyHalted) return `daily loss limit reached: no new entries until the next day`;
    const vp = this.volPaused.get(symbol);
    if (vp) return `volatility circuit breaker: ${vp}`;
    if (source !== undefined) {
      const h = this.health.status(source);
      if (!h.open) return `health gate: source ${source} degraded (${h.reason})`;
    }
    const hf = this.health.status(feed);
    if (!hf.open) return `health gate: feed ${feed} degraded (${hf.reason})`;
    const tf = ctx.data(symbol).timeframe;
    const step = TIMEFRAME_MS[tf as keyof typeof TIMEFRAME_MS] ?? DAY_MS;
    const last = this.stats.get(symbol).lastTime;
    const maxAge = this.profile.limits.health.maxDataAgeBars * step;
    if (!Number.isFinite(last)) return `health gate: feed ${symbol} has no data yet`;
    if (ctx.time - last > maxAge) return `health gate: feed ${symbol} stale (latest bar ${((ctx.time - last) / step).toFixed(1)} bars old, limit ${this.profile.limits.health.maxDataAgeBars})`;
    return undefined;
  }

  /** Rejections that depend on the portfolio: open-position count and correlation. */
  private portfolioGate(symbol: string, sign: number, proj: Map<string, Projected>): string | undefined {
    const l = this.profile.limits;
    const mine = proj.get(symbol)!;
    const open = [...proj].filter(([s, p]) => s !== symbol && Math.abs(p.qty) > EPS);
    if (Math.abs(mine.qty) <= EPS && open.length >= l.maxOpenPositions) return `max open positions ${l.maxOpenPositions} reached`;
    const need = Math.max(5, Math.ceil(l.correlationLookback / 2));
    for (const [other, p] of open) {
      const { rho, n } = this.stats.correlation(symbol, other, l.correlationLookback);
      if (n < need || !Number.isFinite(rho)) continue;
      const eff = rho * sign * Math.sign(p.qty);
      if (eff > l.maxCorrelation + EPS) {
        return `correlation ${rho.toFixed(3)} of ${symbol} with the open ${p.qty > 0 ? 'long' : 'short'} ${other} over ${n} returns: direction-adjusted ${eff.toFixed(3)} exceeds the cap ${l.maxCorrelation}`;
      }
    }
    return undefined;
  }

  /**
   * The largest additional quantity (>= 0) on side `sign` allowed by the exposure limits, and
   * the names of the limits that bind below `want`.
   */
  private limitQty(ctx: StrategyContext, symbol: string, sign: number, want: number, price: number, stopDistance: number | undefined, proj: Map<string, Projected>, checks: string[]): number {
    const l = this.profile.limits;
    const E = ctx.account.equity;
    const me = proj.get(symbol)!;
    const m = me.inst.multiplier;
    const unit = price * m;
    const cur = me.qty;
    let q = want;
    const cut = (name: string, max: number): void => {
      const allowed = Math.max(0, max);
      if (allowed < q - EPS * Math.max(1, q)) {
        q = allowed;
        checks.push(name);
      }
    };
    // Additional quantity keeping |cur + sign q| * unit <= A.
    const extra = (A: number): number => (sign * cur >= 0 ? A / unit - Math.abs(cur) : A / unit + Math.abs(cur));
    if (stopDistance !== undefined && stopDistance > 0) cut(`maxRiskPerTrade ${l.maxRiskPerTrade}`, (l.maxRiskPerTrade * E) / (stopDistance * m));
    cut(`maxPositionNotional ${l.maxPositionNotional}`, extra(l.maxPositionNotional * E));
    let grossOther = 0, netOther = 0, sectorOther = 0, classOther = 0;
    const sector = this.sectors[symbol];
    for (const [s, p] of proj) {
      if (s === symbol || p.qty === 0 || !Number.isFinite(p.price)) continue;
      const v = p.qty * p.price * p.inst.multiplier;
      grossOther += Math.abs(v);
      netOther += v;
      if (sector !== undefined && this.sectors[s] === sector) sectorOther += Math.abs(v);
      if (p.inst.assetClass === me.inst.assetClass) classOther += Math.abs(v);
    }
    const lev = Math.min(l.maxLeverage, me.inst.assetClass === 'perp' ? me.inst.maxLeverage : this.accountLeverage);
    cut(`maxLeverage ${lev}`, extra(lev * E - grossOther));
    cut(`maxGrossExposure ${l.maxGrossExposure}`, extra(l.maxGrossExposure * E - grossOther));
    // Net: (cur + sign q) unit + netOther within [-cap E, cap E].
    const netCap = l.maxNetExposure * E;
    cut(`maxNetExposure ${l.maxNetExposure}`, sign > 0 ? (netCap - netOther) / unit - cur : cur + (netCap + netOther) / unit);
    if (sector !== undefined && l.sectorCaps[sector] !== undefined) cut(`sectorCap ${sector} ${l.sectorCaps[sector]}`, extra(l.sectorCaps[sector]! * E - sectorOther));
    const classCap = l.assetClassCaps[me.inst.assetClass];
    if (classCap !== undefined) cut(`assetClassCap ${me.inst.assetClass} ${classCap}`, extra(classCap * E - classOther));
    if (this.accountLeverage <= 1 && me.inst.assetClass !== 'perp' && sign > 0 && cur >= 0) {
      let pendingBuys = 0;
      for (const o of ctx.openOrders()) if (!o.reduceOnly && o.side === 'buy' && !o.allIn) pendingBuys += (o.qty - o.filledQty) * (proj.get(o.symbol)?.price ?? 0) * (proj.get(o.symbol)?.inst.multiplier ?? 1);
      cut('cash', ((ctx.account.cash - pendingBuys) * (1 - this.cashBuffer)) / unit);
    }
    return Math.max(q, 0);
  }

  /** Position size before limits, by the sizing method. */
  private size(ctx: StrategyContext, intent: EntryIntent, sign: 1 | -1, proj: Map<string, Projected>): { qty: number; stopDistance: number; fraction: number } | string {
    const s = this.profile.sizing;
    const E = ctx.account.equity;
    const inst = proj.get(intent.symbol)!.inst;
    const m = inst.multiplier;
    let d = intent.stopDistance;
    switch (this.sizingMethod) {
      case 'fixedFractional':
        return { qty: (s.riskPerTrade * E) / (d * m), stopDistance: d, fraction: s.riskPerTrade };
      case 'atr': {
        const atr = this.stats.get(intent.symbol).atr(s.atr.period);
        if (!(atr > 0)) return `ATR(${s.atr.period}) of ${intent.symbol} not available yet`;
        d = s.atr.multiple * atr;
        return { qty: (s.riskPerTrade * E) / (d * m), stopDistance: d, fraction: s.riskPerTrade };
      }
      case 'volTarget': {
        const held = [...proj].filter(([sym, p]) => sym !== intent.symbol && Math.abs(p.qty) > EPS && Number.isFinite(p.price)).map(([sym]) => sym);
        const syms = [...held, intent.symbol];
        if (this.stats.get(intent.symbol).returnCount < 2) return `not enough returns of ${intent.symbol} for its volatility`;
        const { cov } = this.stats.covariance(syms, s.volTarget.lookback, s.volTarget.periodsPerYear);
        const w = syms.map((sym) => {
          const p = proj.get(sym)!;
          return sym === intent.symbol ? (p.qty * p.price * p.inst.multiplier) / E : (p.qty * p.price * p.inst.multiplier) / E;
        });
        for (let k = 0; k < cov.length; k++) if (!Number.isFinite(cov[k]!)) cov[k] = 0;
        const x = volTargetWeight(w, cov, syms.length - 1, sign, s.volTarget.annualVol);
        if (!(x > 0)) return `portfolio volatility already at or above the target ${s.volTarget.annualVol}`;
        return { qty: (x * E) / (intent.price * m), stopDistance: d, fraction: x };
      }
      case 'kelly': {
        const k = s.kelly;
        let p = k.winProbability, b = k.payoff;
        if (k.useHistory) {
          const list = (this.closed.get(intent.source) ?? []).slice(-k.lookback);
          const wins = list.filter((t) => t.r > 0), losses = list.filter((t) => t.r < 0);
          if (list.length >= k.minTrades && wins.length > 0 && losses.length > 0) {
            p = wins.length / list.length;
            b = wins.reduce((a, t) => a + t.r, 0) / wins.length / (-losses.reduce((a, t) => a + t.r, 0) / losses.length);
          }
        }
        const f = capKelly(kellyFraction(p, b), k.fraction, k.cap);
        if (!(f > 0)) return `no edge: Kelly fraction ${kellyFraction(p, b).toFixed(4)} (p ${p.toFixed(3)}, payoff ${b.toFixed(3)}) <= 0`;
        return { qty: (f * E) / (d * m), stopDistance: d, fraction: f };
      }
      case 'multiKelly': {
        const k = s.multiKelly;
        const full = multiOutcomeKelly(k.outcomes);
        const f = full === Infinity ? k.cap : capKelly(full, k.fraction, k.cap);
        if (!(f > 0)) return 'no edge: multi-outcome Kelly fraction is 0';
        return { qty: (f * E) / (d * m), stopDistance: d, fraction: f };
      }
    }
  }

  private decide(kind: 'accept' | 'resize' | 'reject', reason: string, intent: { symbol: string; source?: string; side: Side }, requested: number, qty: number, checks: string[], details?: RiskEvent['details']): RiskEvent {
    return this.record(kind, reason, { symbol: intent.symbol, source: intent.source, side: intent.side, requestedQty: requested, qty, checks, details });
  }

  /**
   * Sizes a new position and checks it against the gates and limits. The caller submits
   * `qty` (whole lots) when the decision is not 'reject'.
   */
  evaluateEntry(ctx: StrategyContext, intent: EntryIntent): RiskDecision {
    this.now = ctx.time;
    if (!(intent.price > 0)) throw new RangeError(`entry price must be positive, got ${describeValue(intent.price)}`);
    if (!(intent.stopDistance > 0) || !Number.isFinite(intent.stopDistance)) throw new RangeError(`entry stopDistance must be a positive number, got ${describeValue(intent.stopDistance)}`);
    const sign: 1 | -1 = intent.side === 'buy' ? 1 : -1;
    const reject = (reason: string, checks: string[] = [], sizing?: SizingBreakdown): RiskDecision => ({
      decision: 'reject', qty: 0, stopDistance: sizing?.stopDistance ?? intent.stopDistance, reason, checks, sizing,
      event: this.decide('reject', reason, intent, sizing?.scaledQty ?? 0, 0, checks, sizing ? { ...sizing } : undefined),
    });
    const gated = this.gate(ctx, intent.symbol, intent.source, intent.feed ?? intent.symbol);
    if (gated) return reject(gated, ['gate']);
    const E = ctx.account.equity;
    if (!(E > 0)) return reject(`equity ${E} is not positive`);
    const proj = this.project(ctx);
    const pg = this.portfolioGate(intent.symbol, sign, proj);
    if (pg) return reject(pg, [pg.startsWith('correlation') ? 'maxCorrelation' : 'maxOpenPositions']);
    const sized = this.size(ctx, intent, sign, proj);
    if (typeof sized === 'string') return reject(sized, ['sizing']);
    const s = this.profile.sizing;
    let cf = 1, pf = 1;
    if (s.confidence.enabled && intent.confidence !== undefined) {
      const f = confidenceFactor(intent.confidence, s.confidence);
      if (f === undefined) return reject(`confidence ${intent.confidence} below the floor ${s.confidence.floor}`, ['confidence']);
      cf = f;
    }
    if (s.performance.enabled) {
      const { hitRate, trades } = this.sourceHitRate(intent.source, s.performance.lookback);
      pf = performanceFactor(hitRate, trades, s.performance);
    }
    const sizing: SizingBreakdown = { method: this.sizingMethod, equity: E, stopDistance: sized.stopDistance, fraction: sized.fraction, baseQty: sized.qty, confidenceFactor: cf, performanceFactor: pf, scaledQty: sized.qty * cf * pf };
    const checks: string[] = [];
    const limited = this.limitQty(ctx, intent.symbol, sign, sizing.scaledQty, intent.price, sized.stopDistance, proj, checks);
    const inst = proj.get(intent.symbol)!.inst;
    const lots = applyLotConstraints(limited, intent.price, inst);
    if ('reason' in lots) return reject(checks.length ? `limits ${checks.join(', ')} leave ${limited.toPrecision(6)} units: ${lots.reason}` : lots.reason, checks, sizing);
    const kind = checks.length > 0 ? 'resize' : 'accept';
    const reason = kind === 'resize'
      ? `resized from ${sizing.scaledQty.toPrecision(6)} to ${lots.qty} by ${checks.join(', ')}`
      : `${this.sizingMethod} size ${lots.qty} (risk ${((lots.qty * sized.stopDistance * inst.multiplier) / E * 100).toFixed(2)}% of equity at the stop)`;
    const event = this.decide(kind, reason, intent, sizing.scaledQty, lots.qty, checks, { ...sizing });
    return { decision: kind, qty: lots.qty, stopDistance: sized.stopDistance, reason, checks, sizing, event };
  }

  /**
   * Checks any order (the StrategyContext decorator's path): reductions are accepted; entries
   * go through the gates and the exposure limits (no sizing: the strategy sized it; the
   * per-trade risk limit applies when `stopDistance` is known). allIn buys are estimated at
   * the cash over the last close and turned into an explicit quantity when a limit cuts them.
   */
  checkOrder(ctx: StrategyContext, req: OrderRequest, meta: { source?: string; stopDistance?: number } = {}): OrderCheck {
    this.now = ctx.time;
    const pos = ctx.position(req.symbol);
    const price = Number.isFinite(pos.lastPrice) ? pos.lastPrice : this.stats.get(req.symbol).close;
    const inst = pos.instrument;
    const sign = req.side === 'buy' ? 1 : -1;
    let qty = req.allIn ? (req.side === 'buy' ? Math.max(0, ctx.account.cash) / (price * inst.multiplier) : Math.max(0, pos.qty)) : req.qty ?? 0;
    const increases = req.reduceOnly ? false : Math.abs(pos.qty + sign * qty) > Math.abs(pos.qty) + EPS;
    const who = { symbol: req.symbol, source: meta.source, side: req.side };
    if (!increases) {
      const event = this.decide('accept', `${req.tag ?? req.type} order reduces exposure`, who, qty, qty, []);
      return { decision: 'accept', request: req, reason: event.reason, event };
    }
    const reject = (reason: string, checks: string[]): OrderCheck => ({ decision: 'reject', reason, event: this.decide('reject', reason, who, qty, 0, checks) });
    const gated = this.gate(ctx, req.symbol, meta.source, req.symbol);
    if (gated) return reject(gated, ['gate']);
    if (!(price > 0)) return reject(`no price for ${req.symbol} yet`, ['price']);
    const proj = this.project(ctx);
    const pg = this.portfolioGate(req.symbol, sign, proj);
    if (pg) return reject(pg, [pg.startsWith('correlation') ? 'maxCorrelation' : 'maxOpenPositions']);
    const checks: string[] = [];
    // Only the part that increases exposure is limited (a flip first closes the position).
    const closing = sign * pos.qty < 0 ? Math.min(qty, Math.abs(pos.qty)) : 0;
    const limited = closing + this.limitQty(ctx, req.symbol, sign, qty - closing, price, meta.stopDistance, proj, checks);
    if (checks.length === 0) {
      const event = this.decide('accept', `${req.tag ?? req.type} order within limits`, who, qty, qty, []);
      return { decision: 'accept', request: req, reason: event.reason, event };
    }
    const lots = applyLotConstraints(limited, price, inst);
    if ('reason' in lots) return reject(`limits ${checks.join(', ')}: ${lots.reason}`, checks);
    const request: OrderRequest = { ...req, allIn: false, qty: lots.qty };
    const reason = `resized from ${qty.toPrecision(6)} to ${lots.qty} by ${checks.join(', ')}`;
    qty = Math.max(qty, 0);
    return { decision: 'resize', request, reason, event: this.decide('resize', reason, who, qty, lots.qty, checks) };
  }

  /** A rejected Order object for a request the risk manager refused (never reached the broker). */
  rejectedOrder(req: OrderRequest, reason: string, now: number): Order {
    const n = ++this.syntheticIds;
    return {
      id: -n, clientOrderId: req.clientOrderId ?? `RISK-${n}`, symbol: req.symbol, side: req.side, type: req.type, tif: req.tif ?? 'GTC',
      reduceOnly: req.reduceOnly ?? false, qty: req.qty ?? 0, allIn: req.allIn ?? false, limitPrice: req.limitPrice, stopPrice: req.stopPrice,
      trailAmount: req.trailAmount, trailPercent: req.trailPercent, tag: req.tag, status: 'rejected', filledQty: 0, avgFillPrice: NaN,
      submittedAt: now, activeFrom: now, activeFromBar: 0, triggered: false, rejectReason: `risk manager: ${reason}`,
    };
  }

  /** Records a broker rejection of an order this manager let through. */
  brokerRejected(symbol: string, reason: string, tag?: string): void {
    this.record('brokerReject', `broker rejected ${tag ?? 'an order'}: ${reason}`, { symbol });
  }

  /** Records an exit-manager event (adaptive levels, freezes, tightening) in the same trail. */
  exitEvent(kind: 'exitAdjust' | 'exitFrozen' | 'exitTighten', reason: string, extra: Partial<RiskEvent> = {}): void {
    this.record(kind, reason, extra);
  }
}
