/**
 * Technical indicators: batch over [symbols x bars] matrices on any backend, and streaming
 * for live use.
 *
 *   computeIndicator('rsi', { close }, { period: 14 })            -> { rsi: Float64Array }
 *   computeIndicator('macd', { x: m }, {}, { rows: 2000, cols: 5000 })   (matrix, row-major)
 *   const s = createIndicator('atr', { period: 14 }); s.update({ high, low, close })
 *   lookback('rsi', { period: 14 })                                -> 14
 */
import { runOp, type RunOptions } from '../compute/run.js';
import { describeValue } from '../errors.js';
import { getIndicator, INDICATORS, resolveParams } from './registry.js';
import { TA_OPS } from './ops.js';
import type { IndicatorSpec, IndicatorStream, SeriesName } from './spec.js';

export type { IndicatorSpec, IndicatorStream, StreamBar, ParamSpec, SeriesName, Group } from './spec.js';
export { INDICATORS, getIndicator, resolveParams } from './registry.js';
export { indicatorOp, TA_OPS, type TaArgs } from './ops.js';
export * from './features.js';

export type SeriesInput = Partial<Record<SeriesName, Float64Array>>;

export interface ComputeOptions extends RunOptions {
  /** Matrix shape when the inputs hold several series (default: one row of the full length). */
  rows?: number;
  cols?: number;
  /** Caller-provided outputs, one per output name (written in place). */
  out?: Partial<Record<string, Float64Array>>;
}

/** Resolves an indicator's input arrays from named series; `x` falls back to `close`. */
function pickInputs(spec: IndicatorSpec, data: SeriesInput): Float64Array[] {
  if (typeof data !== 'object' || data === null) throw new TypeError(`${spec.name}: data must be an object of Float64Array series, got ${describeValue(data)}`);
  return spec.inputs.map((name) => {
    const v = data[name] ?? (name === 'x' ? data.close : undefined);
    if (v === undefined) {
      throw new TypeError(`${spec.name}: input ${name} is required (needs ${spec.inputs.join(', ')}; got ${Object.keys(data).join(', ') || 'none'})`);
    }
    return v;
  });
}

/** Batch computation; returns one full-length Float64Array per output, NaN in the warm-up. */
export function computeIndicator(
  name: string,
  data: SeriesInput,
  params: Readonly<Record<string, unknown>> = {},
  opts: ComputeOptions = {},
): Record<string, Float64Array> {
  const spec = getIndicator(name);
  const inputs = pickInputs(spec, data);
  const length = inputs[0] instanceof Float64Array ? inputs[0].length : 0;
  const rows = opts.rows ?? 1;
  const cols = opts.cols ?? (rows > 0 ? Math.floor(length / rows) : 0);
  const p = resolveParams(spec, params, cols);
  const outputs = opts.out ? spec.outputs.map((o) => {
    const a = opts.out![o];
    if (!a) throw new TypeError(`${spec.name}: out.${o} is required when out is given`);
    return a;
  }) : undefined;
  const op = TA_OPS[INDICATORS.indexOf(spec)]!;
  const result = runOp(op, { inputs, rows, cols, params: p, outputs }, opts);
  return Object.fromEntries(spec.outputs.map((o, k) => [o, result[k]!]));
}

/** The first defined index for these parameters (warm-up length). */
export function lookback(name: string, params: Readonly<Record<string, unknown>> = {}): number {
  const spec = getIndicator(name);
  return spec.lookback(resolveParams(spec, params));
}

/** A streaming indicator: `update(bar)` in O(1), same values as the batch kernel. */
export function createIndicator(name: string, params: Readonly<Record<string, unknown>> = {}): IndicatorStream & { name: string; outputs: readonly string[] } {
  const spec = getIndicator(name);
  const s = spec.stream(resolveParams(spec, params));
  return Object.assign(s, { name: spec.name, outputs: spec.outputs });
}

/** Every indicator with its inputs, outputs and parameters (for `neurion ta --list` and docs). */
export function listIndicators(): Array<Pick<IndicatorSpec, 'name' | 'group' | 'summary' | 'inputs' | 'outputs' | 'params' | 'formula'> & { talib?: string; lookbackDefault: number }> {
  return INDICATORS.map((s) => ({
    name: s.name,
    group: s.group,
    summary: s.summary,
    inputs: s.inputs,
    outputs: s.outputs,
    params: s.params,
    formula: s.formula,
    talib: s.talib?.name,
    lookbackDefault: s.lookback(s.params.map((p) => p.default)),
  }));
}
