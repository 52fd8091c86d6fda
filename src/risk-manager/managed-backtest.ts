/**
 * Managed trading: a signal function, the risk manager and the exit manager as one Strategy
 * (ManagedStrategy), and runManagedBacktest(), which runs it over bundled (or given) data on
 * the paper broker. The same ManagedStrategy runs on a live or paper context.
 *
 * Per closed bar of a symbol (its execution timeframe):
 *   1. rm.observe: statistics, day roll, kill switch (drawdown), daily loss halt, volatility breaker;
 *   2. health reports (the `health` hook) into the health gate;
 *   3. the exit manager moves levels and reconciles exit orders (not while the kill switch is engaged);
 *   4. warnings (the `warnings` hook) tighten stops pre-emptively;
 *   5. the signal: an opposite signal closes the position (exitOnOppositeSignal); a signal while
 *      flat proposes a stop (exit plan), is sized and checked (rm.evaluateEntry) and, unless
 *      rejected, goes out as a market order with its protective bracket.
 * Exit orders pass the risk manager too (through the guarded context): reductions are accepted
 * and recorded. A signal function that throws is a model error: the health gate of its source
 * (`signalSource`) closes until limits.health.errorCooldownBars calls in a row succeed.
 */
import type { Bars, Timeframe } from '../data/bars.js';
import { loadBundled } from '../data/index.js';
import { runBacktest, type BacktestResult } from '../trading/backtester.js';
import type { FillModel } from '../trading/fill-model.js';
import type { Instrument } from '../trading/instrument.js';
import type { Fill } from '../trading/account.js';
import type { OrderEvent, Side } from '../trading/order.js';
import type { BarView, Strategy, StrategyContext } from '../trading/strategy.js';
import { describeValue } from '../errors.js';
import { ExitManager, type Warning } from '../exits/exit-manager.js';
import type { ExitRecord, SourceStats } from '../exits/attribution.js';
import { parseExitPlan, planAtrPeriods, type ExitPlan, type ExitPlanInput } from '../exits/plan.js';
import type { RiskEvent, RiskEventKind } from './audit.js';
import { guardContext } from './guarded-context.js';
import type { HealthReport } from './health.js';
import { loadRiskProfile, type RiskProfile, type RiskProfileInput, type SizingMethod } from './profile.js';
import { RiskManager } from './risk-manager.js';

export interface Signal {
  /** 'buy' = be long, 'sell' = be short (or flat when shorts are not allowed). */
  side: Side;
  /** Calibrated confidence in [0, 1]. */
  confidence?: number;
  /** Name of the signal source (model). */
  source: string;
}

export type SignalFn = (ctx: StrategyContext, bar: BarView) => Signal | null | undefined;

export interface ManagedStrategyOptions {
  allowShort?: boolean;
  /** Health reports each bar (sources and feeds). */
  health?: (ctx: StrategyContext, bar: BarView) => HealthReport[] | void;
  /** Warning events each bar: pre-emptive tightening. */
  warnings?: (ctx: StrategyContext, bar: BarView) => Warning[] | void;
  /** Source name a throwing signal function is charged to (default 'signal'). */
  signalSource?: string;
  /**
   * Research only, never in a profile: simulates a person resetting the kill switch this many
   * bars (of the first symbol) after it engaged, once every position is flat. Absent: it stays
   * engaged to the end, as in production.
   */
  operatorResetAfterBars?: number;
}

export class ManagedStrategy implements Strategy {
  private guarded?: StrategyContext;
  private raw?: StrategyContext;
  private errored = false;
  private okStreak = 0;
  private barsSinceKill = 0;
  private firstSymbol?: string;

  constructor(readonly rm: RiskManager, readonly exits: ExitManager, readonly signal: SignalFn, private readonly opts: ManagedStrategyOptions = {}) {}

  private g(ctx: StrategyContext): StrategyContext {
    if (this.raw !== ctx) {
      this.raw = ctx;
      this.guarded = guardContext(ctx, this.rm);
    }
    return this.guarded!;
  }

  onBar(ctx: StrategyContext, bar: BarView): void {
    if (bar.timeframe !== ctx.data(bar.symbol).timeframe) return; // execution bars only
    const g = this.g(ctx);
    const rm = this.rm;
    rm.observe(ctx, bar);
    this.firstSymbol ??= bar.symbol;
    if (rm.killSwitchEngaged && this.opts.operatorResetAfterBars !== undefined) {
      if (bar.symbol === this.firstSymbol) this.barsSinceKill++;
      if (this.barsSinceKill >= this.opts.operatorResetAfterBars && ctx.symbols.every((s) => ctx.position(s).qty === 0)) {
        rm.resetKillSwitch('operator (simulated by the backtest harness)', `after ${this.barsSinceKill} bars`);
        this.barsSinceKill = 0;
      }
    }
    for (const r of this.opts.health?.(ctx, bar) ?? []) rm.reportHealth(r);
    if (!rm.killSwitchEngaged) this.exits.onBar(g, bar);
    else this.exits.stats.update(bar);
    for (const w of this.opts.warnings?.(ctx, bar) ?? []) this.exits.warn(g, w);
    let sig: Signal | null | undefined;
    const src = this.opts.signalSource ?? 'signal';
    try {
      sig = this.signal(ctx, bar);
      if (this.errored && ++this.okStreak >= rm.profile.limits.health.errorCooldownBars) {
        this.errored = false;
        rm.reportHealth({ name: src, error: null });
      }
    } catch (e) {
      this.errored = true;
      this.okStreak = 0;
      rm.reportHealth({ name: src, error: `model error: ${(e as Error)?.message ?? String(e)}` });
      return;
    }
    if (!sig) return;
    if (sig.side !== 'buy' && sig.side !== 'sell') throw new RangeError(`signal.side must be buy or sell, got ${describeValue(sig.side)}`);
    const sym = bar.symbol;
    const pos = ctx.position(sym).qty;
    const dir = sig.side === 'buy' ? 1 : -1;
    if (pos !== 0 && Math.sign(pos) !== dir) {
      if (this.exits.plan.exitOnOppositeSignal || !this.exitsManaged) this.exits.exitNow(g, sym, 'signal');
      return;
    }
    if (pos !== 0) return; // no pyramiding
    if (dir < 0 && !this.opts.allowShort) return;
    if (ctx.openOrders(sym).some((o) => !o.reduceOnly)) return; // an entry is pending
    const proposal = this.exits.proposeStop(ctx, sym, sig.side, bar.close, sig.source);
    if (typeof proposal === 'string') {
      rm.audit.record({ time: ctx.time, kind: 'reject', state: rm.state, reason: `no stop for the exit plan: ${proposal}`, symbol: sym, source: sig.source, side: sig.side, requestedQty: 0, qty: 0, checks: ['exitPlan'] });
      return;
    }
    const d = rm.evaluateEntry(ctx, { symbol: sym, side: sig.side, price: bar.close, stopDistance: proposal.distance, confidence: sig.confidence, source: sig.source });
    if (d.decision === 'reject') return;
    const order = ctx.submit({ symbol: sym, side: sig.side, type: 'market', qty: d.qty, tag: `entry:${sig.source}` });
    const keepLevel = Math.abs(d.stopDistance - proposal.distance) < 1e-12 ? proposal.level : undefined;
    this.exits.onEntrySubmitted(g, order, { source: sig.source, side: sig.side, refPrice: bar.close, stopDistance: d.stopDistance, level: keepLevel, multipliers: proposal.multipliers });
  }

  /** Whether the exit manager places orders (false in the no-exit-manager baseline). */
  exitsManaged = true;

  onFill(ctx: StrategyContext, fill: Fill): void {
    this.exits.onFill(this.g(ctx), fill);
  }

  onOrderEvent(ctx: StrategyContext, ev: OrderEvent): void {
    if (ev.kind === 'rejected') this.rm.brokerRejected(ev.symbol, ev.reason ?? 'rejected');
    this.exits.onOrderEvent(this.g(ctx), ev);
  }
}

export interface ManagedBacktestOptions extends ManagedStrategyOptions {
  /** Bundled symbols (ignored when `feeds` is given). */
  symbols?: string[];
  timeframe?: Timeframe;
  /** Your own bars instead of bundled data. */
  feeds?: Bars[];
  signal: SignalFn;
  /** Shipped profile name, file path or object (default 'moderate'). */
  profile?: string | RiskProfileInput | RiskProfile;
  /** Override the profile's sizing method. */
  sizingMethod?: SizingMethod;
  /** The exit plan (default plan when absent); false: no exit manager (exits by opposite signal only). */
  exitPlan?: ExitPlanInput | ExitPlan | false;
  initialCash?: number;
  instruments?: Array<Partial<Instrument> & { symbol: string }>;
  fillModel?: Partial<FillModel>;
  /** Account gross-exposure limit (default: the profile's maxLeverage, at least 1). */
  accountLeverage?: number;
  sectors?: Record<string, string>;
  start?: number;
  end?: number;
  /** Every audit event as it happens. */
  onEvent?: (e: RiskEvent) => void;
}

export interface ManagedBacktestResult {
  result: BacktestResult;
  profile: RiskProfile;
  sizingMethod: SizingMethod;
  exitPlan: ExitPlan | null;
  audit: RiskEvent[];
  auditCounts: Partial<Record<RiskEventKind, number>>;
  exits: ExitRecord[];
  attribution: Record<string, SourceStats>;
  killSwitch: { engaged: boolean; lastEngagedAt?: number; times: number };
  riskManager: RiskManager;
  exitManager: ExitManager;
}

/** Runs a signal through the risk manager and exit manager on the paper broker. */
export function runManagedBacktest(o: ManagedBacktestOptions): ManagedBacktestResult {
  if (typeof o?.signal !== 'function') throw new TypeError(`runManagedBacktest: signal must be a function (ctx, bar) => {side, confidence, source} | null, got ${describeValue(o?.signal)}`);
  const timeframe = o.timeframe ?? '1d';
  let feeds: Bars[];
  if (o.feeds && o.feeds.length > 0) feeds = o.feeds;
  else {
    if (!Array.isArray(o.symbols) || o.symbols.length === 0) throw new RangeError('runManagedBacktest: symbols must be a non-empty array of bundled symbols (or pass feeds)');
    // Split-adjusted: raw LEAN equity prices would show each split as a crash.
    feeds = o.symbols.map((s) => loadBundled(s, timeframe, { adjust: 'splits' }));
  }
  const profile = loadRiskProfile(o.profile ?? 'moderate');
  const plan = o.exitPlan === false ? parseExitPlan({ takeProfits: [], trailing: null, breakevenAfterTp1: false }) : parseExitPlan(o.exitPlan ?? {});
  const leverage = o.accountLeverage ?? Math.max(1, profile.limits.maxLeverage);
  const rm = new RiskManager(profile, { sectors: o.sectors, accountLeverage: leverage, sizingMethod: o.sizingMethod, atrPeriods: planAtrPeriods(plan), onEvent: o.onEvent });
  const exits = new ExitManager(plan, {
    stats: rm.stats,
    manage: o.exitPlan !== false,
    isFrozen: (source) => !rm.health.status(source).open,
    onEvent: (kind, reason, extra) => rm.exitEvent(kind, reason, extra),
    onClose: (r) => rm.recordClosedTrade({ source: r.source, r: r.r }),
  });
  const strategy = new ManagedStrategy(rm, exits, o.signal, o);
  strategy.exitsManaged = o.exitPlan !== false;
  const result = runBacktest({
    feeds: feeds.map((bars) => ({ bars, timeframe: bars.timeframe ?? timeframe })),
    strategy,
    initialCash: o.initialCash ?? 100_000,
    instruments: o.instruments,
    fillModel: o.fillModel,
    account: { allowShort: o.allowShort ?? false, leverage },
    start: o.start,
    end: o.end,
  });
  const kills = rm.audit.byKind('killSwitch');
  return {
    result, profile, sizingMethod: rm.sizingMethod, exitPlan: o.exitPlan === false ? null : plan,
    audit: rm.audit.events, auditCounts: rm.audit.counts(), exits: exits.records,
    attribution: exits.attribution.all(plan.takeProfits.length),
    killSwitch: { engaged: rm.killSwitchEngaged, lastEngagedAt: kills.length ? kills[kills.length - 1]!.time : undefined, times: kills.length },
    riskManager: rm, exitManager: exits,
  };
}
