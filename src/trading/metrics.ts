/**
 * Performance metrics of a backtest from its equity curve and trade list.
 *
 * Conventions (stated because engines differ): returns are simple per-point returns of the
 * equity curve; periods per year are measured from the curve itself (points per calendar year
 * actually observed, so daily stocks give ~252 and daily crypto ~365); the risk-free rate is 0;
 * Sharpe = mean / stdev (sample, ddof 1) * sqrt(periods per year); Sortino uses the downside
 * deviation sqrt(mean(min(r, 0)^2)); Calmar = annualised return / |max drawdown|.
 */
import type { Trade } from './account.js';

export interface Metrics {
  totalReturn: number;
  annualizedReturn: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  maxDrawdown: number;
  /** Longest time from a peak to its recovery (or to the end), in ms and in curve points. */
  maxDrawdownDurationMs: number;
  maxDrawdownDurationBars: number;
  trades: number;
  winRate: number;
  profitFactor: number;
  expectancy: number;
  avgWin: number;
  avgLoss: number;
  avgBarsHeld: number;
  /** Fraction of curve points with an open position, and the mean gross exposure / equity. */
  timeInMarket: number;
  avgExposure: number;
  /** Traded notional per year over mean equity. */
  turnover: number;
  fees: number;
  periodsPerYear: number;
  years: number;
  /** Plausibility warnings (e.g. a Sharpe or win rate too good for the sample size). */
  warnings: string[];
}

const YEAR_MS = 365.25 * 86_400_000;

export interface MetricsInput {
  time: Float64Array;
  equity: Float64Array;
  exposure: Float64Array;
  trades: readonly Trade[];
  initialCash: number;
  tradedNotional: number;
  fees: number;
}

export function computeMetrics(m: MetricsInput): Metrics {
  const n = m.equity.length;
  const years = n > 1 ? (m.time[n - 1]! - m.time[0]!) / YEAR_MS : 0;
  const ppy = years > 0 ? (n - 1) / years : NaN;
  const final = n > 0 ? m.equity[n - 1]! : m.initialCash;
  const totalReturn = final / m.initialCash - 1;
  const annualizedReturn = years > 0 && final > 0 ? Math.pow(final / m.initialCash, 1 / years) - 1 : NaN;

  let sum = 0, sum2 = 0, down2 = 0, k = 0;
  let prev = m.initialCash;
  for (let i = 0; i < n; i++) {
    const e = m.equity[i]!;
    const r = prev !== 0 ? e / prev - 1 : 0;
    prev = e;
    if (i === 0) continue; // the first point has no return inside the curve
    sum += r; sum2 += r * r; down2 += r < 0 ? r * r : 0; k++;
  }
  const mean = k > 0 ? sum / k : 0;
  const variance = k > 1 ? (sum2 - k * mean * mean) / (k - 1) : 0;
  const sd = Math.sqrt(Math.max(variance, 0));
  const dsd = k > 0 ? Math.sqrt(down2 / k) : 0;
  const ann = Math.sqrt(ppy);
  const sharpe = sd > 0 ? (mean / sd) * ann : 0;
  const sortino = dsd > 0 ? (mean / dsd) * ann : 0;

  let peak = -Infinity, peakIdx = 0, maxDd = 0, maxDurMs = 0, maxDurBars = 0;
  for (let i = 0; i < n; i++) {
    const e = m.equity[i]!;
    if (e >= peak) {
      peak = e; peakIdx = i;
    } else {
      maxDd = Math.min(maxDd, e / peak - 1);
    }
    const durMs = m.time[i]! - m.time[peakIdx]!, durBars = i - peakIdx;
    if (durMs > maxDurMs) maxDurMs = durMs;
    if (durBars > maxDurBars) maxDurBars = durBars;
  }

  const wins = m.trades.filter((t) => t.pnl > 0), losses = m.trades.filter((t) => t.pnl < 0);
  const grossWin = wins.reduce((s, t) => s + t.pnl, 0), grossLoss = -losses.reduce((s, t) => s + t.pnl, 0);
  let inMarket = 0, expSum = 0;
  for (let i = 0; i < n; i++) { if (m.exposure[i]! > 0) inMarket++; expSum += m.exposure[i]!; }
  let equitySum = 0;
  for (let i = 0; i < n; i++) equitySum += m.equity[i]!;
  const meanEquity = n > 0 ? equitySum / n : m.initialCash;

  const metrics: Metrics = {
    totalReturn,
    annualizedReturn,
    volatility: sd * ann,
    sharpe,
    sortino,
    calmar: maxDd < 0 && Number.isFinite(annualizedReturn) ? annualizedReturn / -maxDd : 0,
    maxDrawdown: maxDd,
    maxDrawdownDurationMs: maxDurMs,
    maxDrawdownDurationBars: maxDurBars,
    trades: m.trades.length,
    winRate: m.trades.length > 0 ? wins.length / m.trades.length : 0,
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Infinity : 0,
    expectancy: m.trades.length > 0 ? m.trades.reduce((s, t) => s + t.pnl, 0) / m.trades.length : 0,
    avgWin: wins.length > 0 ? grossWin / wins.length : 0,
    avgLoss: losses.length > 0 ? -grossLoss / losses.length : 0,
    avgBarsHeld: m.trades.length > 0 ? m.trades.reduce((s, t) => s + t.bars, 0) / m.trades.length : 0,
    timeInMarket: n > 0 ? inMarket / n : 0,
    avgExposure: n > 0 ? expSum / n : 0,
    turnover: years > 0 && meanEquity > 0 ? m.tradedNotional / years / meanEquity : 0,
    fees: m.fees,
    periodsPerYear: ppy,
    years,
    warnings: [],
  };
  metrics.warnings = plausibilityWarnings(metrics);
  return metrics;
}

/**
 * Flags results that sampling noise or look-ahead, not skill, usually explains. The standard
 * error of an annualised Sharpe estimate is about sqrt((1 + SR^2/2) / years) (Lo, 2002);
 * a win rate's is sqrt(p (1 - p) / trades).
 */
export function plausibilityWarnings(m: Metrics): string[] {
  const w: string[] = [];
  if (m.sharpe > 3 && m.years > 0) {
    const se = Math.sqrt((1 + (m.sharpe * m.sharpe) / 2) / m.years);
    w.push(`Sharpe ${m.sharpe.toFixed(2)} over ${m.years.toFixed(1)} years (standard error ~${se.toFixed(2)}) is implausible for real strategies: check for look-ahead, survivorship or overfitting`);
  }
  if (m.trades >= 20 && m.winRate > 0.85) {
    w.push(`win rate ${(100 * m.winRate).toFixed(1)}% over ${m.trades} trades is implausible unless losses are far larger than wins (avg win ${m.avgWin.toFixed(2)}, avg loss ${m.avgLoss.toFixed(2)})`);
  }
  if (m.trades > 0 && m.trades < 30) w.push(`only ${m.trades} trades: metrics have wide confidence intervals`);
  return w;
}
