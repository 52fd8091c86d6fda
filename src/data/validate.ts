/**
 * Row-by-row validation of OHLCV bars.
 *
 * Errors (the row is refused by the loaders, or removed in quarantine mode):
 *   - NaN or +-Infinity in any column
 *   - open/high/low/close <= 0
 *   - high < max(open, close), low > min(open, close), high < low
 *   - volume < 0 (zero volume is legal: FX and CFD quote data have none; it is only counted)
 *   - a timestamp equal to (duplicate) or earlier than the previous accepted row
 * Warnings (reported, never refused):
 *   - gaps: a step between consecutive accepted rows beyond the gap threshold.
 *
 * Gap thresholds (options, with these defaults):
 *   - intraday timeframes: `maxGapBars` = 1, i.e. any step longer than one bar (at least one
 *     missing bar slot) is a gap. Stock sessions make every overnight and weekend a gap, so a
 *     regular-session hourly file shows ~1 gap per trading day: the report therefore keeps
 *     a per-file summary (count, missing bar slots, largest gaps) rather than relying on the
 *     list. Raise `maxGapBars` (e.g. 72 for hourly stock data) to see only unusual holes.
 *   - daily: `maxGapDays` = 5 calendar days (a weekend plus a holiday is at most 4 days, so
 *     only real closures and data holes, e.g. 2001-09-11, are reported);
 *     weekly: 14 days (one missing week); monthly: 62 days (one missing month).
 *
 * "Previous accepted row" matters: a row with an error is skipped when checking the next
 * row's time, so the rows reported are exactly the rows quarantine removes, and the clean
 * series is strictly increasing.
 *
 * Memory is bounded for huge files: counts per kind plus the first N problems (see
 * problems.ts); the per-row error mask (1 byte per row) is only allocated once an error is
 * found, and is needed only to split off the quarantined rows.
 */
import { TIMEFRAME_MS, type Bars, type Timeframe } from './bars.js';
import { formatTime } from './parse-time.js';
import { DEFAULT_MAX_PROBLEMS, ProblemCollector, type Problem, type ProblemKind } from './problems.js';
import { inferTimeframe } from './timeframe.js';

export interface ValidateOptions {
  /** Name used in every problem (usually the file path). */
  file: string;
  /** Overrides `bars.timeframe`; when both are absent the timeframe is inferred from the times. */
  timeframe?: Timeframe;
  /** Intraday: the longest step between consecutive bars, in bars, that is not a gap. Default 1. */
  maxGapBars?: number;
  /** Daily and longer: the longest step, in calendar days, that is not a gap. Default 5 (1d), 14 (1w), 62 (1mo). */
  maxGapDays?: number;
  /** Errors, and separately warnings, kept in full in the report. Default 100. */
  maxProblems?: number;
  /** File row number of each bar (default: bar index + 1, the header being row 0). */
  rowNumbers?: ArrayLike<number>;
}

export interface GapInfo {
  /** File row of the bar after the gap. */
  row: number;
  from: string;
  to: string;
  /** Length of the step in milliseconds. */
  ms: number;
  /** Bar slots missing in the step (step / bar length - 1, rounded). */
  missingBars: number;
}

export interface GapSummary {
  /** False when the timeframe is unknown and could not be inferred. */
  checked: boolean;
  /** The threshold applied, in words. */
  rule: string;
  count: number;
  missingBars: number;
  /** The longest gaps, longest first (at most 5). */
  largest: GapInfo[];
}

export interface ValidationReport {
  file: string;
  rows: number;
  timeframe: Timeframe | undefined;
  first: string | undefined;
  last: string | undefined;
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  errorCount: number;
  warningCount: number;
  /** Rows with at least one error (what quarantine removes). */
  badRows: number;
  counts: Partial<Record<ProblemKind, number>>;
  /** The first `maxProblems` errors and first `maxProblems` warnings, in row order. */
  problems: Problem[];
  /** True when some problems were counted but not kept. */
  truncated: boolean;
  gaps: GapSummary;
  zeroVolumeRows: number;
}

/** A report plus the per-row error mask needed to split off bad rows. */
export interface CheckResult {
  report: ValidationReport;
  /** 1 for rows with an error; undefined when no row has one. */
  bad: Uint8Array | undefined;
}

export interface CheckContext {
  /** Collector already holding problems found earlier (e.g. by the CSV parser). */
  collector?: ProblemCollector;
  /** Rows already refused (e.g. unparseable cells), skipped here and counted as bad. */
  rejected?: Uint8Array;
}

const DAY = TIMEFRAME_MS['1d'];
const LARGEST_GAPS = 5;
const DEFAULT_GAP_DAYS: Partial<Record<Timeframe, number>> = { '1d': 5, '1w': 14, '1mo': 62 };

function gapRule(tf: Timeframe | undefined, opts: ValidateOptions): { limitMs: number; rule: string } {
  if (tf === undefined) return { limitMs: Infinity, rule: 'timeframe unknown: gaps not checked' };
  const barMs = TIMEFRAME_MS[tf];
  if (barMs < DAY) {
    const bars = opts.maxGapBars ?? 1;
    if (!(bars >= 1)) throw new RangeError(`maxGapBars must be >= 1, got ${bars}`);
    return { limitMs: bars * barMs, rule: `step > ${bars} x ${tf}` };
  }
  const days = opts.maxGapDays ?? DEFAULT_GAP_DAYS[tf] ?? 5;
  if (!(days >= 1)) throw new RangeError(`maxGapDays must be >= 1, got ${days}`);
  return { limitMs: days * DAY, rule: `step > ${days} calendar days` };
}

/** Validates every row; see the file comment for the checks. Never throws on bad data. */
export function validateBars(bars: Bars, opts: ValidateOptions): ValidationReport {
  return checkBars(bars, opts).report;
}

/** validateBars plus the error mask; `ctx` lets a parser contribute problems it found first. */
export function checkBars(bars: Bars, opts: ValidateOptions, ctx: CheckContext = {}): CheckResult {
  const { time, open, high, low, close, volume } = bars;
  const n = time.length;
  for (const [name, col] of [['open', open], ['high', high], ['low', low], ['close', close], ['volume', volume]] as const) {
    if (col.length !== n) {
      throw new TypeError(`bars.${name} has ${col.length} rows but bars.time has ${n}`);
    }
  }
  const problems = ctx.collector ?? new ProblemCollector(opts.file, opts.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const rejected = ctx.rejected;
  const rowNumbers = opts.rowNumbers;
  const tf = opts.timeframe ?? bars.timeframe ?? inferTimeframe(time);
  const { limitMs, rule } = gapRule(tf, opts);
  const barMs = tf === undefined ? NaN : TIMEFRAME_MS[tf];

  let bad: Uint8Array | undefined;
  let badRows = 0;
  let zeroVolumeRows = 0;
  let prevT = NaN;
  let gapCount = 0;
  let missingBars = 0;
  const largest: GapInfo[] = [];

  if (n === 0) problems.add('empty', 'error', -1, 'rows', 0, 'no data rows');

  for (let i = 0; i < n; i++) {
    if (rejected !== undefined && rejected[i] === 1) {
      (bad ??= new Uint8Array(n))[i] = 1;
      badRows++;
      continue;
    }
    const row = rowNumbers === undefined ? i + 1 : rowNumbers[i]!;
    const t = time[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    const before = problems.errorCount;

    // The common case (a clean row) costs one combined finiteness test.
    if (!Number.isFinite(t + o + h + l + c + v)) {
      if (!Number.isFinite(t)) problems.add('not-finite', 'error', row, 'time', t, 'time is not a finite number');
      if (!Number.isFinite(o)) problems.add('not-finite', 'error', row, 'open', o, 'open is not a finite number');
      if (!Number.isFinite(h)) problems.add('not-finite', 'error', row, 'high', h, 'high is not a finite number');
      if (!Number.isFinite(l)) problems.add('not-finite', 'error', row, 'low', l, 'low is not a finite number');
      if (!Number.isFinite(c)) problems.add('not-finite', 'error', row, 'close', c, 'close is not a finite number');
      if (!Number.isFinite(v)) problems.add('not-finite', 'error', row, 'volume', v, 'volume is not a finite number');
    }
    if (t === prevT) {
      problems.add('duplicate-time', 'error', row, 'time', formatTime(t, tf), `duplicate timestamp (same as the previous row)`);
    } else if (t < prevT) {
      problems.add('time-not-increasing', 'error', row, 'time', formatTime(t, tf), `timestamp is earlier than the previous row's ${formatTime(prevT, tf)}`);
    }
    // Comparisons with NaN are false, so a non-finite field never triggers the checks below twice.
    if (o <= 0) problems.add('non-positive-price', 'error', row, 'open', o, 'price must be > 0');
    if (h <= 0) problems.add('non-positive-price', 'error', row, 'high', h, 'price must be > 0');
    if (l <= 0) problems.add('non-positive-price', 'error', row, 'low', l, 'price must be > 0');
    if (c <= 0) problems.add('non-positive-price', 'error', row, 'close', c, 'price must be > 0');
    if (h < l) problems.add('high-below-low', 'error', row, 'high', h, `high < low ${l}`);
    if (h < o || h < c) {
      problems.add('high-below-open-close', 'error', row, 'high', h, `high < max(open ${o}, close ${c})`);
    }
    if (l > o || l > c) {
      problems.add('low-above-open-close', 'error', row, 'low', l, `low > min(open ${o}, close ${c})`);
    }
    if (v < 0) problems.add('negative-volume', 'error', row, 'volume', v, 'volume must be >= 0');
    if (v === 0) zeroVolumeRows++;

    if (problems.errorCount !== before) {
      (bad ??= new Uint8Array(n))[i] = 1;
      badRows++;
      continue;
    }
    const step = t - prevT; // NaN for the first accepted row
    if (step > limitMs) {
      gapCount++;
      const missing = Math.max(0, Math.round(step / barMs) - 1);
      missingBars += missing;
      const from = formatTime(prevT, tf);
      const to = formatTime(t, tf);
      const what = barMs < DAY ? `${missing} missing ${tf} bar${missing === 1 ? '' : 's'}` : `${step / DAY} days`;
      problems.add('gap', 'warning', row, 'time', to, `gap of ${what}: ${from} -> ${to} (${rule})`);
      if (largest.length < LARGEST_GAPS || step > largest[largest.length - 1]!.ms) {
        const gap: GapInfo = { row, from, to, ms: step, missingBars: missing };
        let k = largest.length;
        while (k > 0 && largest[k - 1]!.ms < step) k--;
        largest.splice(k, 0, gap);
        if (largest.length > LARGEST_GAPS) largest.pop();
      }
    }
    prevT = t;
  }

  let first: number | undefined;
  let last: number | undefined;
  for (let i = 0; i < n; i++) {
    if (bad === undefined || bad[i] === 0) {
      first = time[i];
      break;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    if (bad === undefined || bad[i] === 0) {
      last = time[i];
      break;
    }
  }

  const report: ValidationReport = {
    file: opts.file,
    rows: n,
    timeframe: tf,
    first: first === undefined ? undefined : formatTime(first, tf),
    last: last === undefined ? undefined : formatTime(last, tf),
    ok: problems.errorCount === 0,
    errorCount: problems.errorCount,
    warningCount: problems.warningCount,
    badRows,
    counts: { ...problems.counts },
    problems: problems.kept(),
    truncated: problems.truncated,
    gaps: { checked: tf !== undefined, rule, count: gapCount, missingBars, largest },
    zeroVolumeRows,
  };
  return { report, bad };
}

/** One line per file: rows, errors by kind, gap summary. For logs and the CLI. */
export function summarizeReport(report: ValidationReport): string {
  const kinds = Object.entries(report.counts)
    .filter(([kind]) => kind !== 'gap')
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ');
  const errors = report.errorCount === 0 ? '0 errors' : `${report.errorCount} errors in ${report.badRows} rows (${kinds})`;
  const g = report.gaps;
  const gaps = !g.checked
    ? g.rule
    : g.count === 0
      ? 'no gaps'
      : `${g.count} gaps (${g.rule})` +
        (g.largest[0] ? `, largest ${g.largest[0].from} -> ${g.largest[0].to}` : '');
  const span = report.first === undefined ? '' : ` ${report.first} .. ${report.last},`;
  return `${report.file}: ${report.rows} rows ${report.timeframe ?? '?'},${span} ${errors}, ${gaps}`;
}
