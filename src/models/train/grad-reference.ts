/**
 * The TypeScript reference of training: forward + backpropagation through time in float64
 * (float32 weights widened exactly), one sequence at a time, every term written out. It is
 * the judge of the native gradient kernels (native/nn/train_cpu.cpp) and is itself checked
 * against central finite differences (float64) and against tfjs's `tf.variableGrads` on the
 * same weights and batch (tests/models.train.grad.test.ts).
 *
 * Gradients are returned FLAT, in the order of `modelWeights(model)` (the TF.js manifest
 * order, the same order `encodeModel` concatenates): see `paramLayout`.
 *
 * Losses (averaged over the batch, as Keras / TF.js do):
 *   'crossentropy'  the last layer is Dense with softmax; targets are class indices;
 *                   loss = mean_b -log p[b, y_b]  (sparse categorical cross-entropy)
 *   'mse'           any head; targets [batch, units]; loss = mean over batch and units of (y - t)^2
 * An optional per-sample weight w_b turns the mean into sum_b w_b loss_b / batch (Keras'
 * sample_weight with the default reduction).
 *
 * Supported for training: Sequential stacks of LSTM / GRU (both GRU bias forms) / Dense whose
 * output is one vector per sequence (the last recurrent layer has returnSequences false, or
 * there is no recurrent layer after a returnSequences-true stack).
 *
 * Dropout (Keras semantics, contract in native/nn/nn_dropout.h): a Dropout layer is the INPUT
 * dropout of the computing layer (LSTM / GRU / Dense) that follows it; consecutive Dropouts
 * combine into one rate 1 - prod(1 - r_i) (`dropoutRates`); a Dropout after the last computing
 * layer is refused. With `dropout: { rates, key }` every input element (window b, t, unit) of
 * computing layer `layer` is multiplied by `dropoutScale(key, b, t, unit, layer, rate)` (0 or
 * 1 / (1 - rate), float32 as in the C++ header, bit for bit) in the forward pass and the same
 * factor scales its gradient in the backward pass. Without `dropout` the Dropout layers are the
 * identity (evaluation / inference).
 */
import { philoxBlock } from '../../compute/ops/philox.js';
import { outputShape, modelWeights, type Activation, type DenseLayer, type GruLayer, type Layer, type LstmLayer, type Model } from '../layers.js';

export type LossKind = 'crossentropy' | 'mse';

export interface LossAndGrads {
  /** Mean loss over the batch (weighted when sample weights are given). */
  loss: number;
  /** d loss / d params, flat in modelWeights order. */
  grads: Float64Array;
  /** Model outputs [batch, units] (softmax probabilities for crossentropy). */
  outputs: Float64Array;
}

/** Offsets of every weight tensor in the flat parameter vector (modelWeights order). */
export function paramLayout(model: Model): { offsets: number[]; total: number; names: string[] } {
  const ws = modelWeights(model);
  const offsets: number[] = [];
  let o = 0;
  for (const w of ws) { offsets.push(o); o += w.data.length; }
  return { offsets, total: o, names: ws.map((w) => w.name) };
}

/** Flat copy of the model's weights (float32, modelWeights order). */
export function getParams(model: Model): Float32Array {
  const ws = modelWeights(model);
  const out = new Float32Array(ws.reduce((a, w) => a + w.data.length, 0));
  let o = 0;
  for (const w of ws) { out.set(w.data, o); o += w.data.length; }
  return out;
}

/** Writes a flat parameter vector back into the model's own weight arrays (in place). */
export function setParams(model: Model, params: ArrayLike<number>): void {
  let o = 0;
  for (const w of modelWeights(model)) {
    for (let i = 0; i < w.data.length; i++) w.data[i] = params[o + i]!;
    o += w.data.length;
  }
  if (o !== params.length) throw new RangeError(`setParams: params must have length ${o}, got ${params.length}`);
}

/** Throws a RangeError when the model cannot be trained by this module. */
export function checkTrainable(op: string, model: Model): void {
  dropoutRates(model, op);
  const { sequence } = outputShape(model);
  if (sequence) throw new RangeError(`${op}: the model's output must be one vector per sequence (set returnSequences false on the last recurrent layer)`);
}

// ---------------------------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------------------------

/** Philox counter tag of the dropout draws ("DR"), as kDropoutTag in native/nn/nn_dropout.h. */
export const DROPOUT_TAG = 0x44520000;

const dropBlock = new Uint32Array(4);

/**
 * native/nn/nn_dropout.h dropout_scale, bit for bit: 0 (dropped) or float32(1 / float32(1 - rate))
 * (kept), rate taken as float32; one Philox4x32-10 block keyed (k0, k1) with counter
 * (unit, t, window, 0x44520000 | layer), word 0 -> u = (x + 0.5) 2^-32, keep iff u >= rate.
 */
export function dropoutScale(k0: number, k1: number, window: number, t: number, unit: number, layer: number, rate: number): number {
  const r = Math.fround(rate);
  if (r <= 0) return 1;
  philoxBlock(unit >>> 0, t >>> 0, window >>> 0, (DROPOUT_TAG | layer) >>> 0, k0 >>> 0, k1 >>> 0, dropBlock, 0);
  const u = (dropBlock[0]! + 0.5) * 2.3283064365386963e-10;
  return u >= r ? Math.fround(1 / Math.fround(1 - r)) : 0;
}

/**
 * The training dropout of a model: one INPUT rate per computing layer (LSTM / GRU / Dense, in
 * order), from the Dropout layers before it (consecutive ones combine: 1 - prod(1 - r_i)), as
 * float32. Throws a RangeError for a Dropout after the last computing layer (Keras would drop
 * the model's outputs; the trainers refuse it) and for a combined rate that rounds to 1.
 */
export function dropoutRates(model: Model, op = 'dropoutRates'): Float32Array {
  const rates: number[] = [];
  let keep = 1;
  let pending: Layer[] = [];
  for (const l of model.layers) {
    if (l.kind === 'dropout') { keep *= 1 - l.rate; pending.push(l); continue; }
    const r = Math.fround(pending.length === 1 ? (pending[0] as { rate: number }).rate : 1 - keep);
    if (!(r >= 0 && r < 1)) throw new RangeError(`${op}: the Dropout layers before layer ${l.name} (${pending.map((d) => `${d.name} rate ${(d as { rate: number }).rate}`).join(', ')}) combine to rate ${1 - keep}, which is not below 1 in float32`);
    rates.push(r);
    keep = 1; pending = [];
  }
  if (pending.length > 0) {
    throw new RangeError(`${op}: Dropout layer ${pending.map((d) => d.name).join(', ')} comes after the last LSTM / GRU / Dense layer; training refuses a Dropout at the output (put it before a computing layer, e.g. before the Dense head)`);
  }
  return Float32Array.from(rates);
}

// ---------------------------------------------------------------------------------------------
// Activations and their derivatives (from the pre-activation)
// ---------------------------------------------------------------------------------------------

export function act(a: Activation, x: number): number {
  switch (a) {
    case 'linear': return x;
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'hard_sigmoid': return Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'relu': return x > 0 ? x : 0;
    case 'softmax': throw new RangeError('softmax applies to a whole row');
  }
}

/** d act(x) / dx. hard_sigmoid: 0.2 inside [-2.5, 2.5] (TF.js clipByValue passes the gradient at the bounds), else 0. */
export function dact(a: Activation, x: number): number {
  switch (a) {
    case 'linear': return 1;
    case 'tanh': { const t = Math.tanh(x); return 1 - t * t; }
    case 'sigmoid': { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s); }
    case 'hard_sigmoid': { const y = 0.2 * x + 0.5; return y >= 0 && y <= 1 ? 0.2 : 0; }
    case 'relu': return x > 0 ? 1 : 0;
    case 'softmax': throw new RangeError('softmax applies to a whole row');
  }
}

// ---------------------------------------------------------------------------------------------
// Per-layer forward with caches, and backward
// ---------------------------------------------------------------------------------------------

type Seq = Float64Array[]; // one vector per time step

interface LstmCache { x: Seq; hPrev: Seq; cPrev: Seq; a: Seq; gate: Seq; c: Seq; h: Seq }
interface GruCache { x: Seq; hPrev: Seq; az: Seq; ar: Seq; ah: Seq; z: Seq; r: Seq; hh: Seq; hcand: Seq; rh: Seq; h: Seq }

/** sum_k v[k] W[k * ld + col0 + j] for j < n, plus bias[bOff + col0 + j]. */
function affine(out: Float64Array, n: number, v: ArrayLike<number>, W: Float32Array, ld: number, col0: number, bias: Float32Array | null, bOff: number): void {
  for (let j = 0; j < n; j++) {
    let s = bias ? bias[bOff + col0 + j]! : 0;
    for (let k = 0; k < v.length; k++) s += v[k]! * W[k * ld + col0 + j]!;
    out[j] = s;
  }
}

function lstmForward(l: LstmLayer, xs: Seq): LstmCache {
  const u = l.units, g = 4 * u, T = xs.length;
  const cache: LstmCache = { x: xs, hPrev: [], cPrev: [], a: [], gate: [], c: [], h: [] };
  let h = new Float64Array(u), c = new Float64Array(u);
  const zx = new Float64Array(g), zh = new Float64Array(g);
  for (let t = 0; t < T; t++) {
    affine(zx, g, xs[t]!, l.kernel, g, 0, l.bias, 0);
    affine(zh, g, h, l.recurrentKernel, g, 0, null, 0);
    const a = new Float64Array(g), gate = new Float64Array(g);
    for (let j = 0; j < g; j++) {
      a[j] = zx[j]! + zh[j]!;
      gate[j] = act(j >= 2 * u && j < 3 * u ? l.activation : l.recurrentActivation, a[j]!);
    }
    const cn = new Float64Array(u), hn = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      cn[j] = gate[u + j]! * c[j]! + gate[j]! * gate[2 * u + j]!;
      hn[j] = gate[3 * u + j]! * act(l.activation, cn[j]!);
    }
    cache.hPrev.push(h); cache.cPrev.push(c); cache.a.push(a); cache.gate.push(gate); cache.c.push(cn); cache.h.push(hn);
    h = hn; c = cn;
  }
  return cache;
}

/** dh: gradient w.r.t. each step's output h_t (zeros where unused). Accumulates weight grads; returns dx per step. */
function lstmBackward(l: LstmLayer, cache: LstmCache, dh: Seq, gK: Float64Array, gU: Float64Array, gB: Float64Array | null): Seq {
  const u = l.units, g = 4 * u, T = cache.x.length, n = l.inputDim;
  const dx: Seq = [];
  let dhNext = new Float64Array(u), dcNext = new Float64Array(u);
  const dA = new Float64Array(g);
  for (let t = T - 1; t >= 0; t--) {
    const gate = cache.gate[t]!, a = cache.a[t]!, c = cache.c[t]!, cPrev = cache.cPrev[t]!;
    const dc = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      const dhj = dh[t]![j]! + dhNext[j]!;
      const tc = act(l.activation, c[j]!);
      const i = gate[j]!, f = gate[u + j]!, cc = gate[2 * u + j]!, o = gate[3 * u + j]!;
      dc[j] = dcNext[j]! + dhj * o * dact(l.activation, c[j]!);
      dA[3 * u + j] = dhj * tc * dact(l.recurrentActivation, a[3 * u + j]!);
      dA[j] = dc[j]! * cc * dact(l.recurrentActivation, a[j]!);
      dA[u + j] = dc[j]! * cPrev[j]! * dact(l.recurrentActivation, a[u + j]!);
      dA[2 * u + j] = dc[j]! * i * dact(l.activation, a[2 * u + j]!);
      dc[j] = dc[j]! * f; // becomes dcNext
    }
    const x = cache.x[t]!, hPrev = cache.hPrev[t]!;
    for (let k = 0; k < n; k++) for (let j = 0; j < g; j++) gK[k * g + j]! += x[k]! * dA[j]!;
    for (let k = 0; k < u; k++) for (let j = 0; j < g; j++) gU[k * g + j]! += hPrev[k]! * dA[j]!;
    if (gB) for (let j = 0; j < g; j++) gB[j]! += dA[j]!;
    const dxt = new Float64Array(n);
    for (let k = 0; k < n; k++) { let s = 0; for (let j = 0; j < g; j++) s += l.kernel[k * g + j]! * dA[j]!; dxt[k] = s; }
    const dhp = new Float64Array(u);
    for (let k = 0; k < u; k++) { let s = 0; for (let j = 0; j < g; j++) s += l.recurrentKernel[k * g + j]! * dA[j]!; dhp[k] = s; }
    dx[t] = dxt; dhNext = dhp; dcNext = dc;
  }
  return dx;
}

function gruForward(l: GruLayer, xs: Seq): GruCache {
  const u = l.units, g = 3 * u, T = xs.length;
  const bi = l.bias, bh = l.resetAfter && l.bias ? l.bias : null;
  const cache: GruCache = { x: xs, hPrev: [], az: [], ar: [], ah: [], z: [], r: [], hh: [], hcand: [], rh: [], h: [] };
  let h = new Float64Array(u);
  const zx = new Float64Array(g), zh = new Float64Array(2 * u);
  for (let t = 0; t < T; t++) {
    affine(zx, g, xs[t]!, l.kernel, g, 0, bi, 0);
    affine(zh, 2 * u, h, l.recurrentKernel, g, 0, bh, g);
    const az = new Float64Array(u), ar = new Float64Array(u), ah = new Float64Array(u);
    const z = new Float64Array(u), r = new Float64Array(u), hh = new Float64Array(u), hcand = new Float64Array(u), rh = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      az[j] = zx[j]! + zh[j]!; ar[j] = zx[u + j]! + zh[u + j]!;
      z[j] = act(l.recurrentActivation, az[j]!); r[j] = act(l.recurrentActivation, ar[j]!);
    }
    if (l.resetAfter) {
      affine(hcand, u, h, l.recurrentKernel, g, 2 * u, bh, g);
      for (let j = 0; j < u; j++) ah[j] = zx[2 * u + j]! + r[j]! * hcand[j]!;
    } else {
      for (let j = 0; j < u; j++) rh[j] = r[j]! * h[j]!;
      affine(hcand, u, rh, l.recurrentKernel, g, 2 * u, null, 0);
      for (let j = 0; j < u; j++) ah[j] = zx[2 * u + j]! + hcand[j]!;
    }
    const hn = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      hh[j] = act(l.activation, ah[j]!);
      hn[j] = z[j]! * h[j]! + (1 - z[j]!) * hh[j]!;
    }
    cache.hPrev.push(h); cache.az.push(az); cache.ar.push(ar); cache.ah.push(ah); cache.z.push(z); cache.r.push(r);
    cache.hh.push(hh); cache.hcand.push(hcand); cache.rh.push(rh); cache.h.push(hn);
    h = hn;
  }
  return cache;
}

function gruBackward(l: GruLayer, cache: GruCache, dh: Seq, gK: Float64Array, gU: Float64Array, gB: Float64Array | null): Seq {
  const u = l.units, g = 3 * u, T = cache.x.length, n = l.inputDim;
  const dx: Seq = [];
  let dhNext = new Float64Array(u);
  const dAx = new Float64Array(g);   // d pre-activation w.r.t. the input part (z, r, h)
  const dAh = new Float64Array(g);   // d w.r.t. the recurrent products (z, r, and h's recurrent term)
  for (let t = T - 1; t >= 0; t--) {
    const hPrev = cache.hPrev[t]!, z = cache.z[t]!, r = cache.r[t]!, hh = cache.hh[t]!;
    const dhp = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      const dhj = dh[t]![j]! + dhNext[j]!;
      const dz = dhj * (hPrev[j]! - hh[j]!);
      const dhh = dhj * (1 - z[j]!);
      dhp[j] = dhj * z[j]!;
      const dah = dhh * dact(l.activation, cache.ah[t]![j]!);
      dAx[2 * u + j] = dah;
      dAx[j] = dz * dact(l.recurrentActivation, cache.az[t]![j]!);
      dAh[j] = dAx[j]!;
      if (l.resetAfter) {
        dAh[2 * u + j] = dah * r[j]!;
        const dr = dah * cache.hcand[t]![j]!;
        dAx[u + j] = dr * dact(l.recurrentActivation, cache.ar[t]![j]!);
      } else {
        dAh[2 * u + j] = dah; // gradient of the (r*h) Uh term's output
        dAx[u + j] = 0;       // filled below (needs d(rh))
      }
    }
    if (!l.resetAfter) {
      // d rh[k] = sum_j Uh[k, j] dah[j];  dr = d rh * hPrev;  dhPrev += d rh * r
      for (let k = 0; k < u; k++) {
        let s = 0;
        for (let j = 0; j < u; j++) s += l.recurrentKernel[k * g + 2 * u + j]! * dAh[2 * u + j]!;
        dhp[k]! += s * r[k]!;
        dAx[u + k] = s * hPrev[k]! * dact(l.recurrentActivation, cache.ar[t]![k]!);
      }
    }
    for (let j = 0; j < u; j++) dAh[u + j] = dAx[u + j]!;
    const x = cache.x[t]!;
    for (let k = 0; k < n; k++) for (let j = 0; j < g; j++) gK[k * g + j]! += x[k]! * dAx[j]!;
    // recurrent kernel: z and r columns see hPrev; h columns see hPrev (resetAfter) or r*hPrev
    const hsrc = l.resetAfter ? hPrev : cache.rh[t]!;
    for (let k = 0; k < u; k++) {
      for (let j = 0; j < 2 * u; j++) gU[k * g + j]! += hPrev[k]! * dAh[j]!;
      for (let j = 2 * u; j < g; j++) gU[k * g + j]! += hsrc[k]! * dAh[j]!;
    }
    if (gB) {
      for (let j = 0; j < g; j++) gB[j]! += dAx[j]!;
      if (l.resetAfter) for (let j = 0; j < g; j++) gB[g + j]! += dAh[j]!;
    }
    const dxt = new Float64Array(n);
    for (let k = 0; k < n; k++) { let s = 0; for (let j = 0; j < g; j++) s += l.kernel[k * g + j]! * dAx[j]!; dxt[k] = s; }
    // hPrev through the recurrent products: z, r columns always; h column only with resetAfter
    const jEnd = l.resetAfter ? g : 2 * u;
    for (let k = 0; k < u; k++) { let s = 0; for (let j = 0; j < jEnd; j++) s += l.recurrentKernel[k * g + j]! * dAh[j]!; dhp[k]! += s; }
    dx[t] = dxt; dhNext = dhp;
  }
  return dx;
}

function denseForward(l: DenseLayer, v: Float64Array): { pre: Float64Array; y: Float64Array } {
  const pre = new Float64Array(l.units);
  affine(pre, l.units, v, l.kernel, l.units, 0, l.bias, 0);
  let y: Float64Array;
  if (l.activation === 'softmax') {
    let m = -Infinity;
    for (const p of pre) m = Math.max(m, p);
    y = pre.map((p) => Math.exp(p - m));
    let s = 0;
    for (const e of y) s += e;
    for (let j = 0; j < y.length; j++) y[j]! /= s;
  } else {
    y = pre.map((p) => act(l.activation, p));
  }
  return { pre, y };
}

// ---------------------------------------------------------------------------------------------
// Loss and gradients
// ---------------------------------------------------------------------------------------------

export interface LossArgs {
  model: Model;
  /** [batch, timesteps, features] row-major. */
  x: ArrayLike<number>;
  batch: number;
  timesteps: number;
  /** crossentropy: class index per sequence (length batch); mse: [batch, units]. */
  y: ArrayLike<number>;
  loss: LossKind;
  /** Optional per-sequence weights (length batch). */
  sampleWeight?: ArrayLike<number> | null;
  /** Training dropout: input rate per computing layer (`dropoutRates`) and the step's key (k0, k1). Absent: none. */
  dropout?: { rates: ArrayLike<number>; key: ArrayLike<number> } | null;
}

export function referenceLossAndGrads(a: LossArgs): LossAndGrads {
  const { model, x, batch, timesteps: T, y, loss } = a;
  checkTrainable('train.grad', model);
  const F = model.features;
  const { offsets, total } = paramLayout(model);
  const grads = new Float64Array(total);
  const { units } = outputShape(model);
  const outputs = new Float64Array(batch * units);
  let lossSum = 0;
  const layers = model.layers.filter((l): l is LstmLayer | GruLayer | DenseLayer => l.kind !== 'dropout');
  // weight tensor index of each computing layer's first weight
  const first: number[] = [];
  let wi = 0;
  for (const l of layers) { first.push(wi); wi += l.kind === 'dense' ? (l.useBias ? 2 : 1) : (l.useBias ? 3 : 2); }
  const view = (tensor: number, len: number): Float64Array => grads.subarray(offsets[tensor]!, offsets[tensor]! + len);
  const drop = a.dropout ?? null;
  if (drop && drop.rates.length !== layers.length) throw new RangeError(`train.grad: dropout.rates must have length ${layers.length} (one per computing layer), got ${drop.rates.length}`);
  const rateOf = (li: number): number => (drop ? Math.fround(drop.rates[li]!) : 0);
  /** The scales of one input row (window b, time t) of computing layer li, width n; null: no dropout. */
  const maskRow = (li: number, b: number, t: number, n: number): Float64Array | null => {
    const r = rateOf(li);
    if (r <= 0) return null;
    return Float64Array.from({ length: n }, (_, k) => dropoutScale(drop!.key[0]!, drop!.key[1]!, b, t, k, li, r));
  };
  const applyMask = (v: Float64Array, m: Float64Array | null): Float64Array => (m ? v.map((e, k) => e * m[k]!) : v);

  for (let b = 0; b < batch; b++) {
    const sw = a.sampleWeight ? a.sampleWeight[b]! : 1;
    // forward
    let seq: Seq | null = [];
    for (let t = 0; t < T; t++) seq.push(Float64Array.from({ length: F }, (_, k) => x[(b * T + t) * F + k]!));
    let vec: Float64Array | null = null;
    const caches: Array<LstmCache | GruCache | { pre: Float64Array; y: Float64Array; v: Float64Array }> = [];
    const masks: Array<Array<Float64Array | null>> = [];  // per computing layer: per input step (dense: one)
    layers.forEach((l, li) => {
      if (l.kind === 'lstm' || l.kind === 'gru') {
        const ms = seq!.map((row, t) => maskRow(li, b, t, row.length));
        masks.push(ms);
        const xin = seq!.map((row, t) => applyMask(row, ms[t]!));
        const cache: LstmCache | GruCache = l.kind === 'lstm' ? lstmForward(l, xin) : gruForward(l, xin);
        caches.push(cache);
        if (l.returnSequences) seq = cache.h; else { vec = cache.h[T - 1]!; seq = null; }
      } else {
        const m = maskRow(li, b, 0, vec!.length);
        masks.push([m]);
        const v = applyMask(vec!, m);
        const r = denseForward(l, v);
        caches.push({ ...r, v });
        vec = r.y;
      }
    });
    const out = vec!;
    outputs.set(out, b * units);
    // loss and d loss / d (last layer output or pre-activation)
    const last = layers[layers.length - 1]!;
    let dPre: Float64Array; // gradient w.r.t. the last Dense pre-activation (or the last vector)
    let lastIsDensePre = false;
    if (loss === 'crossentropy') {
      if (last.kind !== 'dense' || last.activation !== 'softmax') throw new RangeError('train.grad: crossentropy needs a Dense softmax head');
      const cls = y[b]!;
      lossSum += -sw * Math.log(Math.max(out[cls]!, 1e-300));
      dPre = out.map((p, j) => (sw * (p - (j === cls ? 1 : 0))) / batch);
      lastIsDensePre = true;
    } else {
      let s = 0;
      const d = new Float64Array(units);
      for (let j = 0; j < units; j++) { const e = out[j]! - y[b * units + j]!; s += e * e; d[j] = (sw * 2 * e) / (batch * units); }
      lossSum += (sw * s) / units;
      if (last.kind === 'dense') {
        if (last.activation === 'softmax') {
          // softmax Jacobian: dpre_j = p_j (d_j - sum_k d_k p_k)
          let dot = 0;
          for (let j = 0; j < units; j++) dot += d[j]! * out[j]!;
          dPre = d.map((dj, j) => out[j]! * (dj - dot));
        } else {
          const pre = (caches[caches.length - 1] as { pre: Float64Array }).pre;
          dPre = d.map((dj, j) => dj * dact(last.activation, pre[j]!));
        }
        lastIsDensePre = true;
      } else {
        dPre = d;
      }
    }
    // backward
    let dVec: Float64Array | null = dPre;
    let dSeq: Seq | null = null;
    for (let li = layers.length - 1; li >= 0; li--) {
      const l = layers[li]!;
      const cache: LstmCache | GruCache | { pre: Float64Array; y: Float64Array; v: Float64Array } = caches[li]!;
      if (l.kind === 'dense') {
        const c = cache as { pre: Float64Array; y: Float64Array; v: Float64Array };
        let dp = dVec!;
        if (!(li === layers.length - 1 && lastIsDensePre)) {
          if (l.activation === 'softmax') {
            let dot = 0;
            for (let j = 0; j < l.units; j++) dot += dp[j]! * c.y[j]!;
            dp = dp.map((dj, j) => c.y[j]! * (dj - dot));
          } else {
            dp = dp.map((dj, j) => dj * dact(l.activation, c.pre[j]!));
          }
        }
        const gK = view(first[li]!, l.inputDim * l.units);
        for (let k = 0; k < l.inputDim; k++) for (let j = 0; j < l.units; j++) gK[k * l.units + j]! += c.v[k]! * dp[j]!;
        if (l.useBias) { const gB = view(first[li]! + 1, l.units); for (let j = 0; j < l.units; j++) gB[j]! += dp[j]!; }
        const dv = new Float64Array(l.inputDim);
        for (let k = 0; k < l.inputDim; k++) { let s = 0; for (let j = 0; j < l.units; j++) s += l.kernel[k * l.units + j]! * dp[j]!; dv[k] = s; }
        dVec = applyMask(dv, masks[li]![0]!);
      } else {
        let dh: Seq;
        if (l.returnSequences) dh = dSeq!;
        else {
          dh = Array.from({ length: T }, () => new Float64Array(l.units));
          dh[T - 1] = dVec!;
        }
        const g = (l.kind === 'lstm' ? 4 : 3) * l.units;
        const gK = view(first[li]!, l.inputDim * g), gU = view(first[li]! + 1, l.units * g);
        const gB = l.useBias ? view(first[li]! + 2, l.kind === 'gru' && l.resetAfter ? 2 * g : g) : null;
        const dx = l.kind === 'lstm' ? lstmBackward(l, cache as LstmCache, dh, gK, gU, gB) : gruBackward(l, cache as GruCache, dh, gK, gU, gB);
        dSeq = dx.map((row, t) => applyMask(row, masks[li]![t]!));
        dVec = null;
      }
    }
  }
  return { loss: lossSum / batch, grads, outputs };
}

/** Loss only (forward), float64: for finite differences and evaluation. */
export function referenceLoss(a: LossArgs): number {
  return referenceLossAndGrads(a).loss;
}
