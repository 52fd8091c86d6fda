/**
 * Historical stress scenarios and a deterministic stress runner.
 *
 * A scenario is a set of per-asset-class shocks (simple returns applied to a position's value),
 * optional per-symbol shocks that override the class shock, and a volatility regime
 * (a multiplier of normal volatility for use by simulations). Every number carries its source:
 * 'bundled data' (computed here, in code, from the bundled series when they cover the
 * episode) or 'published' (documented moves, quoted with what they are, for episodes the bundle
 * does not cover: it starts 1998 for US equities and ends 2021-03, FX/gold end 2018-19, daily
 * BTC covers 2014-12..2018-08).
 *
 * Computed shocks (bundled data): the close-to-close simple return from the last bar on or
 * before the start date to the last bar on or before the end date, for every bundled daily
 * series (primary source) that has bars within 5 days of both dates. The class shock is the
 * move of a representative series: equity SPY, fx EURUSD, commodity XAUUSD (gold), crypto BTCUSD.
 * The flash crash uses the day's range instead: low(2010-05-06) / close(2010-05-05) - 1.
 * Volatility multiplier (bundled data): the realised volatility of the representative's daily
 * log returns inside the window over that of the 252 bars before it (for the flash crash:
 * SPY hourly returns within 2010-05-06 over those of the 20 sessions before, overnight moves
 * excluded).
 *
 * Raw prices: the bundled LEAN equities are unadjusted; no split falls inside these windows
 * (AIG's 1:20 reverse split is 2009-07-01, AAPL's are 2000/2005/2014/2020-08-31).
 *
 * runStress(portfolio, scenario): for each position the shock is the scenario's symbol shock,
 * else its asset-class shock, else none (0, reported as 'none'); P&L = value * shock and the
 * loss is -P&L (positive = loss). Deterministic: no randomness, no dates.
 */
import { findBundled, listBundled, loadBundled, type AssetClass, type Bars } from '../data/index.js';
import { describeValue } from '../errors.js';
import { expectFinite } from './check.js';

export type StressAssetClass = AssetClass | 'bond';
export type ShockSource = 'bundled data' | 'published';

export interface Shock {
  /** Simple return applied to a position's value (-0.2 = -20%). */
  shock: number;
  source: ShockSource;
  /** How it was obtained: the series and bars, or the published figure and what it measures. */
  detail: string;
}

export interface StressScenario {
  id: string;
  name: string;
  /** Episode window (ISO dates). */
  start: string;
  end: string;
  description: string;
  /** 'mixed' when the shocks come from both sources. */
  source: ShockSource | 'mixed';
  assetClassShocks: Partial<Record<StressAssetClass, Shock>>;
  symbolShocks: Record<string, Shock>;
  /** Volatility regime: multiplier of normal volatility during the episode. */
  volMultiplier: { value: number; source: ShockSource; detail: string };
  notes: string[];
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dateMs = (d: string): number => Date.parse(`${d}T00:00:00Z`);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** Index of the last bar with time <= t, or -1. */
function indexOnOrBefore(time: Float64Array, t: number): number {
  let lo = 0, hi = time.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! <= t) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

const seriesCache = new Map<string, Bars>();
function daily(symbol: string): Bars {
  let b = seriesCache.get(symbol);
  if (!b) { b = loadBundled(symbol, '1d'); seriesCache.set(symbol, b); }
  return b;
}

/** Bar indices for a window, when the series covers both ends (a bar within 5 days of each). */
function windowIndices(bars: Bars, start: string, end: string): [number, number] | undefined {
  const s = dateMs(start), e = dateMs(end);
  const i0 = indexOnOrBefore(bars.time, s), i1 = indexOnOrBefore(bars.time, e);
  if (i0 < 0 || i1 <= i0) return undefined;
  if (s - bars.time[i0]! > 5 * DAY || e - bars.time[i1]! > 5 * DAY) return undefined;
  return [i0, i1];
}

function windowShock(symbol: string, start: string, end: string): Shock | undefined {
  const bars = daily(symbol);
  const w = windowIndices(bars, start, end);
  if (!w) return undefined;
  const [i0, i1] = w;
  const shock = bars.close[i1]! / bars.close[i0]! - 1;
  return {
    shock,
    source: 'bundled data',
    detail: `${symbol}-1d close ${iso(bars.time[i0]!)} ${bars.close[i0]} -> ${iso(bars.time[i1]!)} ${bars.close[i1]} (${pct(shock)})`,
  };
}

function realisedVol(close: Float64Array, from: number, to: number): number {
  // sd (ddof 1) of log returns close[t]/close[t-1] for t in (from, to]
  const n = to - from;
  if (n < 2) return NaN;
  let s = 0, s2 = 0;
  for (let t = from + 1; t <= to; t++) { const r = Math.log(close[t]! / close[t - 1]!); s += r; s2 += r * r; }
  return Math.sqrt((s2 - (s * s) / n) / (n - 1));
}

function windowVolMultiplier(symbol: string, start: string, end: string): { value: number; source: ShockSource; detail: string } {
  const bars = daily(symbol);
  const [i0, i1] = windowIndices(bars, start, end)!;
  const before = Math.max(0, i0 - 252);
  const inside = realisedVol(bars.close, i0, i1), prior = realisedVol(bars.close, before, i0);
  return {
    value: inside / prior,
    source: 'bundled data',
    detail: `${symbol}-1d realised vol of daily log returns ${iso(bars.time[i0]!)}..${iso(bars.time[i1]!)} (${(inside * 100).toFixed(3)}%/day) over the ${i0 - before} bars before (${(prior * 100).toFixed(3)}%/day)`,
  };
}

/** Primary bundled daily series (symbol -> asset class). */
function dailySymbols(): Array<{ symbol: string; assetClass: AssetClass }> {
  return listBundled().filter((e) => e.timeframe === '1d' && e.variant === undefined).map((e) => ({ symbol: e.symbol, assetClass: e.assetClass }));
}

const REPRESENTATIVE: Partial<Record<StressAssetClass, string>> = { equity: 'SPY', fx: 'EURUSD', commodity: 'XAUUSD', crypto: 'BTCUSD' };

/** Symbol and class shocks for a window from every bundled daily series that covers it. */
function bundledWindow(start: string, end: string): Pick<StressScenario, 'assetClassShocks' | 'symbolShocks'> {
  const symbolShocks: Record<string, Shock> = {};
  for (const { symbol } of dailySymbols()) {
    const s = windowShock(symbol, start, end);
    if (s) symbolShocks[symbol] = s;
  }
  const assetClassShocks: Partial<Record<StressAssetClass, Shock>> = {};
  for (const [cls, sym] of Object.entries(REPRESENTATIVE) as Array<[StressAssetClass, string]>) {
    const s = symbolShocks[sym];
    if (s) assetClassShocks[cls] = { ...s, detail: `${s.detail}; class shock = ${sym} as the ${cls} representative` };
  }
  return { assetClassShocks, symbolShocks };
}

function blackMonday1987(): StressScenario {
  return {
    id: 'black-monday-1987',
    name: 'Black Monday 1987',
    start: '1987-10-16',
    end: '1987-10-19',
    description: 'The 1987-10-19 crash: the largest one-day fall of the S&P 500. Not covered by the bundle (US equities start 1998): published moves.',
    source: 'published',
    assetClassShocks: {
      equity: { shock: 224.84 / 282.7 - 1, source: 'published', detail: 'S&P 500 close 1987-10-16 282.70 -> 1987-10-19 224.84 (-20.47%), price index' },
    },
    symbolShocks: {
      SPY: { shock: 224.84 / 282.7 - 1, source: 'published', detail: 'SPY did not exist (launched 1993): the S&P 500 move of 1987-10-19 (-20.47%) as its proxy' },
    },
    volMultiplier: {
      value: 5,
      source: 'published',
      detail: 'approximate: the CBOE VXO (S&P 100 implied vol, back-calculated) closed near 150 on 1987-10-19, its record, against roughly 20-30 in the weeks before; 5x is a rounded assumption',
    },
    notes: ['Only equities are shocked: the bundle has no 1987 data and other asset classes are left unshocked rather than guessed.'],
  };
}

function gfc2008(): StressScenario {
  const start = '2008-08-29', end = '2008-11-20';
  return {
    id: 'gfc-2008',
    name: '2008 financial crisis (Sep-Nov 2008)',
    start,
    end,
    description: 'Lehman (2008-09-15), AIG rescue and the fall to the November 2008 low: close of 2008-08-29 to close of 2008-11-20, from the bundled daily series.',
    source: 'bundled data',
    ...bundledWindow(start, end),
    volMultiplier: windowVolMultiplier('SPY', start, end),
    notes: ['Crypto did not exist; unshocked. AIG and BAC moves are raw prices (no split in the window).'],
  };
}

function flashCrash2010(): StressScenario {
  const day = '2010-05-06', prev = '2010-05-05';
  const symbolShocks: Record<string, Shock> = {};
  for (const { symbol } of dailySymbols()) {
    const bars = daily(symbol);
    const i = indexOnOrBefore(bars.time, dateMs(day));
    if (i < 1 || iso(bars.time[i]!) !== day) continue;
    const shock = bars.low[i]! / bars.close[i - 1]! - 1;
    const closeMove = bars.close[i]! / bars.close[i - 1]! - 1;
    symbolShocks[symbol] = {
      shock,
      source: 'bundled data',
      detail: `${symbol}-1d low of ${day} ${bars.low[i]} vs previous close (${iso(bars.time[i - 1]!)}) ${bars.close[i - 1]}: ${pct(shock)} intraday; close-to-close ${pct(closeMove)}`,
    };
  }
  const assetClassShocks: Partial<Record<StressAssetClass, Shock>> = {};
  for (const [cls, sym] of Object.entries(REPRESENTATIVE) as Array<[StressAssetClass, string]>) {
    const s = symbolShocks[sym];
    if (s) assetClassShocks[cls] = { ...s, detail: `${s.detail}; class shock = ${sym} as the ${cls} representative` };
  }
  // Volatility regime from SPY hourly bars: returns within the day vs the 20 sessions before.
  const h = loadBundled('SPY', '1h');
  const d0 = dateMs(day);
  const intradayReturns = (from: number, to: number): number[] => {
    const out: number[] = [];
    for (let t = Math.max(1, indexOnOrBefore(h.time, from)); t < h.time.length && h.time[t]! < to; t++) {
      if (h.time[t]! < from) continue;
      if (Math.floor(h.time[t]! / DAY) === Math.floor(h.time[t - 1]! / DAY)) out.push(Math.log(h.close[t]! / h.close[t - 1]!));
    }
    return out;
  };
  const sd = (x: number[]): number => {
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    return Math.sqrt(x.reduce((a, b) => a + (b - m) * (b - m), 0) / (x.length - 1));
  };
  const today = intradayReturns(d0, d0 + DAY), before = intradayReturns(d0 - 28 * DAY, d0);
  const value = sd(today) / sd(before);
  return {
    id: 'flash-crash-2010',
    name: 'Flash crash (2010-05-06)',
    start: prev,
    end: day,
    description: "The 2010-05-06 flash crash: each series' intraday low against the previous close, from the bundled daily bars (the trough, not the close: prices recovered within minutes).",
    source: 'bundled data',
    assetClassShocks,
    symbolShocks,
    volMultiplier: {
      value,
      source: 'bundled data',
      detail: `SPY-1h: sd of the ${today.length} intraday hourly log returns of ${day} (${(sd(today) * 100).toFixed(3)}%) over that of the ${before.length} intraday hourly returns of the 4 weeks before (${(sd(before) * 100).toFixed(3)}%)`,
    },
    notes: ['Shocks are intraday troughs: a stop-loss or margin call would have seen them; a close-to-close view is milder (given in each detail).'],
  };
}

function covid2020(): StressScenario {
  const start = '2020-02-19', end = '2020-03-23';
  return {
    id: 'covid-2020',
    name: 'COVID crash (2020-02-19 to 2020-03-23)',
    start,
    end,
    description: 'From the S&P 500 record close of 2020-02-19 to the low of 2020-03-23, from the bundled daily equities.',
    source: 'bundled data',
    ...bundledWindow(start, end),
    volMultiplier: windowVolMultiplier('SPY', start, end),
    notes: ['The bundled FX, gold and crypto series end before 2020: those classes are unshocked here (define a custom scenario to add them).'],
  };
}

function rateShock2022(): StressScenario {
  return {
    id: 'rate-shock-2022',
    name: '2022 rate shock (calendar 2022)',
    start: '2021-12-31',
    end: '2022-12-30',
    description: 'The 2022 tightening cycle: equities and bonds fell together. The bundle ends before 2022 (US equities end 2021-03): published calendar-year moves.',
    source: 'published',
    assetClassShocks: {
      equity: { shock: 3839.5 / 4766.18 - 1, source: 'published', detail: 'S&P 500 close 2021-12-31 4766.18 -> 2022-12-30 3839.50 (-19.44%), price index' },
      bond: { shock: -0.1301, source: 'published', detail: 'Bloomberg US Aggregate bond index, 2022 total return about -13.0% (10-year Treasury yield 1.51% -> 3.88%)' },
      crypto: { shock: -0.64, source: 'published', detail: 'Bitcoin, about $46,300 (2021-12-31) -> $16,500 (2022-12-31): about -64%' },
      fx: { shock: 1.0705 / 1.137 - 1, source: 'published', detail: 'EURUSD about 1.1370 -> 1.0705 (-5.8%): the dollar rallied' },
      commodity: { shock: -0.003, source: 'published', detail: 'gold about $1,829 -> $1,824 per ounce (about -0.3%): flat over the year' },
    },
    symbolShocks: {
      SPY: { shock: 3839.5 / 4766.18 - 1, source: 'published', detail: 'S&P 500 price move for 2022 (-19.44%) as the SPY proxy (dividends excluded)' },
      BTCUSD: { shock: -0.64, source: 'published', detail: 'Bitcoin 2022 calendar-year move, about -64%' },
    },
    volMultiplier: {
      value: 1.3,
      source: 'published',
      detail: 'approximate: VIX averaged about 25.6 in 2022 against about 19.7 in 2021',
    },
    notes: ['Published figures rounded as quoted; the bundle cannot verify them.'],
  };
}

function cryptoCrash(): StressScenario {
  const bars = daily('BTCUSD');
  const from = indexOnOrBefore(bars.time, dateMs('2017-12-01'));
  const peakSearchEnd = indexOnOrBefore(bars.time, dateMs('2018-01-31'));
  let peak = from;
  for (let i = from; i <= peakSearchEnd; i++) if (bars.close[i]! > bars.close[peak]!) peak = i;
  let trough = peak;
  for (let i = peak; i < bars.close.length; i++) if (bars.close[i]! < bars.close[trough]!) trough = i;
  const shock = bars.close[trough]! / bars.close[peak]! - 1;
  const start = iso(bars.time[peak]!), end = iso(bars.time[trough]!);
  const s: Shock = {
    shock,
    source: 'bundled data',
    detail: `BTCUSD-1d (Coinbase) peak close ${start} ${bars.close[peak]} -> trough close ${end} ${bars.close[trough]} (${pct(shock)}), trough searched to the end of the bundled series ${iso(bars.time[bars.time.length - 1]!)}`,
  };
  return {
    id: 'crypto-crash',
    name: `Crypto crash (bitcoin ${start.slice(0, 7)} peak to ${end} trough)`,
    start,
    end,
    description: 'A 2022-style crypto drawdown, defined from the bundled daily bitcoin series: the December 2017 peak to the 2018 trough it covers. (The 2021-11 to 2022-11 drawdown, about -77% peak to trough, is outside the bundle.)',
    source: 'bundled data',
    assetClassShocks: { crypto: { ...s, detail: `${s.detail}; class shock = BTCUSD as the crypto representative` } },
    symbolShocks: { BTCUSD: s },
    volMultiplier: windowVolMultiplier('BTCUSD', start, end),
    notes: ['Crypto only: the equity market did not move with it in 2018 (shock other classes with a custom scenario if wanted).'],
  };
}

let library: StressScenario[] | undefined;

/** The scenario library (built once from the bundled data, then cached). */
export function stressScenarios(): StressScenario[] {
  if (!library) {
    library = [blackMonday1987(), gfc2008(), flashCrash2010(), covid2020(), rateShock2022(), cryptoCrash()].map((s) => {
      const sources = new Set([...Object.values(s.assetClassShocks), ...Object.values(s.symbolShocks)].map((x) => x!.source));
      return { ...s, source: sources.size > 1 ? 'mixed' : s.source };
    });
  }
  return library;
}

/** A scenario by id; a RangeError lists the ids. */
export function getStressScenario(id: string): StressScenario {
  const s = stressScenarios().find((x) => x.id === id);
  if (!s) throw new RangeError(`scenario must be one of ${stressScenarios().map((x) => x.id).join(', ')}; got ${describeValue(id)}`);
  return s;
}

export interface StressPosition {
  symbol: string;
  /** Position value in currency (negative = short), or a weight. */
  value: number;
  /** Needed when the symbol is not bundled (e.g. 'bond'). */
  assetClass?: StressAssetClass;
}

export interface StressPortfolio {
  positions: StressPosition[];
}

export interface StressPositionResult {
  symbol: string;
  assetClass: StressAssetClass;
  value: number;
  shock: number;
  /** Which shock applied: the symbol's own, its asset class's, or none (0). */
  appliedFrom: 'symbol' | 'asset class' | 'none';
  source: ShockSource | null;
  pnl: number;
  /** -pnl: positive is a loss. */
  loss: number;
}

export interface StressResult {
  scenario: string;
  name: string;
  positions: StressPositionResult[];
  totalPnl: number;
  totalLoss: number;
  /** totalLoss / net value (when the net value is positive), else NaN. */
  lossFraction: number;
  volMultiplier: number;
  /** Symbols that no shock applied to. */
  unshocked: string[];
}

const CLASSES: readonly StressAssetClass[] = ['equity', 'fx', 'crypto', 'commodity', 'bond'];

function classOf(p: StressPosition, i: number): StressAssetClass {
  if (p.assetClass !== undefined) {
    if (!CLASSES.includes(p.assetClass)) throw new RangeError(`runStress: positions[${i}].assetClass must be one of ${CLASSES.join(', ')}, got ${describeValue(p.assetClass)}`);
    return p.assetClass;
  }
  const hit = listBundled().find((e) => e.symbol === p.symbol);
  if (!hit) throw new RangeError(`runStress: positions[${i}].assetClass is required for ${describeValue(p.symbol)}, which is not a bundled symbol`);
  return hit.assetClass;
}

function checkPortfolio(portfolio: StressPortfolio): void {
  if (portfolio === null || typeof portfolio !== 'object' || !Array.isArray(portfolio.positions)) {
    throw new TypeError(`runStress: portfolio must be { positions: [...] }, got ${describeValue(portfolio)}`);
  }
  if (portfolio.positions.length === 0) throw new RangeError('runStress: portfolio.positions must not be empty');
  portfolio.positions.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw new TypeError(`runStress: positions[${i}] must be an object, got ${describeValue(p)}`);
    if (typeof p.symbol !== 'string' || p.symbol === '') throw new TypeError(`runStress: positions[${i}].symbol must be a non-empty string, got ${describeValue(p.symbol)}`);
    expectFinite('runStress', `positions[${i}].value`, p.value);
  });
}

/** Applies one scenario to a portfolio (deterministic). */
export function runStress(portfolio: StressPortfolio, scenario: StressScenario | string): StressResult {
  checkPortfolio(portfolio);
  const sc = typeof scenario === 'string' ? getStressScenario(scenario) : scenario;
  let totalPnl = 0, net = 0;
  const unshocked: string[] = [];
  const positions = portfolio.positions.map((p, i): StressPositionResult => {
    const assetClass = classOf(p, i);
    const own = sc.symbolShocks[p.symbol];
    const cls = sc.assetClassShocks[assetClass];
    const applied = own ?? cls;
    const shock = applied?.shock ?? 0;
    const pnl = p.value * shock;
    totalPnl += pnl;
    net += p.value;
    if (!applied) unshocked.push(p.symbol);
    return { symbol: p.symbol, assetClass, value: p.value, shock, appliedFrom: own ? 'symbol' : cls ? 'asset class' : 'none', source: applied?.source ?? null, pnl, loss: -pnl };
  });
  return {
    scenario: sc.id,
    name: sc.name,
    positions,
    totalPnl,
    totalLoss: -totalPnl,
    lossFraction: net > 0 ? -totalPnl / net : NaN,
    volMultiplier: sc.volMultiplier.value,
    unshocked,
  };
}

/** Every scenario of the library on one portfolio, in library order. */
export function runAllStress(portfolio: StressPortfolio, scenarios: StressScenario[] = stressScenarios()): StressResult[] {
  checkPortfolio(portfolio);
  return scenarios.map((s) => runStress(portfolio, s));
}

/** Whether a symbol is bundled as a daily series (for callers building portfolios). */
export function isBundledDaily(symbol: string): boolean {
  try {
    findBundled(symbol, '1d');
    return true;
  } catch {
    return false;
  }
}
