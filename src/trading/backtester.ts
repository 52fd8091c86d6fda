/**
 * The event-driven backtester: one or many symbols and timeframes, merged in time order by
 * bar CLOSE time (bars are stamped at their close; a higher-timeframe bar becomes visible only
 * once it has closed). Deterministic: ties in time go in feed order. Strategies see only bars
 * that have closed; the paper broker fills their orders on later bars of the execution feed
 * (the finest timeframe of each symbol).
 */
import { describeValue } from '../errors.js';
import type { Bars } from '../data/bars.js';
import { TIMEFRAME_MS } from '../data/bars.js';
import { Account, type Fill } from './account.js';
import { PaperBroker, type BrokerBar } from './broker.js';
import { makeFillModel, type FillModel } from './fill-model.js';
import { makeInstrument, type Instrument } from './instrument.js';
import type { Order, OrderEvent, OrderRequest } from './order.js';
import { LookAheadError, type BarView, type History, type Strategy, type StrategyContext } from './strategy.js';
import { computeMetrics, type Metrics } from './metrics.js';

export interface FeedSpec {
  bars: Bars;
  /** Default: bars.symbol. */
  symbol?: string;
  /** Default: bars.timeframe (must be known). */
  timeframe?: string;
}

export interface BacktestConfig {
  feeds: Array<FeedSpec | Bars>;
  strategy: Strategy;
  initialCash?: number;
  /** Instrument definitions by symbol (defaults: equity, tick 0.01, lot 1, no fees). */
  instruments?: Array<Partial<Instrument> & { symbol: string }>;
  fillModel?: Partial<FillModel>;
  account?: { allowShort?: boolean; leverage?: number };
  /** Finer bars per symbol used for the intrabar path of each execution bar they cover. */
  fineBars?: Record<string, Bars>;
  /** Only bars closing in [start, end] (ms) are replayed. */
  start?: number;
  end?: number;
  /** Check the accounting invariants on every bar (default true). */
  checkInvariants?: boolean;
}

export interface BacktestResult {
  /** Equity after each distinct event time. */
  time: Float64Array;
  equity: Float64Array;
  drawdown: Float64Array;
  /** Fraction of equity in open positions (gross) after each event time. */
  exposure: Float64Array;
  trades: Account['trades'];
  fills: Fill[];
  orders: Order[];
  events: OrderEvent[];
  metrics: Metrics;
  finalCash: number;
  finalEquity: number;
  barsProcessed: number;
  elapsedMs: number;
}

interface Feed {
  symbol: string;
  timeframe: string;
  bars: Bars;
  closeTime: Float64Array;
  begin: number;
  end: number;
  visible: number;
  execution: boolean;
  /** The execution bar handed to the broker, updated in place (no allocation per bar). */
  bar: BrokerBar;
  fine?: { bars: Bars; pos: number };
}

function closeTimes(bars: Bars, tf: string): Float64Array {
  const out = new Float64Array(bars.time.length);
  if (tf === '1mo') {
    for (let i = 0; i < out.length; i++) {
      const d = new Date(bars.time[i]!);
      out[i] = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    return out;
  }
  const step = TIMEFRAME_MS[tf as keyof typeof TIMEFRAME_MS];
  if (step === undefined) throw new RangeError(`feed timeframe must be one of ${Object.keys(TIMEFRAME_MS).join(', ')}, got ${describeValue(tf)}`);
  for (let i = 0; i < out.length; i++) out[i] = bars.time[i]! + step;
  return out;
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class FeedHistory implements History {
  constructor(private readonly f: Feed) {}
  get symbol(): string { return this.f.symbol; }
  get timeframe(): string { return this.f.timeframe; }
  get length(): number { return this.f.visible - this.f.begin; }
  private at(ago: number, field: string): number {
    if (!Number.isInteger(ago) || ago < 0) {
      throw new LookAheadError(`${this.f.symbol} ${this.f.timeframe}: ${field}(${ago}) would read a bar that has not closed yet (ago must be an integer >= 0)`);
    }
    if (ago >= this.length) throw new RangeError(`${this.f.symbol} ${this.f.timeframe}: ${field}(${ago}) is before the first visible bar (length ${this.length})`);
    return this.f.visible - 1 - ago;
  }
  close(ago = 0): number { return this.f.bars.close[this.at(ago, 'close')]!; }
  open(ago = 0): number { return this.f.bars.open[this.at(ago, 'open')]!; }
  high(ago = 0): number { return this.f.bars.high[this.at(ago, 'high')]!; }
  low(ago = 0): number { return this.f.bars.low[this.at(ago, 'low')]!; }
  volume(ago = 0): number { return this.f.bars.volume[this.at(ago, 'volume')]!; }
  time(ago = 0): number { return this.f.closeTime[this.at(ago, 'time')]!; }
  closes(n?: number): Float64Array {
    const from = n === undefined ? this.f.begin : Math.max(this.f.begin, this.f.visible - n);
    return this.f.bars.close.slice(from, this.f.visible); // a copy: the future is not reachable through it
  }
}

/** Independent ledgers for the invariants: position quantity and cash rebuilt from fills alone. */
class InvariantChecker {
  private readonly qty = new Map<string, number>();
  private cash: number;
  /** A cash account: no leverage, no shorting, no perps - cash must never go negative. */
  private readonly cashOnly: boolean;
  constructor(initialCash: number, private readonly account: Account, symbols: readonly string[]) {
    this.cash = initialCash;
    this.cashOnly = account.config.leverage <= 1 && !account.config.allowShort && symbols.every((s) => account.instrument(s).assetClass !== 'perp');
  }
  onFill(f: Fill, bar: BrokerBar | undefined): void {
    if (bar && (f.price < bar.low - 1e-9 || f.price > bar.high + 1e-9)) {
      throw new Error(`invariant: fill of ${f.symbol} at ${f.price} outside its bar's range [${bar.low}, ${bar.high}]`);
    }
    const inst = this.account.instrument(f.symbol);
    const signed = f.side === 'buy' ? f.qty : -f.qty;
    const before = this.qty.get(f.symbol) ?? 0;
    this.qty.set(f.symbol, before + signed);
    this.cash -= f.fee;
    if (inst.assetClass !== 'perp') this.cash -= signed * f.price * inst.multiplier;
  }
  check(time: number): void {
    const a = this.account;
    let value = 0, perpCash = 0;
    for (const p of a.positions.values()) {
      const q = this.qty.get(p.symbol) ?? 0;
      if (Math.abs(q - p.qty) > 1e-6 * Math.max(1, Math.abs(q))) throw new Error(`invariant at ${time}: ${p.symbol} position ${p.qty} != sum of fills ${q}`);
      value += a.positionValue(p);
      const inst = a.instrument(p.symbol);
      if (inst.assetClass === 'perp') perpCash += p.realizedPnl;
    }
    const expectedCash = this.cash + perpCash - a.fundingPaid;
    if (Math.abs(expectedCash - a.cash) > 1e-6 * Math.max(1, Math.abs(a.cash))) throw new Error(`invariant at ${time}: cash ${a.cash} != cash rebuilt from fills ${expectedCash}`);
    const equity = a.equity();
    if (Math.abs(a.cash + value - equity) > 1e-6 * Math.max(1, Math.abs(equity))) throw new Error(`invariant at ${time}: cash + positions ${a.cash + value} != equity ${equity}`);
    if (this.cashOnly && a.cash < -1e-6) throw new Error(`invariant at ${time}: negative cash ${a.cash} in a cash account`);
  }
}

export function runBacktest(config: BacktestConfig): BacktestResult {
  const t0 = performance.now();
  if (typeof config !== 'object' || config === null) throw new TypeError(`backtest config must be an object, got ${describeValue(config)}`);
  if (!Array.isArray(config.feeds) || config.feeds.length === 0) throw new RangeError('backtest feeds must be a non-empty array of bar series');
  if (typeof config.strategy?.onBar !== 'function') throw new TypeError('backtest strategy must have an onBar(ctx, bar) method');
  const initialCash = config.initialCash ?? 100_000;
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw new RangeError(`initialCash must be a positive number, got ${describeValue(initialCash)}`);
  const leverage = config.account?.leverage ?? 1;
  if (!(leverage >= 1)) throw new RangeError(`account.leverage must be >= 1, got ${describeValue(leverage)}`);
  const start = config.start ?? -Infinity, end = config.end ?? Infinity;
  if (start > end) throw new RangeError(`backtest date range is empty: start ${describeValue(start)} > end ${describeValue(end)}`);

  const feeds: Feed[] = config.feeds.map((spec, k) => {
    const s: FeedSpec = 'bars' in spec ? spec : { bars: spec };
    const symbol = s.symbol ?? s.bars.symbol;
    const timeframe = s.timeframe ?? s.bars.timeframe;
    if (!symbol) throw new RangeError(`feeds[${k}] needs a symbol`);
    if (!timeframe) throw new RangeError(`feeds[${k}] (${symbol}) needs a timeframe`);
    const ct = closeTimes(s.bars, timeframe);
    const begin = lowerBound(ct, start);
    let stop = lowerBound(ct, end);
    while (stop < ct.length && ct[stop]! <= end) stop++;
    return { symbol, timeframe, bars: s.bars, closeTime: ct, begin, end: stop, visible: begin, execution: false, bar: { time: 0, closeTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 } };
  });
  if (feeds.every((f) => f.end <= f.begin)) throw new RangeError(`backtest date range selects no bars (start ${start}, end ${end})`);
  const symbols = [...new Set(feeds.map((f) => f.symbol))];
  for (const sym of symbols) {
    const mine = feeds.filter((f) => f.symbol === sym);
    mine.sort((a, b) => (TIMEFRAME_MS[a.timeframe as keyof typeof TIMEFRAME_MS] ?? 3e9) - (TIMEFRAME_MS[b.timeframe as keyof typeof TIMEFRAME_MS] ?? 3e9));
    mine[0]!.execution = true;
  }

  const instruments = new Map<string, Instrument>();
  for (const def of config.instruments ?? []) {
    if (!symbols.includes(def.symbol)) throw new RangeError(`instrument ${JSON.stringify(def.symbol)} has no data feed (feeds: ${symbols.join(', ')})`);
    instruments.set(def.symbol, makeInstrument(def));
  }
  for (const sym of symbols) if (!instruments.has(sym)) instruments.set(sym, makeInstrument({ symbol: sym }));

  const account = new Account({ initialCash, allowShort: config.account?.allowShort ?? false, leverage }, instruments);
  const model = makeFillModel(config.fillModel);
  const checker = config.checkInvariants === false ? undefined : new InvariantChecker(initialCash, account, symbols);
  const currentBar = new Map<string, BrokerBar>();
  const strategy = config.strategy;
  let ctx!: StrategyContext;
  const broker = new PaperBroker(account, model, {
    onFill: (f) => {
      checker?.onFill(f, currentBar.get(f.symbol));
      strategy.onFill?.(ctx, f);
    },
    onOrderEvent: (e) => strategy.onOrderEvent?.(ctx, e),
  });

  const histories = new Map<string, FeedHistory>();
  for (const f of feeds) histories.set(`${f.symbol}|${f.timeframe}`, new FeedHistory(f));
  let now = Number.NEGATIVE_INFINITY;
  const accountView = {
    leverage: account.config.leverage,
    allowShort: account.config.allowShort,
    get cash() { return account.cash; },
    get equity() { return account.equity(); },
    get grossExposure() { return account.grossExposure(); },
    get marginUsed() { return account.marginUsed(); },
  };
  ctx = {
    get time() { return now; },
    data(symbol: string, timeframe?: string): History {
      const h = timeframe ? histories.get(`${symbol}|${timeframe}`) : histories.get(`${symbol}|${feeds.find((f) => f.symbol === symbol && f.execution)?.timeframe}`);
      if (!h) throw new RangeError(`no data feed for ${symbol}${timeframe ? ` ${timeframe}` : ''} (feeds: ${feeds.map((f) => `${f.symbol} ${f.timeframe}`).join(', ')})`);
      return h;
    },
    submit: (o: OrderRequest) => broker.submit(o, now),
    cancel: (id: number) => broker.cancel(id, now),
    cancelAll: (symbol?: string) => broker.cancelAll(now, symbol),
    position: (symbol: string) => account.position(symbol),
    openOrders: (symbol?: string) => broker.openOrders(symbol),
    account: accountView,
    symbols,
  };

  for (const [sym, b] of Object.entries(config.fineBars ?? {})) {
    const exec = feeds.find((f) => f.symbol === sym && f.execution);
    if (!exec) throw new RangeError(`fineBars.${sym}: no data feed for ${sym}`);
    exec.fine = { bars: b, pos: 0 };
  }
  for (const f of feeds) if (f.execution) currentBar.set(f.symbol, f.bar);

  const total = feeds.reduce((s, f) => s + (f.end - f.begin), 0);
  const time = new Float64Array(total), equity = new Float64Array(total), exposure = new Float64Array(total);
  let points = 0;
  const view: BarView = { symbol: '', timeframe: '', index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };

  let checkedFills = 0, checkedFunding = 0;
  strategy.onStart?.(ctx);
  const single = feeds.length === 1 ? feeds[0]! : undefined;
  for (;;) {
    // Next feed by close time (ties: feed order).
    let f: Feed | undefined = single;
    if (single) {
      if (single.visible >= single.end) break;
    } else {
      let best = Infinity;
      f = undefined;
      for (const g of feeds) {
        if (g.visible < g.end && g.closeTime[g.visible]! < best) {
          best = g.closeTime[g.visible]!;
          f = g;
        }
      }
      if (!f) break;
    }
    if (!f) break;
    const i = f.visible;
    const b = f.bars;
    const t = f.closeTime[i]!;
    now = t;
    if (f.execution) {
      const bbar = f.bar;
      bbar.time = b.time[i]!; bbar.closeTime = t; bbar.open = b.open[i]!; bbar.high = b.high[i]!; bbar.low = b.low[i]!; bbar.close = b.close[i]!; bbar.volume = b.volume[i]!;
      broker.processBar(f.symbol, i, bbar, f.fine ? finerBars(f.fine, bbar) : undefined);
    }
    f.visible = i + 1;
    view.symbol = f.symbol; view.timeframe = f.timeframe; view.index = i; view.time = t;
    view.open = b.open[i]!; view.high = b.high[i]!; view.low = b.low[i]!; view.close = b.close[i]!; view.volume = b.volume[i]!;
    strategy.onBar(ctx, view);
    // One equity point per distinct time: after the last feed event at this time.
    let more = false;
    if (!single) for (const g of feeds) if (g.visible < g.end && g.closeTime[g.visible] === t) { more = true; break; }
    if (!more) {
      const eq = account.equity();
      time[points] = t;
      equity[points] = eq;
      exposure[points] = eq !== 0 ? account.grossExposure() / eq : 0;
      points++;
      // Cash and quantities change only on fills and funding: check the ledgers then (and once
      // at the end); the fill-range invariant is checked on every fill as it happens.
      if (checker && (account.fills.length !== checkedFills || account.fundingPaid !== checkedFunding)) {
        checker.check(t);
        checkedFills = account.fills.length;
        checkedFunding = account.fundingPaid;
      }
    }
  }
  strategy.onEnd?.(ctx);
  checker?.check(now);

  // Every event time normally gets a point; copy only when ties made the arrays shorter.
  const trim = (a: Float64Array): Float64Array => (points === total ? a : a.slice(0, points));
  const tm = trim(time), eqs = trim(equity), ex = trim(exposure);
  const dd = new Float64Array(points);
  let peak = -Infinity;
  for (let k = 0; k < points; k++) {
    peak = Math.max(peak, eqs[k]!);
    dd[k] = peak > 0 ? eqs[k]! / peak - 1 : 0;
  }
  return {
    time: tm, equity: eqs, drawdown: dd, exposure: ex,
    trades: account.trades, fills: account.fills, orders: broker.allOrders(), events: broker.events,
    metrics: computeMetrics({ time: tm, equity: eqs, exposure: ex, trades: account.trades, initialCash, tradedNotional: account.tradedNotional, fees: account.totalFees }),
    finalCash: account.cash, finalEquity: account.equity(), barsProcessed: total, elapsedMs: performance.now() - t0,
  };
}

/** The finer bars that fall inside an execution bar [time, closeTime). */
function finerBars(fb: { bars: Bars; pos: number }, bar: BrokerBar): BrokerBar[] | undefined {
  const t = fb.bars.time;
  while (fb.pos < t.length && t[fb.pos]! < bar.time) fb.pos++;
  const out: BrokerBar[] = [];
  let k = fb.pos;
  for (; k < t.length && t[k]! < bar.closeTime; k++) {
    out.push({ time: t[k]!, closeTime: t[k]!, open: fb.bars.open[k]!, high: fb.bars.high[k]!, low: fb.bars.low[k]!, close: fb.bars.close[k]!, volume: fb.bars.volume[k]! });
  }
  fb.pos = k;
  return out.length > 0 ? out : undefined;
}
