/**
 * The account: cash, positions, fills and round-trip trades, with one accounting rule per
 * instrument kind:
 *   spot (equity, fx, crypto): a fill moves qty * price * multiplier + fee through cash;
 *     position value = qty * last * multiplier; equity = cash + sum of position values.
 *   perp (margined): a fill moves only realised P&L and the fee through cash;
 *     equity = cash + sum of unrealised P&L; margin used = |qty| * last * multiplier / leverage.
 * The backtest checks these invariants on every bar.
 */
import type { Instrument } from './instrument.js';
import type { Side } from './order.js';

export interface Fill {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  fee: number;
  time: number;
  /** Index of the bar (of this symbol) the fill happened in. */
  barIndex: number;
  maker: boolean;
  tag?: string;
}

export interface Position {
  symbol: string;
  /** Signed quantity: > 0 long, < 0 short. */
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  lastPrice: number;
  /** Time the current position was opened (NaN when flat). */
  openedAt: number;
  /** The instrument (cached here so marking and valuing need no lookups). */
  readonly instrument: Instrument;
}

export interface Trade {
  symbol: string;
  direction: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Largest absolute quantity held during the trade. */
  qty: number;
  /** Realised P&L net of all fees paid on the trade's fills. */
  pnl: number;
  fees: number;
  /** pnl over the entry notional. */
  returnPct: number;
  bars: number;
  entryTag?: string;
  exitTag?: string;
}

interface OpenTrade {
  direction: 'long' | 'short';
  entryTime: number;
  entryBar: number;
  entryNotional: number;
  entryQty: number;
  exitNotional: number;
  exitQty: number;
  maxQty: number;
  pnl: number;
  fees: number;
  entryTag?: string;
  exitTag?: string;
}

export interface AccountConfig {
  initialCash: number;
  /** Allow short positions in spot instruments (a margin account). Perps can always be short. */
  allowShort: boolean;
  /** Gross exposure limit as a multiple of equity for spot instruments (1 = cash account). */
  leverage: number;
}

const EPS = 1e-9;

export class Account {
  cash: number;
  readonly positions = new Map<string, Position>();
  /** The same positions as an array, for allocation-free iteration on every bar. */
  private readonly positionList: Position[] = [];
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  totalFees = 0;
  fundingPaid = 0;
  /** Traded notional so far (for tiered fees and turnover). */
  tradedNotional = 0;
  private readonly open = new Map<string, OpenTrade>();

  constructor(readonly config: AccountConfig, private readonly instruments: Map<string, Instrument>) {
    this.cash = config.initialCash;
  }

  instrument(symbol: string): Instrument {
    const i = this.instruments.get(symbol);
    if (!i) throw new RangeError(`unknown instrument ${JSON.stringify(symbol)} (known: ${[...this.instruments.keys()].join(', ')})`);
    return i;
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (!p) {
      p = { symbol, qty: 0, avgPrice: 0, realizedPnl: 0, lastPrice: NaN, openedAt: NaN, instrument: this.instrument(symbol) };
      this.positions.set(symbol, p);
      this.positionList.push(p);
    }
    return p;
  }

  mark(symbol: string, price: number): void {
    this.position(symbol).lastPrice = price;
  }

  /** Market value of a spot position, or unrealised P&L of a perp. */
  positionValue(p: Position): number {
    if (p.qty === 0) return 0;
    const inst = p.instrument;
    return inst.assetClass === 'perp' ? p.qty * (p.lastPrice - p.avgPrice) * inst.multiplier : p.qty * p.lastPrice * inst.multiplier;
  }

  equity(): number {
    let e = this.cash;
    const list = this.positionList;
    for (let k = 0; k < list.length; k++) e += this.positionValue(list[k]!);
    return e;
  }

  grossExposure(): number {
    let g = 0;
    const list = this.positionList;
    for (let k = 0; k < list.length; k++) {
      const p = list[k]!;
      if (p.qty !== 0) g += Math.abs(p.qty * p.lastPrice * p.instrument.multiplier);
    }
    return g;
  }

  netExposure(): number {
    let g = 0;
    for (const p of this.positionList) if (p.qty !== 0) g += p.qty * p.lastPrice * p.instrument.multiplier;
    return g;
  }

  marginUsed(): number {
    let m = 0;
    for (const p of this.positionList) {
      if (p.qty === 0) continue;
      const inst = p.instrument;
      m += Math.abs(p.qty * p.lastPrice * inst.multiplier) / (inst.assetClass === 'perp' ? inst.maxLeverage : this.config.leverage);
    }
    return m;
  }

  /**
   * Why a fill of `signedQty` at `price` (+ fee) cannot be afforded, or undefined if it can.
   * Spot cash accounts need the cash; margin accounts and perps need the margin.
   */
  affordability(symbol: string, signedQty: number, price: number, fee: number): string | undefined {
    const inst = this.instrument(symbol);
    const pos = this.position(symbol);
    const after = pos.qty + signedQty;
    const increases = Math.abs(after) > Math.abs(pos.qty) + EPS;
    if (!increases) return undefined; // reducing or closing never needs cash
    if (inst.assetClass === 'perp') {
      const equity = this.equity();
      const extra = (Math.abs(after) - Math.abs(pos.qty)) * price * inst.multiplier / inst.maxLeverage;
      if (this.marginUsed() + extra + fee > equity + EPS) {
        return `insufficient margin: needs ${(this.marginUsed() + extra + fee).toFixed(2)}, equity ${equity.toFixed(2)}`;
      }
      return undefined;
    }
    if (after < -EPS && !this.config.allowShort) return 'short selling is not enabled for this account (allowShort: false)';
    if (this.config.leverage <= 1 && signedQty > 0) {
      const cost = signedQty * price * inst.multiplier + fee;
      if (cost > this.cash + EPS) return `insufficient cash: needs ${cost.toFixed(2)}, has ${this.cash.toFixed(2)}`;
      return undefined;
    }
    const grossAfter = this.grossExposure() - Math.abs(pos.qty * price * inst.multiplier) + Math.abs(after * price * inst.multiplier);
    const limit = this.equity() * this.config.leverage;
    if (grossAfter > limit + EPS) return `insufficient margin: gross exposure ${grossAfter.toFixed(2)} would exceed ${this.config.leverage}x equity (${limit.toFixed(2)})`;
    return undefined;
  }

  /** Books a fill: cash, position (average price, realised P&L, flips) and round-trip trades. */
  applyFill(f: Fill): void {
    const inst = this.instrument(f.symbol);
    const pos = this.position(f.symbol);
    const m = inst.multiplier;
    const signed = f.side === 'buy' ? f.qty : -f.qty;
    const perp = inst.assetClass === 'perp';
    this.fills.push(f);
    this.totalFees += f.fee;
    this.tradedNotional += f.qty * f.price * m;
    this.cash -= f.fee;
    if (!perp) this.cash -= signed * f.price * m;

    let remaining = signed;
    // Closing part.
    if (pos.qty !== 0 && Math.sign(remaining) !== Math.sign(pos.qty)) {
      const closeQty = Math.min(Math.abs(remaining), Math.abs(pos.qty));
      const pnl = closeQty * (f.price - pos.avgPrice) * m * Math.sign(pos.qty);
      pos.realizedPnl += pnl;
      if (perp) this.cash += pnl;
      const t = this.open.get(f.symbol);
      if (t) {
        t.pnl += pnl;
        t.exitNotional += closeQty * f.price;
        t.exitQty += closeQty;
        t.exitTag = f.tag ?? t.exitTag;
      }
      const closing = Math.sign(pos.qty) * closeQty;
      pos.qty -= closing;
      remaining += closing;
      if (Math.abs(pos.qty) < EPS) {
        pos.qty = 0;
        pos.avgPrice = 0;
        pos.openedAt = NaN;
      }
    }
    // Fees of this fill belong to the trade that is open when it starts (closing) or opens.
    const before = this.open.get(f.symbol);
    if (before) {
      const share = Math.abs(remaining) > EPS ? (Math.abs(signed) - Math.abs(remaining)) / Math.abs(signed) : 1;
      before.fees += f.fee * share;
      before.pnl -= f.fee * share;
    }
    if (pos.qty === 0 && before) this.closeTrade(f.symbol, before, f);
    // Opening / increasing part.
    if (Math.abs(remaining) > EPS) {
      const newQty = pos.qty + remaining;
      pos.avgPrice = pos.qty === 0 ? f.price : (Math.abs(pos.qty) * pos.avgPrice + Math.abs(remaining) * f.price) / Math.abs(newQty);
      if (pos.qty === 0) pos.openedAt = f.time;
      pos.qty = newQty;
      let t = this.open.get(f.symbol);
      const share = Math.abs(remaining) / Math.abs(signed);
      if (!t) {
        t = {
          direction: remaining > 0 ? 'long' : 'short', entryTime: f.time, entryBar: f.barIndex, entryNotional: 0, entryQty: 0,
          exitNotional: 0, exitQty: 0, maxQty: 0, pnl: 0, fees: 0, entryTag: f.tag,
        };
        this.open.set(f.symbol, t);
      }
      t.entryNotional += Math.abs(remaining) * f.price;
      t.entryQty += Math.abs(remaining);
      t.maxQty = Math.max(t.maxQty, Math.abs(pos.qty));
      t.fees += f.fee * share;
      t.pnl -= f.fee * share;
    }
    pos.lastPrice = f.price;
  }

  private closeTrade(symbol: string, t: OpenTrade, f: Fill): void {
    const inst = this.instrument(symbol);
    const entryPrice = t.entryNotional / t.entryQty;
    this.trades.push({
      symbol,
      direction: t.direction,
      entryTime: t.entryTime,
      exitTime: f.time,
      entryPrice,
      exitPrice: t.exitNotional / t.exitQty,
      qty: t.maxQty,
      pnl: t.pnl,
      fees: t.fees,
      returnPct: t.pnl / (entryPrice * t.maxQty * inst.multiplier),
      bars: f.barIndex - t.entryBar,
      entryTag: t.entryTag,
      exitTag: t.exitTag,
    });
    this.open.delete(symbol);
  }

  /** Funding payment on a perp position: longs pay `rate` of notional when positive. */
  applyFunding(symbol: string, price: number): number {
    const inst = this.instrument(symbol);
    const pos = this.position(symbol);
    if (inst.assetClass !== 'perp' || pos.qty === 0 || !inst.fundingRate) return 0;
    const payment = pos.qty * price * inst.multiplier * inst.fundingRate;
    this.cash -= payment;
    this.fundingPaid += payment;
    const t = this.open.get(symbol);
    if (t) t.pnl -= payment;
    return payment;
  }
}
