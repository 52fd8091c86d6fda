/**
 * Compiled models and streaming sessions: the live-signal path.
 *
 *   const net = compileModel(model);                 // packs the weights once (native)
 *   const y = net.predict(x, batch, timesteps);       // batched windows
 *   const s = createSession(model);                  // one per symbol
 *   s.step(features)                                 // O(1) per bar: updates h (and c), returns the output
 *   s.reset()                                        // zero state
 *
 * A session's output after steps x_0 .. x_t equals the model's output on the window
 * [x_0 .. x_t] (tests/models.session.test.ts): bit for bit between the native session and
 * the native forward, within float32 rounding against the float64 reference.
 *
 * Both snapshot the model's weights when created (later in-place updates, e.g. by training,
 * need a new compileModel / createSession).
 *
 * Backends: sessions run on `cpu` (the addon, persistent state handle; ~us per step) or `js`
 * (a tight float64 TypeScript step with preallocated buffers); `auto` picks cpu when the addon
 * is built. A `cuda` request runs sessions on the CPU addon: one bar of one symbol is far too
 * little work to pay a GPU round trip. compileModel's predict runs on any backend.
 */
import { availableBackends, defaultBackendRequest, nativeAddon, resolveBackend, type BackendName } from '../compute/backend.js';
import { defaultThreads } from '../compute/run.js';
import { checkOutput, expectInteger } from '../compute/validate.js';
import { describeValue } from '../errors.js';
import { cloneModel, outputShape, validateModel, type Activation, type Model } from './layers.js';
import { nnAddon, compileNative, type NativeModelHandle, type NativeSessionHandle, type NnAddon } from './native.js';
import { forwardOutputLength, validateForwardShape } from './op.js';
import { referenceForward } from './reference.js';

export interface ModelRunOptions {
  /** 'auto' (default: NEURION_BACKEND, else cuda > cpu > js) or a backend name. */
  backend?: BackendName | 'auto';
}

export interface PredictOptions {
  /** Native threads over the batch; default grows with the work. */
  threads?: number;
  /** Output buffer (Float64Array, or Float32Array on native backends). */
  out?: Float64Array | Float32Array;
}

export interface Session {
  readonly backend: 'cpu' | 'js';
  readonly features: number;
  readonly outputUnits: number;
  /** Steps since creation or the last reset. */
  readonly steps: number;
  /**
   * Feeds one bar of features; returns the model output for the window ending here. Pass
   * `out` to avoid an allocation per call. Non-finite features throw a RangeError naming the
   * feature index, before the state changes.
   */
  step(features: Float32Array | Float64Array | readonly number[], out?: Float64Array | Float32Array): Float64Array | Float32Array;
  reset(): void;
}

const F32_MAX = 3.4028234663852886e38;

function checkStepFeatures(features: unknown, n: number): void {
  const ok = features instanceof Float64Array || features instanceof Float32Array || Array.isArray(features);
  if (!ok) throw new TypeError(`nn.step: features must be a Float32Array, Float64Array or number[], got ${describeValue(features)}`);
  const f = features as ArrayLike<number>;
  if (f.length !== n) throw new RangeError(`nn.step: features must have length ${n} (the model's feature count), got ${f.length}`);
  for (let i = 0; i < n; i++) {
    const v = f[i];
    if (typeof v !== 'number') throw new TypeError(`nn.step: features[${i}] must be a number, got ${describeValue(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`nn.step: features[${i}] is not finite (${v})`);
    if (Math.abs(v) > F32_MAX) throw new RangeError(`nn.step: features[${i}] = ${v} is outside the float32 range`);
  }
}

function checkStepOut(out: unknown, units: number): void {
  if (out === undefined) return;
  if (!(out instanceof Float64Array) && !(out instanceof Float32Array)) throw new TypeError(`nn.step: out must be a Float64Array or Float32Array, got ${describeValue(out)}`);
  if (out.length !== units) throw new RangeError(`nn.step: out must have length ${units} (the model's output units), got ${out.length}`);
}

// ---------------------------------------------------------------------------------------------
// js session: the reference gate math with preallocated float64 buffers and no allocation per step
// ---------------------------------------------------------------------------------------------

type Act = (x: number) => number;
const ACT_FN: Record<Exclude<Activation, 'softmax'>, Act> = {
  linear: (x) => x,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  hard_sigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  relu: (x) => (x > 0 ? x : 0),
};

interface JsLayer {
  run(x: Float64Array): Float64Array;
  reset(): void;
  /** Recurrent with returnSequences false: later layers see only a window's last step (every step of a stream). */
}

/** z[j] = bias[j] + x W[:, col0 + j] for j < n (W row-major [x.length, ld]). */
function gemv(z: Float64Array, n: number, x: Float64Array, W: Float32Array, ld: number, col0: number, bias: Float32Array | null, bOff: number): void {
  for (let j = 0; j < n; j++) z[j] = bias ? bias[bOff + col0 + j]! : 0;
  for (let k = 0; k < x.length; k++) {
    const xk = x[k]!;
    if (xk === 0) continue;
    const row = k * ld + col0;
    for (let j = 0; j < n; j++) z[j]! += xk * W[row + j]!;
  }
}

function jsLayers(model: Model): JsLayer[] {
  const out: JsLayer[] = [];
  for (const l of model.layers) {
    if (l.kind === 'dropout') continue;
    if (l.kind === 'dense') {
      const y = new Float64Array(l.units);
      const f = l.activation === 'softmax' ? null : ACT_FN[l.activation];
      out.push({
        run(x) {
          gemv(y, l.units, x, l.kernel, l.units, 0, l.bias, 0);
          if (f) for (let j = 0; j < y.length; j++) y[j] = f(y[j]!);
          else {
            let m = -Infinity, s = 0;
            for (let j = 0; j < y.length; j++) m = Math.max(m, y[j]!);
            for (let j = 0; j < y.length; j++) { y[j] = Math.exp(y[j]! - m); s += y[j]!; }
            for (let j = 0; j < y.length; j++) y[j]! /= s;
          }
          return y;
        },
        reset() {},
      });
      continue;
    }
    const u = l.units, ra = ACT_FN[l.recurrentActivation], act = ACT_FN[l.activation];
    const h = new Float64Array(u);
    if (l.kind === 'lstm') {
      const c = new Float64Array(u), gx = new Float64Array(4 * u), gh = new Float64Array(4 * u);
      out.push({
        run(x) {
          gemv(gx, 4 * u, x, l.kernel, 4 * u, 0, l.bias, 0);
          gemv(gh, 4 * u, h, l.recurrentKernel, 4 * u, 0, null, 0);
          for (let j = 0; j < u; j++) {
            const i = ra(gx[j]! + gh[j]!), f = ra(gx[u + j]! + gh[u + j]!);
            const cc = act(gx[2 * u + j]! + gh[2 * u + j]!), o = ra(gx[3 * u + j]! + gh[3 * u + j]!);
            c[j] = f * c[j]! + i * cc;
            h[j] = o * act(c[j]!);
          }
          return h;
        },
        reset() { h.fill(0); c.fill(0); },
      });
    } else {
      const g = 3 * u, gx = new Float64Array(g), gh = new Float64Array(g), z = new Float64Array(u), rh = new Float64Array(u), hc = new Float64Array(u);
      const bh = l.resetAfter ? l.bias : null;
      out.push({
        run(x) {
          gemv(gx, g, x, l.kernel, g, 0, l.bias, 0);
          if (l.resetAfter) {
            gemv(gh, g, h, l.recurrentKernel, g, 0, bh, g);
            for (let j = 0; j < u; j++) {
              z[j] = ra(gx[j]! + gh[j]!);
              const r = ra(gx[u + j]! + gh[u + j]!);
              hc[j] = act(gx[2 * u + j]! + r * gh[2 * u + j]!);
            }
          } else {
            gemv(gh, 2 * u, h, l.recurrentKernel, g, 0, null, 0);
            for (let j = 0; j < u; j++) {
              z[j] = ra(gx[j]! + gh[j]!);
              rh[j] = ra(gx[u + j]! + gh[u + j]!) * h[j]!;
            }
            gemv(hc, u, rh, l.recurrentKernel, g, 2 * u, null, 0);
            for (let j = 0; j < u; j++) hc[j] = act(gx[2 * u + j]! + hc[j]!);
          }
          for (let j = 0; j < u; j++) h[j] = z[j]! * h[j]! + (1 - z[j]!) * hc[j]!;
          return h;
        },
        reset() { h.fill(0); },
      });
    }
  }
  return out;
}

class JsSession implements Session {
  readonly backend = 'js' as const;
  readonly features: number;
  readonly outputUnits: number;
  steps = 0;
  private readonly layers: JsLayer[];
  private readonly input: Float64Array;

  constructor(model: Model) {
    this.features = model.features;
    this.outputUnits = outputShape(model).units;
    this.layers = jsLayers(model);
    this.input = new Float64Array(model.features);
  }

  step(features: Float32Array | Float64Array | readonly number[], out?: Float64Array | Float32Array): Float64Array | Float32Array {
    checkStepFeatures(features, this.features);
    checkStepOut(out, this.outputUnits);
    for (let i = 0; i < this.features; i++) this.input[i] = features[i]!;
    let cur = this.input;
    for (const l of this.layers) cur = l.run(cur);
    const res = out ?? new Float64Array(this.outputUnits);
    res.set(cur);
    this.steps++;
    return res;
  }

  reset(): void {
    for (const l of this.layers) l.reset();
    this.steps = 0;
  }
}

class NativeSession implements Session {
  readonly backend = 'cpu' as const;
  steps = 0;
  private readonly handle: NativeSessionHandle;
  private readonly scratch: Float64Array;

  constructor(private readonly nn: NnAddon, model: NativeModelHandle, readonly features: number, readonly outputUnits: number) {
    this.handle = nn.nnSession(model);
    this.scratch = new Float64Array(features);
  }

  step(features: Float32Array | Float64Array | readonly number[], out?: Float64Array | Float32Array): Float64Array | Float32Array {
    let f: Float32Array | Float64Array;
    if (Array.isArray(features)) {
      checkStepFeatures(features, this.features);
      this.scratch.set(features as number[]);
      f = this.scratch;
    } else {
      // The addon checks type, length and finiteness (same messages) before touching the state.
      f = features as Float32Array | Float64Array;
    }
    const r = this.nn.nnStep(this.handle, f, out);
    this.steps++;
    return r;
  }

  reset(): void {
    this.nn.nnReset(this.handle);
    this.steps = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Compiled models
// ---------------------------------------------------------------------------------------------

export class CompiledModel {
  /** Snapshot of the model (weights copied at compile time). */
  readonly model: Model;
  readonly backend: BackendName;
  private handle: NativeModelHandle | undefined;
  private cpuHandle: NativeModelHandle | undefined;

  constructor(model: Model, opts: ModelRunOptions = {}) {
    validateModel('compileModel', model, { finite: true });
    this.model = cloneModel(model);
    this.backend = resolveBackend(opts.backend);
    if (this.backend !== 'js') this.handle = compileNative(nativeAddon(this.backend), this.model);
    if (this.backend === 'cpu') this.cpuHandle = this.handle;
  }

  /** Outputs for x [batch, timesteps, features]: [batch, units] or [batch, timesteps, units]. */
  predict(x: Float64Array | Float32Array, batch: number, timesteps: number, opts: PredictOptions = {}): Float64Array | Float32Array {
    validateForwardShape('nn.forward', this.model, x, batch, timesteps);
    const n = forwardOutputLength(this.model, batch, timesteps);
    if (opts.threads !== undefined) expectInteger('nn.forward', 'threads', opts.threads, 1, 256);
    if (this.backend === 'js') {
      if (opts.out !== undefined) checkOutput('nn.forward', opts.out, n, { x });
      return referenceForward(this.model, x, batch, timesteps, opts.out as Float64Array | undefined);
    }
    const threads = opts.threads ?? defaultThreads(batch * timesteps * 20_000);
    return nnAddon(nativeAddon(this.backend)).nnForward(this.handle!, x, batch, timesteps, opts.out, threads);
  }

  /** A streaming session (see the module comment for the backend used). */
  createSession(): Session {
    const { units } = outputShape(this.model);
    if (this.backend === 'js' || !availableBackends().includes('cpu')) return new JsSession(this.model);
    this.cpuHandle ??= compileNative(nativeAddon('cpu'), this.model);
    return new NativeSession(nnAddon(nativeAddon('cpu')), this.cpuHandle, this.model.features, units);
  }
}

export function compileModel(model: Model, opts: ModelRunOptions = {}): CompiledModel {
  return new CompiledModel(model, opts);
}

/** A streaming session for `model` (snapshot of its weights). */
export function createSession(model: Model | CompiledModel, opts: ModelRunOptions = {}): Session {
  if (model instanceof CompiledModel) return model.createSession();
  const requested = opts.backend ?? defaultBackendRequest();
  const backend = requested === 'auto' ? (availableBackends().includes('cpu') ? 'cpu' : 'js') : resolveBackend(requested);
  return new CompiledModel(model, { backend: backend === 'cuda' ? 'cpu' : backend }).createSession();
}
