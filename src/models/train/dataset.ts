/**
 * The training data set: causal features from the indicator kernels over bundled real data,
 * forward-return labels, a chronological train / validation / test split with an embargo, and
 * a normalisation fitted on the training span only.
 *
 * PRICES. The bundled US equities are RAW, unadjusted (data/catalog.json). Split days are
 * back-adjusted with the ratios the catalog lists (SPLITS in src/data/splits.ts; a test checks every entry
 * against the catalog text and the raw close jump). Back-adjustment rescales all earlier prices
 * by a constant, and every feature below is scale-invariant (returns, ratios, oscillators), so
 * a feature at bar t still depends only on bars <= t: the adjustment leaks nothing.
 *
 * FEATURES (16, all computed causally: the value at bar t uses bars <= t only):
 *   0 ret1   log(c_t / c_t-1)                 (rocr 1)        8 adx14    ADX(14) / 100
 *   1 ret5   log(c_t / c_t-5)                 (rocr 5)        9 volz20   z-score(20) of log(1 + volume)
 *   2 ret20  log(c_t / c_t-20)                (rocr 20)      10 rvol20   close-to-close vol(20), annualised
 *   3 ret60  log(c_t / c_t-60)                (rocr 60)      11 sma50    log(c_t / SMA(50)_t)
 *   4 rsi14  RSI(14) / 100 - 0.5                             12 trange   true range / close
 *   5 natr14 ATR(14) / close                  (natr / 100)   13 bop      balance of power (c - o) / (h - l)
 *   6 pctb20 Bollinger %B(20, 2) - 0.5                       14 willr14  Williams %R(14) / 100 + 0.5
 *   7 macdh  MACD(12, 26, 9) histogram / close               15 cci14    CCI(14) / 100
 *   longest lookback: 60 bars (ret60).
 *
 * LABELS. Forward log return over `horizon` bars, r = log(c_t+h / c_t), against a threshold
 * that is itself causal: thr_t = k * sigma_t * sqrt(h), sigma_t = stdev of the last 20 daily
 * log returns (bars <= t). UP (2) if r > thr, DOWN (0) if r < -thr, else FLAT (1).
 * Defaults: horizon 5 bars, k = 0.5.
 *
 * SAMPLES. A sample is a window of `steps` feature rows ending at bar t (the decision bar),
 * labelled with the forward return from t. It uses bars [t - steps + 1 - lookback, t + horizon].
 *
 * SPLIT (chronological, across all symbols by timestamp): decision times are cut at the 70%
 * and 85% quantiles of all samples' times into train / validation / test. A validation sample
 * is kept only if the FIRST bar it uses (t - steps + 1 - lookback) is strictly after the LAST
 * bar any training sample uses (its label end t + horizon), for every symbol; the same between
 * validation and test. So the embargo between spans is at least horizon + steps - 1 + lookback
 * bars (the issue asks for >= horizon + lookback), and no training row's features or label
 * reach into the validation span (tests/models.train.dataset.test.ts checks it sample by sample).
 *
 * NORMALISATION. Per-feature mean and standard deviation over the feature rows the training
 * windows cover (training span only), z = (x - mean) / std, clipped to [-5, 5].
 */
import { computeIndicator } from '../../ta/index.js';
import { loadBundled, type Bars } from '../../data/index.js';

export const FEATURE_NAMES = [
  'ret1', 'ret5', 'ret20', 'ret60', 'rsi14', 'natr14', 'pctb20', 'macdh', 'adx14', 'volz20', 'rvol20', 'sma50', 'trange', 'bop', 'willr14', 'cci14',
] as const;
export const FEATURE_LOOKBACK = 60;
export const CLASS_NAMES = ['DOWN', 'FLAT', 'UP'] as const;
export const CLIP = 5;

// Split adjustment lives with the data (src/data/splits.ts); re-exported for the training API.
import { SPLITS, adjustSplits } from '../../data/splits.js';
export { SPLITS, adjustSplits };

export interface LabelConfig {
  horizon: number;
  /** Threshold in units of sigma_20 * sqrt(horizon). */
  k: number;
}

export const DEFAULT_LABELS: LabelConfig = { horizon: 5, k: 0.5 };

/** The 16 features of one series: [bars, 16] row-major, NaN in the warm-up. */
export function computeFeatures(bars: Bars): Float64Array {
  const n = bars.close.length, F = FEATURE_NAMES.length;
  const { open, high, low, close, volume } = bars;
  const out = new Float64Array(n * F).fill(NaN);
  const col = (j: number, v: ArrayLike<number>, f: (x: number, i: number) => number = (x) => x): void => {
    for (let i = 0; i < n; i++) out[i * F + j] = f(v[i]!, i);
  };
  const lg = (x: number): number => Math.log(x);
  col(0, computeIndicator('rocr', { close }, { period: 1 }).rocr!, lg);
  col(1, computeIndicator('rocr', { close }, { period: 5 }).rocr!, lg);
  col(2, computeIndicator('rocr', { close }, { period: 20 }).rocr!, lg);
  col(3, computeIndicator('rocr', { close }, { period: 60 }).rocr!, lg);
  col(4, computeIndicator('rsi', { close }, { period: 14 }).rsi!, (x) => x / 100 - 0.5);
  col(5, computeIndicator('natr', { high, low, close }, { period: 14 }).natr!, (x) => x / 100);
  col(6, computeIndicator('bbands', { close }, { period: 20, nbDevUp: 2, nbDevDn: 2 }).percentB!, (x) => x - 0.5);
  col(7, computeIndicator('macd', { close }, { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 }).hist!, (x, i) => x / close[i]!);
  col(8, computeIndicator('adx', { high, low, close }, { period: 14 }).adx!, (x) => x / 100);
  const logv = volume.map((v) => Math.log1p(v));
  col(9, computeIndicator('zscore', { x: logv }, { period: 20 }).zscore!);
  col(10, computeIndicator('volCloseToClose', { open, high, low, close }, { period: 20, periodsPerYear: 252 }).vol!);
  col(11, computeIndicator('sma', { close }, { period: 50 }).sma!, (x, i) => Math.log(close[i]! / x));
  col(12, computeIndicator('trange', { high, low, close }).trange!, (x, i) => x / close[i]!);
  col(13, computeIndicator('bop', { open, high, low, close }).bop!);
  col(14, computeIndicator('willr', { high, low, close }, { period: 14 }).willr!, (x) => x / 100 + 0.5);
  col(15, computeIndicator('cci', { high, low, close }, { period: 14 }).cci!, (x) => x / 100);
  // anything non-finite (e.g. a zero-range bar in bop / %B) is NaN: such rows are not used
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = NaN;
  return out;
}

/** Label per bar (NaN where the forward return or the threshold is undefined). Also returns the forward return and threshold. */
export function computeLabels(close: Float64Array, cfg: LabelConfig): { label: Float64Array; fwd: Float64Array; thr: Float64Array } {
  const n = close.length, h = cfg.horizon;
  const label = new Float64Array(n).fill(NaN), fwd = new Float64Array(n).fill(NaN), thr = new Float64Array(n).fill(NaN);
  const r = new Float64Array(n).fill(NaN);
  for (let i = 1; i < n; i++) r[i] = Math.log(close[i]! / close[i - 1]!);
  for (let t = 20; t < n; t++) {
    let m = 0;
    for (let i = t - 19; i <= t; i++) m += r[i]!;
    m /= 20;
    let v = 0;
    for (let i = t - 19; i <= t; i++) v += (r[i]! - m) ** 2;
    const sigma = Math.sqrt(v / 19);
    thr[t] = cfg.k * sigma * Math.sqrt(h);
    if (t + h < n) {
      fwd[t] = Math.log(close[t + h]! / close[t]!);
      label[t] = fwd[t]! > thr[t]! ? 2 : fwd[t]! < -thr[t]! ? 0 : 1;
    }
  }
  return { label, fwd, thr };
}

export interface SymbolSeries {
  symbol: string;
  time: Float64Array;
  /** Raw (normalised later) features [bars, F]. */
  features: Float64Array;
  label: Float64Array;
  /** Offset of this symbol's first row in the concatenated xs. */
  rowOffset: number;
}

export interface Split {
  /** Float32 normalised feature rows of every symbol, concatenated [rows, F]. */
  xs: Float32Array;
  starts: Int32Array;
  target: Float64Array;
  /** Per sample: symbol index, decision bar index within the symbol, decision time. */
  symbol: Int32Array;
  bar: Int32Array;
  time: Float64Array;
}

export interface Dataset {
  symbols: string[];
  timeframe: '1d';
  steps: number;
  labels: LabelConfig;
  featureNames: readonly string[];
  lookback: number;
  series: SymbolSeries[];
  train: Split;
  val: Split;
  test: Split;
  /** Normalisation fitted on the training span: z = clip((x - mean) / std, -5, 5). */
  norm: { mean: number[]; std: number[]; clip: number };
  /** Boundaries (ISO dates of decision bars) and embargo facts. */
  spans: { train: [string, string]; val: [string, string]; test: [string, string]; minEmbargoBars: number };
  classCounts: { train: number[]; val: number[]; test: number[] };
}

export interface DatasetOptions {
  symbols: string[];
  steps: number;
  labels?: LabelConfig;
  /** Fractions of samples (by time) for train and validation; test is the rest. Default 0.7, 0.15. */
  trainFraction?: number;
  valFraction?: number;
  /** Pre-loaded bars (tests); default: the bundled daily series. */
  bars?: Bars[];
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

export function buildDataset(opts: DatasetOptions): Dataset {
  const labels = opts.labels ?? DEFAULT_LABELS;
  const T = opts.steps;
  if (!Number.isInteger(T) || T < 1 || T > 1000) throw new RangeError(`dataset: steps must be an integer in [1, 1000], got ${T}`);
  if (!Number.isInteger(labels.horizon) || labels.horizon < 1 || labels.horizon > 250) throw new RangeError(`dataset: horizon must be an integer in [1, 250], got ${labels.horizon}`);
  if (!(labels.k >= 0 && Number.isFinite(labels.k))) throw new RangeError(`dataset: label threshold k must be a finite number >= 0, got ${labels.k}`);
  const trainFraction = opts.trainFraction ?? 0.7, valFraction = opts.valFraction ?? 0.15;
  if (!(trainFraction > 0 && valFraction > 0 && trainFraction + valFraction < 1)) throw new RangeError(`dataset: fractions must be > 0 with train + val < 1, got ${trainFraction}, ${valFraction}`);
  if (opts.symbols.length < 1) throw new RangeError('dataset: at least one symbol is required');
  const F = FEATURE_NAMES.length, L = FEATURE_LOOKBACK, H = labels.horizon;
  const series: SymbolSeries[] = [];
  let rowOffset = 0;
  opts.symbols.forEach((sym, si) => {
    const raw = opts.bars?.[si] ?? loadBundled(sym, '1d');
    const bars = adjustSplits({ ...raw, symbol: sym });
    const features = computeFeatures(bars);
    const { label } = computeLabels(bars.close, labels);
    series.push({ symbol: sym, time: bars.time, features, label, rowOffset });
    rowOffset += bars.time.length;
  });
  // candidate samples: decision bar t with a full window of finite features and a label
  interface Cand { s: number; t: number; time: number }
  const cands: Cand[] = [];
  series.forEach((sr, s) => {
    const n = sr.time.length;
    const ok = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let good = 1;
      for (let j = 0; j < F; j++) if (Number.isNaN(sr.features[i * F + j]!)) { good = 0; break; }
      ok[i] = good;
    }
    let run = 0;
    for (let t = 0; t < n; t++) {
      run = ok[t] ? run + 1 : 0;
      if (t - T + 1 - L < 0) continue;            // the window's features need L earlier bars
      if (run >= T && !Number.isNaN(sr.label[t]!)) cands.push({ s, t, time: sr.time[t]! });
    }
  });
  if (cands.length < 100) throw new RangeError(`dataset: only ${cands.length} usable samples for ${opts.symbols.join(',')} with steps ${T}; need at least 100`);
  const times = cands.map((c) => c.time).sort((a, b) => a - b);
  const cut1 = times[Math.floor(times.length * trainFraction)]!;
  const cut2 = times[Math.floor(times.length * (trainFraction + valFraction))]!;
  const firstUsed = (c: Cand): number => series[c.s]!.time[c.t - T + 1 - L]!;
  const lastUsed = (c: Cand): number => series[c.s]!.time[Math.min(series[c.s]!.time.length - 1, c.t + H)]!;
  const trainC = cands.filter((c) => c.time < cut1);
  const trainEnd = Math.max(...trainC.map(lastUsed));
  const valC = cands.filter((c) => c.time >= cut1 && c.time < cut2 && firstUsed(c) > trainEnd);
  const valEnd = Math.max(...valC.map(lastUsed));
  const testC = cands.filter((c) => c.time >= cut2 && firstUsed(c) > valEnd);
  if (trainC.length < 10 || valC.length < 10 || testC.length < 10) throw new RangeError(`dataset: too few samples after the embargo (train ${trainC.length}, val ${valC.length}, test ${testC.length})`);

  // normalisation over the feature rows the training windows cover
  const covered = series.map((sr) => new Uint8Array(sr.time.length));
  for (const c of trainC) for (let i = c.t - T + 1; i <= c.t; i++) covered[c.s]![i] = 1;
  const mean = new Array<number>(F).fill(0), sq = new Array<number>(F).fill(0);
  let count = 0;
  series.forEach((sr, s) => {
    for (let i = 0; i < sr.time.length; i++) {
      if (!covered[s]![i]) continue;
      count++;
      for (let j = 0; j < F; j++) mean[j]! += sr.features[i * F + j]!;
    }
  });
  for (let j = 0; j < F; j++) mean[j]! /= count;
  series.forEach((sr, s) => {
    for (let i = 0; i < sr.time.length; i++) {
      if (!covered[s]![i]) continue;
      for (let j = 0; j < F; j++) sq[j]! += (sr.features[i * F + j]! - mean[j]!) ** 2;
    }
  });
  const std = sq.map((v) => Math.sqrt(v / Math.max(1, count - 1)) || 1);
  const xs = new Float32Array(rowOffset * F);
  series.forEach((sr) => {
    for (let i = 0; i < sr.time.length; i++) {
      for (let j = 0; j < F; j++) {
        const v = sr.features[i * F + j]!;
        xs[(sr.rowOffset + i) * F + j] = Number.isNaN(v) ? NaN : Math.max(-CLIP, Math.min(CLIP, (v - mean[j]!) / std[j]!));
      }
    }
  });
  const mk = (cs: Cand[]): Split => ({
    xs,
    starts: Int32Array.from(cs, (c) => series[c.s]!.rowOffset + c.t - T + 1),
    target: Float64Array.from(cs, (c) => series[c.s]!.label[c.t]!),
    symbol: Int32Array.from(cs, (c) => c.s),
    bar: Int32Array.from(cs, (c) => c.t),
    time: Float64Array.from(cs, (c) => c.time),
  });
  const counts = (cs: Cand[]): number[] => {
    const k = [0, 0, 0];
    for (const c of cs) k[series[c.s]!.label[c.t]!]!++;
    return k;
  };
  const span = (cs: Cand[]): [string, string] => [iso(Math.min(...cs.map((c) => c.time))), iso(Math.max(...cs.map((c) => c.time)))];
  // smallest gap in bars (per symbol) between the last training decision bar and the first validation one
  let minEmbargo = Infinity;
  for (const [a, b] of [[trainC, valC], [valC, testC]] as const) {
    series.forEach((_, s) => {
      const la = Math.max(...a.filter((c) => c.s === s).map((c) => c.t));
      const fb = Math.min(...b.filter((c) => c.s === s).map((c) => c.t));
      if (Number.isFinite(la) && Number.isFinite(fb)) minEmbargo = Math.min(minEmbargo, fb - la);
    });
  }
  return {
    symbols: opts.symbols, timeframe: '1d', steps: T, labels, featureNames: FEATURE_NAMES, lookback: L, series,
    train: mk(trainC), val: mk(valC), test: mk(testC),
    norm: { mean, std, clip: CLIP },
    spans: { train: span(trainC), val: span(valC), test: span(testC), minEmbargoBars: minEmbargo },
    classCounts: { train: counts(trainC), val: counts(valC), test: counts(testC) },
  };
}

/** Normalises one raw feature row with the dataset's training statistics (for live use). */
export function normaliseRow(row: ArrayLike<number>, norm: { mean: number[]; std: number[]; clip: number }): Float64Array {
  return Float64Array.from({ length: norm.mean.length }, (_, j) => Math.max(-norm.clip, Math.min(norm.clip, (row[j]! - norm.mean[j]!) / norm.std[j]!)));
}
