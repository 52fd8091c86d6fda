/**
 * The indicator contract on the TypeScript side (the native one is native/ta/ta.h). One
 * IndicatorSpec per indicator is the single source of truth for the batch op, the
 * streaming form, the CLI (`neurion ta`), the docs table and the tests.
 *
 * Batch semantics: inputs and outputs are [rows x cols] row-major float64 matrices (one
 * series per row); every output has full length; indices before `lookback(params)` are NaN.
 */
export type Group = 'trend' | 'momentum' | 'volatility' | 'volume' | 'statistics' | 'flow';

/** Input series names: OHLCV fields, or `x`/`y` for indicators over any series (default source: close). */
export type SeriesName = 'open' | 'high' | 'low' | 'close' | 'volume' | 'x' | 'y' | 'time';

export interface ParamSpec {
  name: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
  /** The value may not exceed the series length (periods). */
  maxIsLength?: boolean;
  description: string;
  /** Named values of an enumerated parameter (e.g. MA types). */
  choices?: Readonly<Record<number, string>>;
}

/** A bar handed to a streaming indicator: OHLCV fields, plus x/y for generic-series indicators. */
export interface StreamBar {
  open?: number;
  high?: number;
  low?: number;
  close?: number;
  volume?: number;
  time?: number;
  x?: number;
  y?: number;
}

/**
 * Streaming form: O(1) time per update (amortised for rolling extrema; O(log period) for
 * rolling quantiles, where stated) and O(period) memory. `update` returns the first
 * output and leaves every output in `values` (NaN during the warm-up).
 */
export interface IndicatorStream {
  readonly values: Float64Array;
  /** A number is taken as `x` (single-series indicators) or as the close. */
  update(bar: StreamBar | number): number;
}

export interface TalibMapping {
  /** TA-Lib function name, e.g. 'RSI'. */
  name: string;
  /** TA-Lib optional input name for each of our params, in our order (null: no TA-Lib counterpart, must equal `fixed`). */
  params: readonly (string | null)[];
  /** TA-Lib output name for each of our outputs (null: ours only). */
  outputs: readonly (string | null)[];
  /** Extra TA-Lib optional inputs held fixed, e.g. { optInMAType: 0 }. */
  fixed?: Readonly<Record<string, number>>;
  /** Notes on any difference in definition. */
  note?: string;
}

export interface IndicatorSpec {
  name: string;
  group: Group;
  summary: string;
  inputs: readonly SeriesName[];
  outputs: readonly string[];
  params: readonly ParamSpec[];
  /** Index of the first defined output (TA-Lib's lookback where TA-Lib has the indicator). */
  lookback(p: readonly number[]): number;
  /** TypeScript reference over ONE series: inputs[k] and outputs[k] all have length n. */
  reference(inputs: readonly Float64Array[], p: readonly number[], outputs: Float64Array[]): void;
  /** Streaming form giving the same values as the batch kernel. */
  stream(p: readonly number[]): IndicatorStream;
  talib?: TalibMapping;
  /** Formula and the source it follows (docs table). */
  formula: string;
  /** Conformance tolerance vs the reference (default rel 1e-9, abs 1e-12). */
  tolerance?: { rel: number; abs: number };
  /**
   * Per-element error scale of output k, from the reference outputs, for outputs whose
   * rounding error follows larger intermediates than their own value (see compareArrays'
   * `scale`); undefined for outputs compared on their own magnitude.
   */
  errorScale?(outputs: readonly Float64Array[], k: number): Float64Array | undefined;
  /** Reasonable parameter ranges for random tests (default: [min, min(max, 50)]). */
  testRanges?: Readonly<Record<string, readonly [number, number]>>;
}

export const DEFAULT_TOLERANCE = { rel: 1e-9, abs: 1e-12 } as const;

/** Reads a named input from a stream bar (numbers are x / close). */
export function barValue(bar: StreamBar | number, name: SeriesName): number {
  if (typeof bar === 'number') return bar;
  const v = name === 'x' ? bar.x ?? bar.close : bar[name];
  return v === undefined ? NaN : v;
}
