// Every indicator TA-Lib has, against TA-Lib itself (npm `talib`, the C library): relative
// error <= 1e-9 over TA-Lib's output range, on every bundled real series and on random
// series, on every available backend; and our lookback equals TA-Lib's first output index.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import { computeIndicator, INDICATORS } from '../src/ta/index.js';
import { randomOhlcv, randomParams } from '../src/ta/ops.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { runTalib } from './helpers/talib.js';
import { realSeries } from './helpers/real-series.js';

const REL = 1e-9;
const withTalib = INDICATORS.filter((s) => s.talib);
const backends = availableBackends();
const seed = freshSeed();

function compareRange(label: string, ours: Float64Array, theirs: Float64Array, from: number): void {
  let worst = 0, at = -1;
  for (let i = from; i < theirs.length; i++) {
    const t = theirs[i]!, o = ours[i]!;
    if (Number.isNaN(t) && Number.isNaN(o)) continue;
    const err = Math.abs(o - t) / Math.max(Math.abs(t), 1e-300);
    const abs = Math.abs(o - t);
    if (!(abs <= 1e-12 || err <= REL) && (at < 0 || err > worst)) { worst = err; at = i; }
  }
  expect(at, `${label}: index ${at}: ours ${ours[at]}, TA-Lib ${theirs[at]} (rel ${worst.toExponential(2)})`).toBe(-1);
}

function check(spec: (typeof withTalib)[number], label: string, inputs: Record<string, Float64Array>, params: number[], backend: (typeof backends)[number]): void {
  const ins = spec.inputs.map((n) => (n === 'x' ? inputs.close! : inputs[n]!));
  const tl = runTalib(spec, ins, params);
  const named = Object.fromEntries(spec.params.map((p, k) => [p.name, params[k]]));
  const ours = computeIndicator(spec.name, Object.fromEntries(spec.inputs.map((n, k) => [n, ins[k]!])), named, { backend });
  if (tl.begIndex < ins[0]!.length) expect(spec.lookback(params), `${label}: lookback vs TA-Lib begIndex`).toBe(tl.begIndex);
  spec.outputs.forEach((o, k) => {
    const theirs = tl.outputs[k];
    if (theirs) compareRange(`${spec.name}.${o} ${label} [${backend}]`, ours[o]!, theirs, tl.begIndex);
  });
}

describe.each(withTalib.map((s) => [s.name, s] as const))('%s vs TA-Lib', (_n, spec) => {
  it.each(backends)('matches on every bundled real series (%s)', (backend) => {
    const def = spec.params.map((p) => p.default);
    for (const s of realSeries()) {
      if (s.close.length <= spec.lookback(def) + 1) continue;
      check(spec, s.label, { open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume, y: s.open }, def, backend);
    }
  });

  it.each(backends)('matches on random series and parameters (%s)', (backend) => {
    const rng = new TestRng(seed);
    for (let t = 0; t < 8; t++) {
      const n = rng.int(30, 600);
      const data = randomOhlcv(rng, n);
      const params = randomParams(spec, rng, n);
      try {
        check(spec, `random n=${n} params=${params.join(',')}`, data, params, backend);
      } catch (e) {
        throw new Error(`${(e as Error).message} [seed ${seed}; replay with NEURION_TEST_SEED=${seed}]`);
      }
    }
  });
});
