/**
 * All indicators, in one list (the TypeScript twin of native/ta/list.h; a test checks the
 * two agree on names, inputs, outputs and parameter ranges).
 */
import { describeValue } from '../errors.js';
import type { IndicatorSpec } from './spec.js';
import { MA_INDICATORS } from './indicators/ma.js';
import { TREND_INDICATORS } from './indicators/trend.js';
import { MOMENTUM_INDICATORS } from './indicators/momentum.js';
import { VOLATILITY_INDICATORS } from './indicators/volatility.js';
import { VOLUME_INDICATORS } from './indicators/volume.js';
import { STATISTICS_INDICATORS } from './indicators/statistics.js';
import { FLOW_INDICATORS } from './indicators/flow.js';

export const INDICATORS: readonly IndicatorSpec[] = [
  ...MA_INDICATORS,
  ...TREND_INDICATORS,
  ...MOMENTUM_INDICATORS,
  ...VOLATILITY_INDICATORS,
  ...VOLUME_INDICATORS,
  ...STATISTICS_INDICATORS,
  ...FLOW_INDICATORS,
];

// Case-insensitive lookup (names are camelCase, e.g. sessionVwap; the CLI may get any case).
const byName = new Map(INDICATORS.map((s) => [s.name.toLowerCase(), s]));

export function getIndicator(name: unknown): IndicatorSpec {
  if (typeof name !== 'string') throw new TypeError(`indicator name must be a string, got ${describeValue(name)}`);
  const s = byName.get(name.toLowerCase());
  if (!s) throw new RangeError(`unknown indicator ${JSON.stringify(name)} (neurion ta --list shows all ${INDICATORS.length})`);
  return s;
}

/**
 * Parameters in spec order from a partial {name: value} record (defaults fill the rest).
 * Unknown names and out-of-range values throw, naming the parameter and the value.
 * `length` (the series length) caps periods; omit it to check only the static range.
 */
export function resolveParams(spec: IndicatorSpec, given: Readonly<Record<string, unknown>> = {}, length?: number): number[] {
  if (typeof given !== 'object' || given === null) throw new TypeError(`${spec.name}: params must be an object, got ${describeValue(given)}`);
  for (const k of Object.keys(given)) {
    if (given[k] !== undefined && !spec.params.some((p) => p.name === k)) {
      const known = spec.params.map((p) => p.name).join(', ') || 'none';
      throw new RangeError(`${spec.name}: unknown parameter ${JSON.stringify(k)} (known: ${known})`);
    }
  }
  const values = spec.params.map((p) => (given[p.name] === undefined ? p.default : given[p.name]));
  checkParams(spec, values, length);
  return values as number[];
}

/** Validates parameter values in spec order (the same rule and message as the native binding). */
export function checkParams(spec: IndicatorSpec, values: readonly unknown[], length?: number): void {
  if (values.length !== spec.params.length) {
    throw new RangeError(`ta(${spec.name}): params must have length ${spec.params.length} (one per parameter), got ${values.length}`);
  }
  spec.params.forEach((p, k) => {
    const v = values[k];
    if (typeof v !== 'number') throw new TypeError(`ta(${spec.name}): ${p.name} must be a number, got ${describeValue(v)}`);
    const capped = p.maxIsLength && length !== undefined && length < p.max;
    const hi = capped ? length : p.max;
    if (!(v >= p.min && v <= hi) || (p.integer && !Number.isInteger(v)) || (p.choices && !(v in p.choices))) {
      const kind = p.integer ? 'an integer' : 'a number';
      const choices = p.choices ? ` (one of ${Object.entries(p.choices).map(([c, n]) => `${c}=${n}`).join(', ')})` : '';
      throw new RangeError(`ta(${spec.name}): ${p.name} must be ${kind} in [${p.min}, ${hi}]${capped ? ' (the series length)' : ''}${choices}, got ${fmt(v)}`);
    }
  });
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}
