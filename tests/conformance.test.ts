// The conformance suite: every registered op, on every available backend, against the
// TypeScript reference — on random inputs (a fresh seed per run, printed on failure; set
// NEURION_TEST_SEED to replay) and on every bundled real series. Like ggml's
// test-backend-ops: outputs are poisoned before each run (every element must be written),
// guard cells after the output must stay untouched (no out-of-bounds writes), and NaN/Inf
// count as failures unless the reference has them at the same place. On the GPU machine the
// cuda backend joins automatically.
import { describe, expect, it } from 'vitest';
import { OPS, availableBackends, runOp, type AnyOpDef, type BackendName } from '../src/compute/index.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { realSeries } from './helpers/real-series.js';

const POISON = 1.2345678e300;
const GUARD = 16;

/** Runs op on backend writing into a poisoned, guarded output when the op takes `out`. */
function runGuarded(op: AnyOpDef, args: Record<string, unknown>, backend: BackendName, like: unknown): { result: unknown; guardsIntact: boolean } {
  if (!ArrayBuffer.isView(like)) return { result: runOp(op, args, { backend }), guardsIntact: true };
  const Ctor = (like as Float64Array).constructor as Float64ArrayConstructor;
  const n = (like as Float64Array).length;
  const buf = new Ctor(n + GUARD);
  buf.fill(Ctor === Float64Array ? POISON : 0xdeadbeef);
  const out = buf.subarray(0, n);
  const result = runOp(op, { ...args, out }, { backend });
  const guardsIntact = buf.subarray(n).every((v) => v === (Ctor === Float64Array ? POISON : 0xdeadbeef));
  return { result, guardsIntact };
}

function check(op: AnyOpDef, backend: BackendName, label: string, args: Record<string, unknown>, seed?: number): void {
  op.validate(args);
  const expected = op.reference(args);
  const { result, guardsIntact } = runGuarded(op, args, backend, expected);
  const replay = seed === undefined ? '' : ` [seed ${seed}; replay with NEURION_TEST_SEED=${seed}]`;
  expect(guardsIntact, `${op.name}/${backend} ${label}: wrote past the end of out${replay}`).toBe(true);
  const cmp = op.conformance.compare(expected, result);
  expect(cmp.ok, `${op.name}/${backend} ${label}: ${cmp.detail}; tolerance ${op.conformance.tolerance}${replay}`).toBe(true);
}

const backends = availableBackends();
const seed = freshSeed();

describe.each(OPS.map((op) => [op.name, op] as const))('op %s', (_name, op) => {
  describe.each(backends)('backend %s', (backend) => {
    it('matches the reference on random inputs', () => {
      const rng = new TestRng(seed);
      for (const c of op.conformance.randomCases(rng)) check(op, backend, c.label, c.args, seed);
    });

    it('matches the reference on every bundled real series', () => {
      const cases = op.conformance.realCases(realSeries());
      for (const c of cases) check(op, backend, c.label, c.args);
    });

    it.each(op.conformance.badCases().map((b) => [b.label, b] as const))('rejects bad input: %s', (_l, bad) => {
      const call = (): unknown => runOp(op, bad.args as object, { backend });
      expect(call).toThrow(bad.error);
      expect(call).toThrow(bad.match);
    });
  });
});

it('conformance covers js and cpu here (cuda joins where a device is present)', () => {
  expect(backends).toContain('js');
  if (process.env.NEURION_REQUIRE_CPU !== '0') expect(backends).toContain('cpu');
  console.info(`conformance backends: ${backends.join(', ')}; random seed ${seed}`);
});
