// Native entry points validate before touching memory: any bad call throws a TypeError or
// RangeError naming the argument; none may crash the process. Calls the addon directly,
// bypassing the TypeScript validation, including a randomised argument fuzz.
import { describe, expect, it } from 'vitest';
import { backendStatus, type NativeAddon } from '../src/compute/backend.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

const natives = backendStatus().filter((s) => s.name !== 'js' && s.addon) as Array<{ name: string; addon: NativeAddon }>;
const skip = natives.length === 0;
if (skip) console.warn('native-guard: no native addon loaded; skipping (run npm run build)');

describe.skipIf(skip).each(natives.map((n) => [n.name, n.addon] as const))('%s addon argument validation', (_name, addon) => {
  const x = new Float64Array(12);
  const cases: Array<[string, () => unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['sma without arguments', () => (addon.sma as Function)(), TypeError, /sma: x must be a Float64Array, got undefined/],
    ['sma with a plain array', () => (addon.sma as Function)([1, 2, 3], 1, 3, 2), TypeError, /x must be a Float64Array, got Array/],
    ['sma rows as string', () => (addon.sma as Function)(x, '1', 12, 2), TypeError, /rows must be a number/],
    ['sma rows * cols too large', () => addon.sma(x, 2, 12, 2), RangeError, /x must have length 24/],
    ['sma rows * cols too small', () => addon.sma(x, 1, 6, 2), RangeError, /x must have length 6/],
    ['sma period 0', () => addon.sma(x, 1, 12, 0), RangeError, /period must be an integer in \[1, 12\], got 0/],
    ['sma period NaN', () => addon.sma(x, 1, 12, NaN), RangeError, /period/],
    ['sma period Infinity', () => addon.sma(x, 1, 12, Infinity), RangeError, /period/],
    ['sma period fractional', () => addon.sma(x, 1, 12, 1.5), RangeError, /period/],
    ['sma huge rows', () => addon.sma(x, 2 ** 41, 12, 2), RangeError, /rows/],
    ['sma out too short', () => addon.sma(x, 1, 12, 2, new Float64Array(11)), RangeError, /out must have length 12/],
    ['sma out aliases x', () => addon.sma(x, 1, 12, 2, x), RangeError, /out must not share memory with x/],
    ['sma out overlaps x', () => addon.sma(x.subarray(0, 6), 1, 6, 2, x.subarray(3, 9)), RangeError, /share memory/],
    ['sma out wrong type', () => (addon.sma as Function)(x, 1, 12, 2, new Float32Array(12)), TypeError, /out must be a Float64Array/],
    ['sma threads 0', () => addon.sma(x, 1, 12, 2, undefined, 0), RangeError, /threads/],
    ['philox4x32 short key', () => addon.philox4x32(new Uint32Array(1), new Uint32Array(4), 1), RangeError, /key must have length 2/],
    ['philox4x32 counter type', () => (addon.philox4x32 as Function)(new Uint32Array(2), [0, 0, 0, 0], 1), TypeError, /counter must be a Uint32Array/],
    ['philox4x32 negative blocks', () => addon.philox4x32(new Uint32Array(2), new Uint32Array(4), -3), RangeError, /blocks/],
    ['philox4x32 out short', () => addon.philox4x32(new Uint32Array(2), new Uint32Array(4), 2, new Uint32Array(7)), RangeError, /out must have length 8/],
    ['philoxNormal stream too big', () => addon.philoxNormal(new Uint32Array(2), 2 ** 32, 0, 1, 1), RangeError, /stream/],
    ['philoxNormal too many draws', () => addon.philoxNormal(new Uint32Array(2), 0, 0, 2 ** 36, 2 ** 10), RangeError, /paths \* steps/],
    ['philoxNormal out short', () => addon.philoxNormal(new Uint32Array(2), 0, 0, 3, 3, new Float64Array(8)), RangeError, /out must have length 9/],
  ];
  it.each(cases)('%s', (_label, call, errorClass, match) => {
    expect(call).toThrow(errorClass);
    expect(call).toThrow(match);
  });

  it('survives a randomised argument fuzz (every call throws cleanly or returns)', () => {
    const seed = freshSeed();
    const rng = new TestRng(seed);
    const values = (): unknown[] => [
      undefined, null, 0, -1, 1, 2, 3, 7, 2 ** 31, 2 ** 53, -(2 ** 53), NaN, Infinity, 0.5, '3', {}, [], [1, 2],
      new Float64Array(0), new Float64Array(rng.int(1, 64)), new Float32Array(8), new Uint32Array(rng.int(0, 8)),
      new Float64Array(new SharedArrayBuffer(64)), new Uint32Array(2), new Uint32Array(4), 10n,
    ];
    const fns = [addon.sma, addon.philox4x32, addon.philoxNormal] as Function[];
    let threw = 0, returned = 0;
    try {
      for (let i = 0; i < 3000; i++) {
        const pool = values();
        const argv = Array.from({ length: rng.int(0, 7) }, () => pool[rng.int(0, pool.length - 1)]);
        try {
          fns[rng.int(0, fns.length - 1)]!(...argv);
          returned++;
        } catch (e) {
          expect(e instanceof TypeError || e instanceof RangeError, `unexpected ${String(e)}`).toBe(true);
          threw++;
        }
      }
    } catch (e) {
      throw new Error(`fuzz failed with seed ${seed} (rerun with NEURION_TEST_SEED=${seed}): ${String(e)}`);
    }
    expect(threw + returned).toBe(3000);
    expect(threw).toBeGreaterThan(2000);
  });
});
