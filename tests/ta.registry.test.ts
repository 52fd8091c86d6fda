// The TypeScript indicator specs and the native tables (cpu, and cuda where present) agree
// on names, inputs, outputs and parameter ranges, so validation is the same everywhere.
import { describe, expect, it } from 'vitest';
import { backendStatus } from '../src/compute/backend.js';
import { computeIndicator, createIndicator, INDICATORS, lookback } from '../src/ta/index.js';

const natives = backendStatus().filter((s) => s.addon && s.name !== 'js');

describe.each(natives.map((n) => [n.name, n.addon!] as const))('%s indicator table', (_b, addon) => {
  it('lists exactly the TypeScript indicators with the same signature', () => {
    const table = addon.taList();
    expect(table.map((t) => t.name).sort()).toEqual(INDICATORS.map((s) => s.name).sort());
    for (const spec of INDICATORS) {
      const t = table.find((x) => x.name === spec.name)!;
      expect(t.inputs, spec.name).toEqual([...spec.inputs]);
      expect(t.outputs, spec.name).toEqual([...spec.outputs]);
      expect(t.params.map((p) => [p.name, p.default, p.min, p.max, p.integer, p.maxIsLength]), spec.name).toEqual(
        spec.params.map((p) => [p.name, p.default, p.min, p.max, p.integer, Boolean(p.maxIsLength)]),
      );
      const def = Float64Array.from(spec.params.map((p) => p.default));
      expect(addon.taLookback(spec.name, def), `${spec.name} lookback`).toBe(spec.lookback(Array.from(def)));
    }
  });
});

describe('indicator API errors', () => {
  const close = new Float64Array(50).map((_, i) => 100 + i);
  it('names unknown indicators and parameters', () => {
    expect(() => computeIndicator('nope', { close })).toThrow(/unknown indicator "nope"/);
    expect(() => computeIndicator('sma', { close }, { perod: 3 })).toThrow(/unknown parameter "perod" \(known: period\)/);
    expect(() => createIndicator('ema', { period: -2 })).toThrow(RangeError);
    expect(() => lookback('sma', { period: 'x' })).toThrow(TypeError);
  });
  it('rejects periods beyond the series and missing inputs', () => {
    expect(() => computeIndicator('sma', { close }, { period: 51 })).toThrow(/period must be an integer in \[1, 50\] \(the series length\), got 51/);
    expect(() => computeIndicator('sma', {}, { period: 5 })).toThrow(/input x is required/);
  });
});
