/**
 * The `nn.forward` op: batched inference of a Sequential LSTM / GRU / Dense model over
 * x [batch, timesteps, features] (row-major) -> [batch, units] (or [batch, timesteps, units]
 * when the model's output is a sequence).
 *
 *   js    the float64 reference (./reference.ts)
 *   cpu   float32 weights and activations, float32 FMA accumulation, packed GEMM, threads
 *         over the batch (native/nn/nn_cpu.*). The op packs the weights on every call (the
 *         op is stateless); `compileModel` (./compiled.ts) packs once for repeated calls.
 *   cuda  the same float32 numerics on the GPU (kernels/nn.cu)
 */
import type { NativeAddon } from '../compute/backend.js';
import { compareArrays } from '../compute/compare.js';
import type { OpCase, OpDef, RealSeries } from '../compute/registry.js';
import { checkOutput, expectInteger } from '../compute/validate.js';
import { describeValue } from '../errors.js';
import type { TestRng } from '../util/rng.js';
import { buildModel, MAX_TIMESTEPS, outputShape, randomizeWeights, validateModel, type Activation, type LayerConfig, type Model, type RecurrentLayerActivation } from './layers.js';
import { compileNative, nnAddon } from './native.js';
import { referenceForward } from './reference.js';

export interface NnForwardArgs {
  model: Model;
  /** [batch, timesteps, features] row-major. */
  x: Float64Array | Float32Array;
  batch: number;
  timesteps: number;
  out?: Float64Array;
}

const OP = 'nn.forward';
const F32_MAX = 3.4028234663852886e38;

/** Rejects non-finite features (and float64 values outside the float32 range) naming batch, time, feature. */
export function checkFeatures(op: string, x: ArrayLike<number>, timesteps: number, features: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v) && Math.abs(v) <= F32_MAX) continue;
    const where = `${op}: x at batch ${Math.floor(i / (timesteps * features))}, time ${Math.floor(i / features) % timesteps}, feature ${i % features}`;
    throw new RangeError(Number.isFinite(v) ? `${where} = ${v} is outside the float32 range` : `${where} is not finite (${v})`);
  }
}

/** Output length of a forward call. */
export function forwardOutputLength(model: Model, batch: number, timesteps: number): number {
  const { units, sequence } = outputShape(model);
  return batch * (sequence ? timesteps : 1) * units;
}

export function validateForwardShape(op: string, model: Model, x: unknown, batch: unknown, timesteps: unknown): void {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) throw new TypeError(`${op}: x must be a Float64Array or Float32Array, got ${describeValue(x)}`);
  expectInteger(op, 'batch', batch, 1, 2 ** 30);
  expectInteger(op, 'timesteps', timesteps, 1, MAX_TIMESTEPS);
  if (model.timesteps !== null && timesteps !== model.timesteps) {
    throw new RangeError(`${op}: sequence length mismatch: the model expects ${model.timesteps} timesteps, got ${timesteps}`);
  }
  const n = batch * timesteps * model.features;
  if (x.length !== n) {
    throw new RangeError(`${op}: x must have length ${n} (batch ${batch} * timesteps ${timesteps} * features ${model.features}), got ${x.length}`);
  }
  checkFeatures(op, x, timesteps, model.features);
}

function validate(a: NnForwardArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${OP}: arguments must be an object {model, x, batch, timesteps}, got ${describeValue(a)}`);
  validateModel(OP, a.model, { finite: true });
  validateForwardShape(OP, a.model, a.x, a.batch, a.timesteps);
  checkOutput(OP, a.out, forwardOutputLength(a.model, a.batch, a.timesteps), { x: a.x });
}

// ---------------------------------------------------------------------------------------------
// Conformance cases
// ---------------------------------------------------------------------------------------------

const RA: RecurrentLayerActivation[] = ['sigmoid', 'hard_sigmoid'];
// Bounded activations only in the random conformance models: with relu / linear recurrences the
// state can grow without bound and float32 cancellation errors grow with it (covered by fixed
// cases in tests/models.*.test.ts instead).
const ACT: RecurrentLayerActivation[] = ['tanh', 'tanh', 'sigmoid', 'hard_sigmoid'];
const HEAD: Activation[] = ['linear', 'softmax', 'relu', 'sigmoid', 'tanh'];

function pick<T>(rng: TestRng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)]!;
}

/** A random small model: 1-3 recurrent layers (LSTM/GRU both forms), optional dropout, optional Dense head. */
export function randomSmallModel(rng: TestRng, opts: { features: number; timesteps: number | null; sequenceOut?: boolean }): Model {
  const rnn = rng.int(1, 3);
  const layers: LayerConfig[] = [];
  for (let i = 0; i < rnn; i++) {
    const kind = pick(rng, ['lstm', 'gru', 'gru-after'] as const);
    const last = i === rnn - 1;
    const common = {
      units: rng.int(1, 13), returnSequences: !last || (opts.sequenceOut ?? false),
      activation: pick(rng, ACT), recurrentActivation: pick(rng, RA), useBias: rng.next() < 0.85,
    };
    layers.push(kind === 'lstm' ? { kind: 'lstm', ...common } : { kind: 'gru', resetAfter: kind === 'gru-after', ...common });
    if (rng.next() < 0.3) layers.push({ kind: 'dropout', rate: 0.2 });
  }
  if (rng.next() < 0.8) layers.push({ kind: 'dense', units: rng.int(1, 9), activation: pick(rng, HEAD), useBias: rng.next() < 0.9 });
  const model = buildModel({ timesteps: opts.timesteps, features: opts.features, layers, seed: rng.nextUint32() });
  return randomizeWeights(model, rng.nextUint32(), 0.2 + 0.5 * rng.next());
}

function randomX(rng: TestRng, n: number, scale = 1): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = scale * rng.normal();
  return x;
}

/** Features of a real series: log return, (high - low) / close, log volume change (0 if no volume). */
function realFeatures(s: RealSeries, timesteps: number, batch: number): Float64Array | null {
  const n = s.close.length;
  if (n < timesteps * batch + 2) return null;
  const x = new Float64Array(batch * timesteps * 3);
  const stride = Math.floor((n - 1 - timesteps) / batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < timesteps; t++) {
      const i = 1 + b * stride + t;
      const o = (b * timesteps + t) * 3;
      x[o] = 100 * Math.log(s.close[i]! / s.close[i - 1]!);
      x[o + 1] = (100 * (s.high[i]! - s.low[i]!)) / s.close[i]!;
      const v0 = s.volume[i - 1]!, v1 = s.volume[i]!;
      x[o + 2] = v0 > 0 && v1 > 0 ? Math.log(v1 / v0) : 0;
    }
  }
  return x;
}

export const nnForwardOp: OpDef<NnForwardArgs, Float64Array> = {
  name: OP,
  summary: 'recurrent-network inference (Sequential LSTM / GRU / Dense, Keras semantics) over [batch x timesteps x features]',
  validate,
  reference: (a) => referenceForward(a.model, a.x, a.batch, a.timesteps, a.out),
  native: (addon: NativeAddon, a, threads) => {
    const handle = compileNative(addon, a.model);
    return nnAddon(addon).nnForward(handle, a.x, a.batch, a.timesteps, a.out, threads) as Float64Array;
  },
  rows: {
    count: (a) => a.batch,
    slice: (a, from, to) => {
      const w = a.timesteps * a.model.features;
      const o = forwardOutputLength(a.model, 1, a.timesteps);
      return { model: a.model, x: a.x.subarray(from * w, to * w), batch: to - from, timesteps: a.timesteps, out: a.out.subarray(from * o, to * o) };
    },
    allocate: (a, shared) => {
      const n = forwardOutputLength(a.model, a.batch, a.timesteps);
      return shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
    },
  },
  conformance: {
    // float32 weights, inputs, activations (Cephes exp/tanh, <= 3e-7 abs) and float32 FMA
    // accumulation against the float64 reference: observed max |diff| / (1 + |ref|) = 3.3e-7
    // over 300 random bounded-activation models (T <= 40, inputs up to |x| ~ 100): 60x margin.
    tolerance: 'abs 2e-5 + rel 2e-5 (float32 native vs float64 reference)',
    randomCases(rng) {
      const cases: OpCase<NnForwardArgs>[] = [];
      for (let i = 0; i < 10; i++) {
        const features = rng.int(1, 7);
        const timesteps = rng.int(1, 12);
        const batch = rng.int(1, 9);
        const sequenceOut = i % 4 === 3;
        const model = randomSmallModel(rng, { features, timesteps: i % 3 === 0 ? null : timesteps, sequenceOut });
        const desc = model.layers.map((l) => (l.kind === 'dropout' ? 'dropout' : l.kind === 'gru' ? `gru${l.resetAfter ? '(reset_after)' : ''}(${l.units})` : `${l.kind}(${l.units})`)).join('>');
        cases.push({ label: `random ${desc}, batch ${batch}, T ${timesteps}, F ${features}`, args: { model, x: randomX(rng, batch * timesteps * features), batch, timesteps } });
      }
      // Shapes that cross the GEMM's 4-row blocks and 8-column panels, and a 33-sequence batch
      // (a 32-sequence block plus one).
      for (const [kind, units, batch] of [['lstm', 16, 33], ['gru', 9, 6], ['gru-after', 24, 5]] as const) {
        const model = randomizeWeights(buildModel({
          timesteps: 7, features: 5,
          layers: [
            kind === 'lstm' ? { kind: 'lstm', units, returnSequences: true } : { kind: 'gru', units, returnSequences: true, resetAfter: kind === 'gru-after' },
            { kind: 'lstm', units: 8 }, { kind: 'dense', units: 3, activation: 'softmax' },
          ],
        }), rng.nextUint32(), 0.3);
        cases.push({ label: `${kind}(${units})>lstm(8)>dense(3, softmax), batch ${batch}`, args: { model, x: randomX(rng, batch * 7 * 5), batch, timesteps: 7 } });
      }
      // Large inputs: saturated gates.
      const sat = randomSmallModel(rng, { features: 4, timesteps: 6 });
      cases.push({ label: 'saturating inputs (|x| ~ 30)', args: { model: sat, x: randomX(rng, 3 * 6 * 4, 30), batch: 3, timesteps: 6 } });
      return cases;
    },
    realCases(series) {
      const model = randomizeWeights(buildModel({
        timesteps: 20, features: 3,
        layers: [{ kind: 'lstm', units: 8, returnSequences: true }, { kind: 'gru', units: 6, resetAfter: true }, { kind: 'dense', units: 3, activation: 'softmax' }],
      }), 42, 0.3);
      const cases: OpCase<NnForwardArgs>[] = [];
      for (const s of series.slice(0, 6)) {
        const x = realFeatures(s, 20, 8);
        if (x) cases.push({ label: `${s.label} windows (log return, range, volume change)`, args: { model, x, batch: 8, timesteps: 20 } });
      }
      return cases;
    },
    compare: (e, a) => compareArrays(e, a, { rel: 2e-5, abs: 2e-5 }),
    badCases: () => {
      const model = randomizeWeights(buildModel({ timesteps: 4, features: 3, layers: [{ kind: 'lstm', units: 5 }, { kind: 'dense', units: 2 }] }), 3);
      const x = new Float64Array(2 * 4 * 3).fill(0.5);
      const nanX = x.slice();
      nanX[1 * 12 + 2 * 3 + 1] = NaN;
      const infX = x.slice();
      infX[5] = -Infinity;
      const bigX = x.slice();
      bigX[0] = 1e39;
      const badWeights = { ...model, layers: [{ ...model.layers[0]!, kernel: new Float32Array(7) }, model.layers[1]!] };
      const nanWeight = (() => {
        const l = model.layers[0]! as { recurrentKernel: Float32Array };
        const rk = l.recurrentKernel.slice();
        rk[3] = NaN;
        return { ...model, layers: [{ ...model.layers[0]!, recurrentKernel: rk }, model.layers[1]!] };
      })();
      const conv = { ...model, layers: [{ kind: 'conv1d', name: 'c' }, model.layers[1]!] };
      return [
        { label: 'NaN feature', args: { model, x: nanX, batch: 2, timesteps: 4 }, error: RangeError, match: /nn\.forward: x at batch 1, time 2, feature 1 is not finite \(NaN\)/ },
        { label: '-Infinity feature', args: { model, x: infX, batch: 2, timesteps: 4 }, error: RangeError, match: /x at batch 0, time 1, feature 2 is not finite/ },
        { label: 'feature beyond float32', args: { model, x: bigX, batch: 2, timesteps: 4 }, error: RangeError, match: /x at batch 0, time 0, feature 0 = 1e\+39 is outside the float32 range/ },
        { label: 'sequence length mismatch', args: { model, x: x.subarray(0, 18), batch: 2, timesteps: 3 }, error: RangeError, match: /sequence length mismatch: the model expects 4 timesteps, got 3/ },
        { label: 'wrong feature count', args: { model, x: new Float64Array(2 * 4 * 4), batch: 2, timesteps: 4 }, error: RangeError, match: /x must have length 24 \(batch 2 \* timesteps 4 \* features 3\), got 32/ },
        { label: 'x is a plain array', args: { model, x: Array.from(x), batch: 2, timesteps: 4 }, error: TypeError, match: /x must be a Float64Array or Float32Array, got Array/ },
        { label: 'batch 0', args: { model, x, batch: 0, timesteps: 4 }, error: RangeError, match: /batch must be an integer in \[1, / },
        { label: 'model missing', args: { x, batch: 2, timesteps: 4 }, error: TypeError, match: /nn\.forward: model must be a Model object, got undefined/ },
        { label: 'wrong kernel shape', args: { model: badWeights, x, batch: 2, timesteps: 4 }, error: RangeError, match: /layer 0 \(lstm_1\): kernel must have 60 values \(shape \[3, 20\]\), got 7/ },
        { label: 'NaN weight', args: { model: nanWeight, x, batch: 2, timesteps: 4 }, error: RangeError, match: /layer 0 \(lstm_1\): weight recurrent_kernel index 3 is not finite/ },
        { label: 'unsupported layer kind', args: { model: conv, x, batch: 2, timesteps: 4 }, error: RangeError, match: /unsupported layer kind "conv1d"/ },
        { label: 'out wrong length', args: { model, x, batch: 2, timesteps: 4, out: new Float64Array(3) }, error: RangeError, match: /out must have length 4/ },
      ];
    },
  },
};

export const NN_OPS = [nnForwardOp] as const;
