/**
 * Recurrent-network layers and Sequential models with Keras / TF.js semantics.
 *
 * A `Model` is a Sequential list of layers applied to an input of shape [timesteps, features]
 * (timesteps may be null: any length). Batched inputs are row-major [batch, timesteps, features].
 *
 * WEIGHT LAYOUT (stable: shared with training, the TF.js format and the native addons)
 * ----------------------------------------------------------------------------------------
 * Every weight is a row-major Float32Array holding exactly the Keras / TF.js tensor, in the
 * order the TF.js weightsManifest lists it (`layerWeights(layer)` returns that list). Row
 * vectors: a layer computes `x W + h U + b` with x of length inputDim, h of length units.
 *
 *   LSTM(u), input width n — gate blocks in column order i (input), f (forget), c (cell), o (output):
 *     kernel           [n, 4u]   kernel[k * 4u + g * u + j] = weight from input k to gate g, unit j
 *     recurrent_kernel [u, 4u]   same, from h[k]
 *     bias             [4u]      bias[g * u + j]                      (absent when useBias false)
 *     i = ra(x Wi + h Ui + bi)   f = ra(x Wf + h Uf + bf)   c~ = act(x Wc + h Uc + bc)
 *     o = ra(x Wo + h Uo + bo)   c' = f * c + i * c~        h' = o * act(c')
 *   GRU(u), input width n — gate blocks z (update), r (reset), h (candidate):
 *     kernel           [n, 3u]
 *     recurrent_kernel [u, 3u]
 *     bias             [3u]      resetAfter false (TF.js default; TF.js can only run this form)
 *                      [2, 3u]   resetAfter true (Keras 2.x/TF2 default, cuDNN, PyTorch): row 0 is
 *                                the input bias b_i, row 1 the recurrent bias b_h (flat: b_i then b_h)
 *     z = ra(x Wz + h Uz + b..)  r = ra(x Wr + h Ur + b..)
 *     resetAfter false: h~ = act(x Wh + bh + (r * h) Uh)
 *     resetAfter true:  h~ = act(x Wh + b_ih + r * (h Uh + b_hh))    (PyTorch n gate: b_hn inside r * (...))
 *     h' = z * h + (1 - z) * h~   (PyTorch writes (1 - z) * n + z * h: the same)
 *   Dense(u), input width n:
 *     kernel [n, u], bias [u];  y = act(x W + b). On a sequence ([T, n]) it applies per time step.
 *   Dropout: no weights; identity at inference.
 *
 *   ra = recurrentActivation ('sigmoid' = 1 / (1 + e^-x), Keras/TF2 default; 'hard_sigmoid' =
 *   clip(0.2 x + 0.5, 0, 1), the TF.js default), act = activation ('tanh' by default).
 *   The initial state (h, c) is zero for every sequence (and after Session.reset()).
 *
 * Weight names in the TF.js format: `${layer.name}/kernel`, `${layer.name}/recurrent_kernel`,
 * `${layer.name}/bias`. Models are plain objects; training may update the weight arrays in
 * place (compiled native models and sessions snapshot the weights when they are created).
 */
import { TestRng } from '../util/rng.js';

export type Activation = 'linear' | 'tanh' | 'sigmoid' | 'hard_sigmoid' | 'relu' | 'softmax';
/** Activations a recurrent layer may use (softmax only makes sense on a Dense layer). */
export type RecurrentLayerActivation = Exclude<Activation, 'softmax'>;

export const ACTIVATIONS: readonly Activation[] = ['linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'relu', 'softmax'];

interface RecurrentBase {
  name: string;
  units: number;
  inputDim: number;
  activation: RecurrentLayerActivation;
  recurrentActivation: RecurrentLayerActivation;
  returnSequences: boolean;
  useBias: boolean;
  /** [inputDim, gates * units] row-major. */
  kernel: Float32Array;
  /** [units, gates * units] row-major. */
  recurrentKernel: Float32Array;
  /** [gates * units] (GRU resetAfter: [2, 3 * units]); null when useBias is false. */
  bias: Float32Array | null;
}

export interface LstmLayer extends RecurrentBase {
  kind: 'lstm';
}

export interface GruLayer extends RecurrentBase {
  kind: 'gru';
  resetAfter: boolean;
}

export interface DenseLayer {
  kind: 'dense';
  name: string;
  units: number;
  inputDim: number;
  activation: Activation;
  useBias: boolean;
  /** [inputDim, units] row-major. */
  kernel: Float32Array;
  /** [units]; null when useBias is false. */
  bias: Float32Array | null;
}

export interface DropoutLayer {
  kind: 'dropout';
  name: string;
  rate: number;
}

export type RecurrentLayer = LstmLayer | GruLayer;
export type Layer = LstmLayer | GruLayer | DenseLayer | DropoutLayer;

export interface Model {
  name: string;
  /** Fixed sequence length, or null for any length. */
  timesteps: number | null;
  features: number;
  layers: Layer[];
}

/** One weight tensor in manifest order. `data` is the layer's own array (not a copy). */
export interface WeightTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export const MAX_UNITS = 4096;
export const MAX_FEATURES = 65536;
export const MAX_LAYERS = 64;
export const MAX_TIMESTEPS = 2 ** 20;

export function gateCount(layer: RecurrentLayer): number {
  return layer.kind === 'lstm' ? 4 : 3;
}

/** Expected shape of each weight of a layer, in manifest order. */
export function weightShapes(layer: Layer): Array<{ suffix: 'kernel' | 'recurrent_kernel' | 'bias'; shape: number[] }> {
  if (layer.kind === 'dropout') return [];
  if (layer.kind === 'dense') {
    const s: Array<{ suffix: 'kernel' | 'recurrent_kernel' | 'bias'; shape: number[] }> = [{ suffix: 'kernel', shape: [layer.inputDim, layer.units] }];
    if (layer.useBias) s.push({ suffix: 'bias', shape: [layer.units] });
    return s;
  }
  const g = gateCount(layer) * layer.units;
  const s: Array<{ suffix: 'kernel' | 'recurrent_kernel' | 'bias'; shape: number[] }> = [
    { suffix: 'kernel', shape: [layer.inputDim, g] },
    { suffix: 'recurrent_kernel', shape: [layer.units, g] },
  ];
  if (layer.useBias) s.push({ suffix: 'bias', shape: layer.kind === 'gru' && layer.resetAfter ? [2, g] : [g] });
  return s;
}

/** The layer's weights in TF.js manifest order (kernel, recurrent_kernel, bias). */
export function layerWeights(layer: Layer): WeightTensor[] {
  return weightShapes(layer).map(({ suffix, shape }) => {
    const data = suffix === 'kernel' ? (layer as DenseLayer).kernel : suffix === 'recurrent_kernel' ? (layer as RecurrentLayer).recurrentKernel : (layer as DenseLayer).bias!;
    return { name: `${layer.name}/${suffix}`, shape, data };
  });
}

/** Every weight of the model in manifest order. */
export function modelWeights(model: Model): WeightTensor[] {
  return model.layers.flatMap(layerWeights);
}

export function countParams(model: Model): number {
  return modelWeights(model).reduce((a, w) => a + w.data.length, 0);
}

/** Output shape of one sequence: [timesteps, units] when the output is a sequence, else [units]. */
export function outputShape(model: Model): { units: number; sequence: boolean } {
  let units = model.features;
  let sequence = true;
  for (const l of model.layers) {
    if (l.kind === 'dropout') continue;
    units = l.units;
    if (l.kind !== 'dense') sequence = l.returnSequences;
  }
  return { units, sequence };
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'string') return `${JSON.stringify(v)} (string)`;
  if (typeof v === 'object') return `${(v as object).constructor?.name ?? 'Object'} (object)`;
  return `${String(v)} (${typeof v})`;
}

function int(where: string, name: string, v: unknown, lo: number, hi: number): void {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${where}: ${name} must be an integer in [${lo}, ${hi}], got ${describe(v)}`);
}

function bool(where: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(v)}`);
}

function act(where: string, name: string, v: unknown, allowSoftmax: boolean): void {
  if (typeof v !== 'string' || !(ACTIVATIONS as readonly string[]).includes(v) || (!allowSoftmax && v === 'softmax')) {
    const allowed = ACTIVATIONS.filter((a) => allowSoftmax || a !== 'softmax').join(', ');
    throw new RangeError(`${where}: ${name} must be one of ${allowed}; got ${describe(v)}`);
  }
}

/**
 * Checks a model's structure, weight shapes and (with `finite`) that every weight is finite.
 * Throws TypeError / RangeError naming `op`, the layer index and name, and the field.
 */
export function validateModel(op: string, model: unknown, opts: { finite?: boolean } = {}): asserts model is Model {
  if (typeof model !== 'object' || model === null) throw new TypeError(`${op}: model must be a Model object, got ${describe(model)}`);
  const m = model as Model;
  int(op, 'model.features', m.features, 1, MAX_FEATURES);
  if (m.timesteps !== null) int(op, 'model.timesteps', m.timesteps, 1, MAX_TIMESTEPS);
  if (!Array.isArray(m.layers)) throw new TypeError(`${op}: model.layers must be an array, got ${describe(m.layers)}`);
  const computing = m.layers.filter((l) => (l as Layer | undefined)?.kind !== 'dropout');
  if (computing.length < 1 || m.layers.length > MAX_LAYERS) {
    throw new RangeError(`${op}: model must have 1 to ${MAX_LAYERS} layers with at least one LSTM, GRU or Dense layer; got ${m.layers.length} layer(s)`);
  }
  let width = m.features;
  let sequence = true;
  const names = new Set<string>();
  m.layers.forEach((layer, i) => {
    if (typeof layer !== 'object' || layer === null) throw new TypeError(`${op}: layer ${i} must be an object, got ${describe(layer)}`);
    const where = `${op}: layer ${i}${typeof layer.name === 'string' ? ` (${layer.name})` : ''}`;
    if (typeof layer.name !== 'string' || layer.name === '') throw new TypeError(`${where}: name must be a non-empty string, got ${describe(layer.name)}`);
    if (names.has(layer.name)) throw new RangeError(`${where}: duplicate layer name ${JSON.stringify(layer.name)}`);
    names.add(layer.name);
    switch (layer.kind) {
      case 'dropout':
        if (typeof layer.rate !== 'number' || !(layer.rate >= 0 && layer.rate < 1)) throw new RangeError(`${where}: rate must be a number in [0, 1), got ${describe(layer.rate)}`);
        return;
      case 'dense':
        int(where, 'units', layer.units, 1, MAX_UNITS);
        act(where, 'activation', layer.activation, true);
        break;
      case 'lstm':
      case 'gru':
        int(where, 'units', layer.units, 1, MAX_UNITS);
        act(where, 'activation', layer.activation, false);
        act(where, 'recurrentActivation', layer.recurrentActivation, false);
        bool(where, 'returnSequences', layer.returnSequences);
        if (layer.kind === 'gru') bool(where, 'resetAfter', layer.resetAfter);
        if (!sequence) throw new RangeError(`${where}: ${layer.kind.toUpperCase()} needs a sequence input, but the previous recurrent layer has returnSequences false`);
        break;
      default:
        throw new RangeError(`${where}: unsupported layer kind ${describe((layer as { kind?: unknown }).kind)}; supported: lstm, gru, dense, dropout`);
    }
    bool(where, 'useBias', layer.useBias);
    if (layer.inputDim !== width) throw new RangeError(`${where}: inputDim must be ${width} (the previous layer's output width), got ${describe(layer.inputDim)}`);
    for (const { suffix, shape } of weightShapes(layer)) {
      const field = suffix === 'kernel' ? 'kernel' : suffix === 'recurrent_kernel' ? 'recurrentKernel' : 'bias';
      const arr = (layer as unknown as Record<string, unknown>)[field];
      if (!(arr instanceof Float32Array)) throw new TypeError(`${where}: ${field} must be a Float32Array, got ${describe(arr)}`);
      const n = shape.reduce((a, b) => a * b, 1);
      if (arr.length !== n) throw new RangeError(`${where}: ${field} must have ${n} values (shape [${shape.join(', ')}]), got ${arr.length}`);
      if (opts.finite) {
        for (let k = 0; k < arr.length; k++) {
          if (!Number.isFinite(arr[k]!)) throw new RangeError(`${where}: weight ${suffix} index ${k} is not finite (${arr[k]})`);
        }
      }
    }
    if (!layer.useBias && layer.bias !== null && layer.bias !== undefined) throw new RangeError(`${where}: bias must be null when useBias is false`);
    if (layer.kind !== 'dense') sequence = layer.returnSequences;
    width = layer.units;
  });
}

// ---------------------------------------------------------------------------------------------
// Building models
// ---------------------------------------------------------------------------------------------

export interface RecurrentOptions {
  units: number;
  returnSequences?: boolean;
  /** Default 'tanh'. */
  activation?: RecurrentLayerActivation;
  /** Default 'sigmoid' (Keras/TF2); TF.js defaults to 'hard_sigmoid'. */
  recurrentActivation?: RecurrentLayerActivation;
  useBias?: boolean;
  name?: string;
}

export type LayerConfig =
  | ({ kind: 'lstm' } & RecurrentOptions)
  | ({ kind: 'gru'; resetAfter?: boolean } & RecurrentOptions)
  | { kind: 'dense'; units: number; activation?: Activation; useBias?: boolean; name?: string }
  | { kind: 'dropout'; rate: number; name?: string };

export const lstm = (o: RecurrentOptions): LayerConfig => ({ kind: 'lstm', ...o });
/** resetAfter defaults to false (the form TF.js can load). */
export const gru = (o: RecurrentOptions & { resetAfter?: boolean }): LayerConfig => ({ kind: 'gru', ...o });
export const dense = (o: { units: number; activation?: Activation; useBias?: boolean; name?: string }): LayerConfig => ({ kind: 'dense', ...o });
export const dropout = (rate: number, name?: string): LayerConfig => ({ kind: 'dropout', rate, ...(name !== undefined ? { name } : {}) });

export interface BuildOptions {
  timesteps: number | null;
  features: number;
  layers: LayerConfig[];
  name?: string;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
}

/**
 * Builds a model with Keras initial weights: glorot-uniform kernels, orthogonal recurrent
 * kernels, zero biases (LSTM forget-gate bias 1, Keras unit_forget_bias). Deterministic in `seed`.
 */
export function buildModel(opts: BuildOptions): Model {
  const rng = new TestRng(opts.seed ?? 1);
  const counters = new Map<string, number>();
  const autoName = (kind: string): string => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${kind}_${n}`;
  };
  let width = opts.features;
  const layers: Layer[] = opts.layers.map((c) => {
    const name = c.name ?? autoName(c.kind);
    if (c.kind === 'dropout') return { kind: 'dropout', name, rate: c.rate };
    const inputDim = width;
    width = c.units;
    if (c.kind === 'dense') {
      return {
        kind: 'dense', name, units: c.units, inputDim, activation: c.activation ?? 'linear', useBias: c.useBias ?? true,
        kernel: glorotUniform(rng, inputDim, c.units), bias: (c.useBias ?? true) ? new Float32Array(c.units) : null,
      };
    }
    const g = (c.kind === 'lstm' ? 4 : 3) * c.units;
    const useBias = c.useBias ?? true;
    const resetAfter = c.kind === 'gru' ? (c.resetAfter ?? false) : false;
    const bias = useBias ? new Float32Array(resetAfter ? 2 * g : g) : null;
    if (bias && c.kind === 'lstm') bias.fill(1, c.units, 2 * c.units);
    const base = {
      name, units: c.units, inputDim,
      activation: c.activation ?? 'tanh', recurrentActivation: c.recurrentActivation ?? 'sigmoid',
      returnSequences: c.returnSequences ?? false, useBias,
      kernel: glorotUniform(rng, inputDim, g), recurrentKernel: orthogonalBlocks(rng, c.units, g / c.units), bias,
    };
    return c.kind === 'lstm' ? { kind: 'lstm', ...base } : { kind: 'gru', resetAfter, ...base };
  });
  const model: Model = { name: opts.name ?? 'sequential', timesteps: opts.timesteps, features: opts.features, layers };
  validateModel('buildModel', model);
  return model;
}

function glorotUniform(rng: TestRng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
  return w;
}

/** [u, blocks * u]: Keras' Orthogonal initializer on the [u, blocks u] matrix (rows orthonormal). */
function orthogonalBlocks(rng: TestRng, u: number, blocks: number): Float32Array {
  const cols = blocks * u;
  // Gram-Schmidt on u random Gaussian rows of length cols (u <= cols): orthonormal rows.
  const rows: Float64Array[] = [];
  for (let i = 0; i < u; i++) {
    const v = new Float64Array(cols);
    for (let k = 0; k < cols; k++) v[k] = rng.normal();
    for (const q of rows) {
      let d = 0;
      for (let k = 0; k < cols; k++) d += v[k]! * q[k]!;
      for (let k = 0; k < cols; k++) v[k]! -= d * q[k]!;
    }
    let n = 0;
    for (let k = 0; k < cols; k++) n += v[k]! * v[k]!;
    n = Math.sqrt(n) || 1;
    for (let k = 0; k < cols; k++) v[k]! /= n;
    rows.push(v);
  }
  const w = new Float32Array(u * cols);
  rows.forEach((r, i) => w.set(r, i * cols));
  return w;
}

/**
 * A model with the same structure and random weights drawn from N(0, scale^2) (biases too):
 * for tests and benchmarks, where Keras initial weights (zero biases) would hide bias bugs.
 */
export function randomizeWeights(model: Model, seed: number, scale = 0.3): Model {
  const rng = new TestRng(seed);
  for (const w of modelWeights(model)) for (let i = 0; i < w.data.length; i++) w.data[i] = scale * rng.normal();
  return model;
}

/** Deep copy (weights copied). */
export function cloneModel(model: Model): Model {
  return {
    ...model,
    layers: model.layers.map((l) => {
      if (l.kind === 'dropout') return { ...l };
      if (l.kind === 'dense') return { ...l, kernel: l.kernel.slice(), bias: l.bias ? l.bias.slice() : null };
      return { ...l, kernel: l.kernel.slice(), recurrentKernel: l.recurrentKernel.slice(), bias: l.bias ? l.bias.slice() : null };
    }),
  };
}
