/**
 * The exit manager: every position carries an exit plan (plan.ts), driven bar by bar through
 * the StrategyContext, so backtests, paper trading and live run the same code.
 *
 * Life of a position (long shown; shorts mirror it):
 *   1. proposeStop() gives the initial stop distance d before sizing (fixed, ATR multiple, or
 *      structure: below the lowest low of the last N bars), scaled by the adaptive SL multiplier.
 *   2. onEntrySubmitted(): a bracket goes out with the entry - the protective stop (when the
 *      managed stop rests at the broker) and the hard stop (hybrid) - anchored to the signal
 *      price, so the fill bar itself is protected.
 *   3. On the entry fill the levels are re-anchored to the fill price P: stop P - d, TP_k at
 *      P + r_k m_k d, hard stop P - h d. At that bar's close the TP limit orders go out and the
 *      stop orders move to the re-anchored levels.
 *   4. At each bar close (onBar): TP levels reached are noted; after TP1 the stop moves to
 *      breakeven (P + offset d); once the trailing rule is active the stop trails the best
 *      price (best - k ATR, or best (1 - pct)); the stop only ever tightens. Time stop:
 *      market exit after N bars. Internal ('close') stops exit at the market when the close
 *      is through the stop. Orders are then reconciled with the plan (cancel / replace).
 *   5. Fills: TP fills reduce the position; when it is flat every remaining exit order is
 *      cancelled (one-cancels-the-others) and the ExitRecord is attributed to the source and
 *      to the rule that closed it (the closing fill's tag).
 * Intrabar order of events is the broker's (fill-model.ts): with the conservative path a long
 * sees the low before the high, so a bar that touches both the stop and a TP stops out.
 *
 * Orders carry tags `exit:<rule>`; every exit order is reduce-only.
 */
import { describeValue } from '../errors.js';
import { roundQty } from '../trading/instrument.js';
import { isOpen, type Order, type OrderEvent, type OrderRequest, type Side } from '../trading/order.js';
import type { Fill } from '../trading/account.js';
import type { BarView, StrategyContext } from '../trading/strategy.js';
import { MarketStats } from '../risk-manager/market-stats.js';
import { adaptiveMultipliers, neutralMultipliers, type Multipliers } from './adaptive.js';
import { Attribution, type ExitRecord, type SourceStats } from './attribution.js';
import { parseExitPlan, planAtrPeriods, type ExitPlan, type ExitPlanInput } from './plan.js';

const EPS = 1e-9;

export type StopReason = 'stop' | 'breakeven' | 'trail' | 'tightened';

export interface StopProposal {
  /** Initial stop distance (price units), SL multiplier applied. */
  distance: number;
  /** Structure stops: the absolute level (kept when the entry fills elsewhere). */
  level?: number;
  multipliers: Multipliers;
}

export interface EntryInfo {
  source: string;
  side: Side;
  /** Signal price the bracket is anchored to until the fill. */
  refPrice: number;
  stopDistance: number;
  level?: number;
  multipliers?: Multipliers;
}

interface TpLevel {
  r: number;
  price: number;
  qty: number;
  filledQty: number;
  reached: boolean;
  orderId?: number;
}

export interface ManagedPosition {
  symbol: string;
  source: string;
  dir: 1 | -1;
  entryPrice: number;
  entryTime: number;
  entryBar: number;
  initialQty: number;
  stopDistance: number;
  stop: number;
  stopReason: StopReason;
  hardStop?: number;
  tps: TpLevel[];
  best: number;
  trailActive: boolean;
  barsHeld: number;
  breakevenPending: boolean;
  multipliers: Multipliers;
  /** Exit fills so far: quantity and price P&L. */
  exitQty: number;
  exitNotional: number;
  pnl: number;
  lastExitTag?: string;
  stopOrderId?: number;
  hardOrderId?: number;
  exitOrderId?: number;
  /** Fixed structure level (not re-anchored). */
  level?: number;
}

interface Pending {
  orderId: number;
  info: EntryInfo;
  bracket: number[];
}

export interface ExitManagerOptions {
  /** Shared statistics (the risk manager's), so ATRs are computed once. */
  stats?: MarketStats;
  /** Whether to place exit orders. false: only track positions and attribute exits (the "no exit manager" baseline). */
  manage?: boolean;
  /** True while the health gate is closed for a source: adaptive multipliers stay frozen. */
  isFrozen?: (source: string) => boolean;
  /** Audit hook (the risk manager's exitEvent). */
  onEvent?: (kind: 'exitAdjust' | 'exitFrozen' | 'exitTighten', reason: string, extra: { symbol?: string; source?: string; details?: Record<string, number | string | boolean> }) => void;
  /** Called for every closed position (the risk manager's performance scaling). */
  onClose?: (r: ExitRecord) => void;
}

export interface Warning {
  /** Affected symbol (all when absent) and/or source. */
  symbol?: string;
  source?: string;
  /** 'breakeven': stop to the entry when in profit; 'tighten': stop moves `fraction` of the way to the price. */
  action: 'breakeven' | 'tighten';
  fraction?: number;
  reason: string;
}

export class ExitManager {
  readonly plan: ExitPlan;
  readonly attribution = new Attribution();
  readonly stats: MarketStats;
  private readonly manage: boolean;
  private readonly positions = new Map<string, ManagedPosition>();
  private readonly pending = new Map<string, Pending>();
  private readonly atrHistory = new Map<string, { values: Float64Array; head: number; count: number; lastTime: number }>();
  private readonly lastMultipliers = new Map<string, Multipliers>();

  constructor(plan: ExitPlanInput | ExitPlan = {}, private readonly opts: ExitManagerOptions = {}) {
    this.plan = parseExitPlan(plan);
    this.manage = opts.manage ?? true;
    this.stats = opts.stats ?? new MarketStats(2, planAtrPeriods(this.plan));
  }

  /** The managed position of a symbol, if any (read-only view for tests and reports). */
  position(symbol: string): Readonly<ManagedPosition> | undefined {
    return this.positions.get(symbol);
  }

  get records(): ExitRecord[] {
    return this.attribution.records;
  }

  sourceStats(source: string, lookback?: number): SourceStats {
    return this.attribution.stats(source, this.plan.takeProfits.length, lookback);
  }

  private atrPeriod(): number {
    return this.plan.stop.kind === 'fixed' ? 14 : this.plan.stop.period;
  }

  private volRatio(symbol: string): number {
    const h = this.atrHistory.get(symbol);
    const a = this.plan.adaptive.regime;
    if (!h || h.count < a.longWindow) return NaN;
    let s = 0;
    for (let k = 0; k < a.longWindow; k++) s += h.values[k]!;
    const now = h.values[(h.head - 1 + a.longWindow) % a.longWindow]!;
    return now / (s / a.longWindow);
  }

  private updateRegime(symbol: string, time: number): void {
    const a = this.plan.adaptive;
    if (!a.enabled || !a.regime.enabled) return;
    let h = this.atrHistory.get(symbol);
    if (!h) this.atrHistory.set(symbol, (h = { values: new Float64Array(a.regime.longWindow), head: 0, count: 0, lastTime: NaN }));
    if (h.lastTime === time) return;
    h.lastTime = time;
    const v = this.stats.get(symbol).atr(a.regime.atrPeriod);
    if (!Number.isFinite(v)) return;
    h.values[h.head] = v;
    h.head = (h.head + 1) % a.regime.longWindow;
    h.count = Math.min(h.count + 1, a.regime.longWindow);
  }

  /** Current TP/SL multipliers for a source on a symbol (frozen while the source's health gate is closed). */
  multipliers(source: string, symbol: string): Multipliers {
    const key = `${source}|${symbol}`;
    const last = this.lastMultipliers.get(key);
    if (!this.plan.adaptive.enabled) return neutralMultipliers(this.plan.takeProfits.length);
    if (this.opts.isFrozen?.(source)) {
      const m = last ?? neutralMultipliers(this.plan.takeProfits.length);
      this.opts.onEvent?.('exitFrozen', `health gate closed for ${source}: exit multipliers frozen at sl ${m.sl.toFixed(3)}, tp ${m.tp.map((x) => x.toFixed(3)).join('/')}`, { symbol, source });
      return m;
    }
    const m = adaptiveMultipliers(this.plan, this.attribution.recent(source, this.plan.adaptive.lookback), this.volRatio(symbol));
    if (!last || last.sl !== m.sl || last.tp.some((x, k) => x !== m.tp[k])) {
      this.opts.onEvent?.('exitAdjust', `exit multipliers for ${source} on ${symbol}: sl ${m.sl.toFixed(3)}, tp ${m.tp.map((x) => x.toFixed(3)).join('/')} (regime ${m.regime}${Number.isFinite(m.volRatio) ? `, ATR ratio ${m.volRatio.toFixed(2)}` : ''})`, { symbol, source, details: { sl: m.sl, volRatio: m.volRatio } });
    }
    this.lastMultipliers.set(key, m);
    return m;
  }

  /** The initial stop for an entry at `price`, or why there is none yet (e.g. ATR warm-up). */
  proposeStop(ctx: StrategyContext, symbol: string, side: Side, price: number, source: string): StopProposal | string {
    const dir = side === 'buy' ? 1 : -1;
    const mult = this.multipliers(source, symbol);
    const st = this.plan.stop;
    if (st.kind === 'fixed') return { distance: (st.distance ?? st.percent! * price) * mult.sl, multipliers: mult };
    const atr = this.stats.get(symbol).atr(st.period);
    if (st.kind === 'atr') {
      if (!(atr > 0)) return `ATR(${st.period}) of ${symbol} not available yet`;
      return { distance: st.multiple * atr * mult.sl, multipliers: mult };
    }
    const h = ctx.data(symbol);
    if (h.length < st.lookback) return `structure stop needs ${st.lookback} bars of ${symbol}, has ${h.length}`;
    let ext = dir > 0 ? Infinity : -Infinity;
    for (let k = 0; k < st.lookback; k++) ext = dir > 0 ? Math.min(ext, h.low(k)) : Math.max(ext, h.high(k));
    const buffer = st.bufferAtr > 0 ? (atr > 0 ? st.bufferAtr * atr : NaN) : 0;
    if (!Number.isFinite(buffer)) return `ATR(${st.period}) of ${symbol} not available yet for the structure buffer`;
    const level = ext - dir * buffer;
    const distance = (price - level) * dir;
    if (!(distance > 0)) return `structure level ${level} is not ${dir > 0 ? 'below' : 'above'} the price ${price}`;
    return { distance, level, multipliers: mult };
  }

  private exitSide(dir: 1 | -1): Side {
    return dir > 0 ? 'sell' : 'buy';
  }

  private hardDistance(d: number): number | undefined {
    return this.plan.hardStop ? this.plan.hardStop.multiple * d : undefined;
  }

  /** Places the protective bracket for an entry order just submitted. */
  onEntrySubmitted(ctx: StrategyContext, entry: Order, info: EntryInfo): void {
    if (!(info.stopDistance > 0)) throw new RangeError(`stopDistance must be positive, got ${describeValue(info.stopDistance)}`);
    const p: Pending = { orderId: entry.id, info, bracket: [] };
    this.pending.set(entry.symbol, p);
    if (!this.manage || entry.status === 'rejected') return;
    const dir = info.side === 'buy' ? 1 : -1;
    const side = this.exitSide(dir);
    const stop = info.level ?? info.refPrice - dir * info.stopDistance;
    if (this.plan.internalStop === 'resting' && stop > 0) {
      p.bracket.push(ctx.submit({ symbol: entry.symbol, side, type: 'stop', stopPrice: stop, qty: entry.qty, reduceOnly: true, tag: 'exit:stop' }).id);
    }
    const hd = this.hardDistance(info.stopDistance);
    if (hd !== undefined && info.refPrice - dir * hd > 0) {
      p.bracket.push(ctx.submit({ symbol: entry.symbol, side, type: 'stop', stopPrice: info.refPrice - dir * hd, qty: entry.qty, reduceOnly: true, tag: 'exit:hard' }).id);
    }
  }

  onOrderEvent(ctx: StrategyContext, ev: OrderEvent): void {
    const p = this.pending.get(ev.symbol);
    if (p && p.orderId === ev.orderId && (ev.kind === 'rejected' || ev.kind === 'cancelled' || ev.kind === 'expired') && !this.positions.has(ev.symbol)) {
      for (const id of p.bracket) ctx.cancel(id);
      this.pending.delete(ev.symbol);
    }
  }

  onFill(ctx: StrategyContext, f: Fill): void {
    const sym = f.symbol;
    const p = this.pending.get(sym);
    let mp = this.positions.get(sym);
    if (p && f.orderId === p.orderId) {
      const dir = p.info.side === 'buy' ? 1 : -1;
      if (!mp) {
        const levels = this.plan.takeProfits;
        const mult = p.info.multipliers ?? neutralMultipliers(levels.length);
        mp = {
          symbol: sym, source: p.info.source, dir, entryPrice: f.price, entryTime: f.time, entryBar: f.barIndex, initialQty: 0,
          stopDistance: p.info.stopDistance, stop: NaN, stopReason: 'stop', tps: levels.map((t, k) => ({ r: t.r * (mult.tp[k] ?? 1), price: NaN, qty: 0, filledQty: 0, reached: false })),
          best: f.price, trailActive: false, barsHeld: 0, breakevenPending: false, multipliers: mult, exitQty: 0, exitNotional: 0, pnl: 0, level: p.info.level,
        };
        this.positions.set(sym, mp);
        // The bracket becomes the managed position's stop orders.
        for (const id of p.bracket) {
          const o = ctx.openOrders(sym).find((x) => x.id === id);
          if (o?.tag === 'exit:hard') mp.hardOrderId = id;
          else if (o) mp.stopOrderId = id;
        }
      }
      mp.entryPrice = (mp.entryPrice * mp.initialQty + f.price * f.qty) / (mp.initialQty + f.qty);
      mp.initialQty += f.qty;
      this.anchor(mp, ctx.position(sym).instrument.lotSize);
      return;
    }
    if (!mp) return;
    // An exit fill (ours or anyone's) reducing the managed position.
    const closing = (f.side === 'buy' ? 1 : -1) === -mp.dir;
    if (!closing) return;
    mp.exitQty += f.qty;
    mp.exitNotional += f.qty * f.price;
    mp.pnl += f.qty * (f.price - mp.entryPrice) * mp.dir * ctx.position(sym).instrument.multiplier;
    mp.lastExitTag = f.tag;
    mp.tps.forEach((t, k) => {
      if (t.orderId === f.orderId) {
        t.filledQty += f.qty;
        t.reached = true;
        if (k === 0 && this.plan.breakevenAfterTp1) mp!.breakevenPending = true;
      }
    });
    if (Math.abs(ctx.position(sym).qty) < EPS) this.close(ctx, mp, f.time, f.barIndex, f.orderId);
  }

  /** Levels from the entry price: stop, hard stop and TP prices and quantities. */
  private anchor(mp: ManagedPosition, lot: number): void {
    const d = mp.stopDistance, P = mp.entryPrice, dir = mp.dir;
    if (mp.stopReason === 'stop') mp.stop = mp.level ?? P - dir * d;
    if (mp.level !== undefined) mp.stopDistance = Math.max((P - mp.level) * dir, EPS);
    const hd = this.hardDistance(d);
    mp.hardStop = hd === undefined ? undefined : P - dir * hd;
    const fractions = this.plan.takeProfits.map((t) => t.fraction);
    const total = fractions.reduce((s, x) => s + x, 0);
    let used = 0;
    mp.tps.forEach((t, k) => {
      t.price = P + dir * t.r * mp.stopDistance;
      const last = k === mp.tps.length - 1 && Math.abs(total - 1) < 1e-9;
      t.qty = last ? Math.max(0, roundQty(mp.initialQty - used, lot)) : roundQty(fractions[k]! * mp.initialQty, lot);
      used += t.qty;
    });
  }

  /**
   * Finalises a closed position: cancels its remaining exit orders (OCO) and records it.
   * `fillingOrder`: the order whose fill closed it (already marked filled by the broker, so
   * skipping it is only a guard).
   */
  private close(ctx: StrategyContext, mp: ManagedPosition, time: number, bar: number, fillingOrder?: number): void {
    for (const o of ctx.openOrders(mp.symbol)) if (o.id !== fillingOrder && (o.reduceOnly || (o.tag ?? '').startsWith('exit:'))) ctx.cancel(o.id);
    this.positions.delete(mp.symbol);
    this.pending.delete(mp.symbol);
    const tag = mp.lastExitTag ?? '';
    const rule = tag.startsWith('exit:') ? tag.slice(5) : 'external';
    const m = ctx.position(mp.symbol).instrument.multiplier;
    const rec: ExitRecord = {
      symbol: mp.symbol, source: mp.source, direction: mp.dir > 0 ? 'long' : 'short', entryTime: mp.entryTime, exitTime: time,
      entryPrice: mp.entryPrice, exitPrice: mp.exitQty > 0 ? mp.exitNotional / mp.exitQty : NaN, qty: mp.initialQty, stopDistance: mp.stopDistance,
      r: mp.pnl / (mp.stopDistance * mp.initialQty * m), pnl: mp.pnl, exitRule: rule, tpHits: mp.tps.map((t) => t.reached), bars: bar - mp.entryBar,
      slMultiplier: mp.multipliers.sl, tpMultipliers: mp.multipliers.tp.slice(),
    };
    this.attribution.add(rec);
    this.opts.onClose?.(rec);
  }

  /**
   * Call at each closed bar of the symbol's execution feed (after the broker processed it):
   * moves the levels and reconciles the exit orders.
   */
  onBar(ctx: StrategyContext, bar: BarView): void {
    this.stats.update(bar);
    this.updateRegime(bar.symbol, bar.time);
    const mp = this.positions.get(bar.symbol);
    if (!mp) return;
    const pos = ctx.position(bar.symbol).qty;
    if (Math.abs(pos) < EPS) {
      this.close(ctx, mp, bar.time, bar.index);
      return;
    }
    mp.barsHeld = bar.index - mp.entryBar;
    const dir = mp.dir;
    // Best price since the entry (the fill bar's extreme counts from the fill on).
    mp.best = dir > 0 ? Math.max(mp.best, bar.high) : Math.min(mp.best, bar.low);
    const favour = (mp.best - mp.entryPrice) * dir;
    mp.tps.forEach((t, k) => {
      if (!t.reached && favour >= t.r * mp.stopDistance - EPS) {
        t.reached = true;
        if (k === 0 && this.plan.breakevenAfterTp1 && t.qty === 0) mp.breakevenPending = true;
      }
    });
    if (!this.manage) return;
    const lot = ctx.position(bar.symbol).instrument.lotSize;
    // Breakeven after TP1.
    if (mp.breakevenPending) {
      mp.breakevenPending = false;
      this.tighten(mp, mp.entryPrice + dir * this.plan.breakevenOffsetR * mp.stopDistance, 'breakeven');
    }
    // Trailing stop.
    const tr = this.plan.trailing;
    if (tr) {
      if (!mp.trailActive) {
        const reached = mp.tps.filter((t) => t.reached).length;
        mp.trailActive = tr.activateAtR !== undefined ? favour >= tr.activateAtR * mp.stopDistance - EPS : reached >= (tr.activateAfterTp ?? 1);
      }
      if (mp.trailActive) {
        const dist = tr.kind === 'atr' ? tr.multiple * this.stats.get(bar.symbol).atr(tr.period) : mp.best * tr.percent;
        if (Number.isFinite(dist) && dist > 0) this.tighten(mp, mp.best - dir * dist, 'trail');
      }
    }
    if (mp.exitOrderId !== undefined) return; // a market exit is on its way
    // Time stop.
    if (this.plan.timeStopBars !== null && mp.barsHeld >= this.plan.timeStopBars) {
      this.exitNow(ctx, bar.symbol, 'time');
      return;
    }
    // Internal stop checked on the close.
    if (this.plan.internalStop === 'close' && (bar.close - mp.stop) * dir <= 0) {
      this.exitNow(ctx, bar.symbol, mp.stopReason);
      return;
    }
    this.reconcile(ctx, mp, pos, lot);
  }

  /** Moves the stop to `level` only if that tightens it. */
  private tighten(mp: ManagedPosition, level: number, reason: StopReason): boolean {
    if (!Number.isFinite(level)) return false;
    if (Number.isFinite(mp.stop) && (level - mp.stop) * mp.dir <= EPS) return false;
    mp.stop = level;
    mp.stopReason = reason;
    return true;
  }

  /** Cancels and replaces exit orders that differ from the plan. */
  private reconcile(ctx: StrategyContext, mp: ManagedPosition, pos: number, lot: number): void {
    const sym = mp.symbol;
    const side = this.exitSide(mp.dir);
    const qty = Math.abs(pos);
    const open = new Map(ctx.openOrders(sym).map((o) => [o.id, o] as const));
    const ensure = (id: number | undefined, want: OrderRequest | undefined): number | undefined => {
      const o = id === undefined ? undefined : open.get(id);
      if (o && want && isOpen(o) && o.type === want.type && o.tag === want.tag && Math.abs((o.stopPrice ?? o.limitPrice ?? 0) - (want.stopPrice ?? want.limitPrice ?? 0)) < 1e-12 && Math.abs(o.qty - o.filledQty - want.qty!) < EPS) return id;
      if (o && isOpen(o)) ctx.cancel(o.id);
      if (!want || !(want.qty! > 0)) return undefined;
      const placed = ctx.submit(want);
      return placed.status === 'rejected' ? undefined : placed.id;
    };
    const stopOk = mp.stop > 0 && this.plan.internalStop === 'resting';
    mp.stopOrderId = ensure(mp.stopOrderId, stopOk ? { symbol: sym, side, type: 'stop', stopPrice: mp.stop, qty, reduceOnly: true, tag: `exit:${mp.stopReason}` } : undefined);
    mp.hardOrderId = ensure(mp.hardOrderId, mp.hardStop !== undefined && mp.hardStop > 0 ? { symbol: sym, side, type: 'stop', stopPrice: mp.hardStop, qty, reduceOnly: true, tag: 'exit:hard' } : undefined);
    mp.tps.forEach((t, k) => {
      const left = Math.min(roundQty(t.qty - t.filledQty, lot), qty);
      const want: OrderRequest | undefined = left > 0 && t.filledQty < t.qty - EPS ? { symbol: sym, side, type: 'limit', limitPrice: t.price, qty: left, reduceOnly: true, tag: `exit:tp${k + 1}` } : undefined;
      t.orderId = ensure(t.orderId, want);
    });
  }

  /** Closes a managed (or any) position at the market, attributed to `rule`. */
  exitNow(ctx: StrategyContext, symbol: string, rule: string): Order | undefined {
    const q = ctx.position(symbol).qty;
    if (Math.abs(q) < EPS) return undefined;
    const mp = this.positions.get(symbol);
    if (mp?.exitOrderId !== undefined) {
      const o = ctx.openOrders(symbol).find((x) => x.id === mp.exitOrderId);
      if (o) return o;
    }
    const o = ctx.submit({ symbol, side: q > 0 ? 'sell' : 'buy', type: 'market', qty: Math.abs(q), reduceOnly: true, tag: `exit:${rule}` });
    if (mp && o.status !== 'rejected') mp.exitOrderId = o.id;
    return o;
  }

  /**
   * Pre-emptive tightening on a warning event (e.g. a model's risk warning): 'breakeven'
   * moves the stop to the entry for positions in profit; 'tighten' moves it `fraction` of
   * the way from the stop to the current price. Never loosens. Orders are replaced at once.
   */
  warn(ctx: StrategyContext, w: Warning): number {
    if (w.action === 'tighten' && !(w.fraction !== undefined && w.fraction > 0 && w.fraction <= 1)) throw new RangeError(`warning.fraction must be in (0, 1] for tighten, got ${describeValue(w.fraction)}`);
    let n = 0;
    for (const mp of this.positions.values()) {
      if (w.symbol !== undefined && mp.symbol !== w.symbol) continue;
      if (w.source !== undefined && mp.source !== w.source) continue;
      const price = ctx.position(mp.symbol).lastPrice;
      const before = mp.stop;
      let moved = false;
      if (w.action === 'breakeven') {
        if ((price - mp.entryPrice) * mp.dir > 0) moved = this.tighten(mp, mp.entryPrice, 'tightened');
      } else moved = this.tighten(mp, mp.stop + w.fraction! * (price - mp.stop), 'tightened');
      this.opts.onEvent?.('exitTighten', `${w.reason}: ${w.action} on ${mp.symbol} ${moved ? `stop ${before} -> ${mp.stop}` : 'stop unchanged (not in profit or already tighter)'}`, { symbol: mp.symbol, source: mp.source });
      if (moved) {
        n++;
        if (this.manage && mp.exitOrderId === undefined) {
          if (this.plan.internalStop === 'close' && (price - mp.stop) * mp.dir <= 0) this.exitNow(ctx, mp.symbol, 'tightened');
          else this.reconcile(ctx, mp, ctx.position(mp.symbol).qty, ctx.position(mp.symbol).instrument.lotSize);
        }
      }
    }
    return n;
  }
}
