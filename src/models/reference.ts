/**
 * The TypeScript reference of recurrent-network inference: float64 everywhere (the float32
 * weights widened exactly), one sequence at a time, gate sums written out term by term.
 * It is the judge of the native backends (src/models/op.ts) and the `js` streaming session.
 * Gate math: see the weight layout at the top of ./layers.ts.
 */
import type { Activation, DenseLayer, GruLayer, LstmLayer, Model } from './layers.js';
import { outputShape } from './layers.js';

export function activate(a: Activation, x: number): number {
  switch (a) {
    case 'linear': return x;
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'hard_sigmoid': return Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'relu': return Math.max(0, x);
    case 'softmax': throw new RangeError('softmax applies to a whole row (Dense layers only)');
  }
}

/** Recurrent state of one sequence: per layer h (and c for LSTM); null for other layers. */
export interface ReferenceState {
  h: Array<Float64Array | null>;
  c: Array<Float64Array | null>;
}

export function zeroState(model: Model): ReferenceState {
  return {
    h: model.layers.map((l) => (l.kind === 'lstm' || l.kind === 'gru' ? new Float64Array(l.units) : null)),
    c: model.layers.map((l) => (l.kind === 'lstm' ? new Float64Array(l.units) : null)),
  };
}

/** z[j] = b[j] + sum_k x[k] W[k, col0 + j] (+ sum_k h[k] U[k, col0 + j]) for j < n; W is [K, ld]. */
function affine(n: number, col0: number, ld: number, x: ArrayLike<number>, W: Float32Array, bias: Float32Array | null, biasOffset: number): Float64Array {
  const z = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = bias ? bias[biasOffset + col0 + j]! : 0;
    for (let k = 0; k < x.length; k++) s += x[k]! * W[k * ld + col0 + j]!;
    z[j] = s;
  }
  return z;
}

function lstmStep(l: LstmLayer, x: ArrayLike<number>, h: Float64Array, c: Float64Array): void {
  const u = l.units, g = 4 * u;
  const gate = (idx: number): Float64Array => {
    const zx = affine(u, idx * u, g, x, l.kernel, l.bias, 0);
    const zh = affine(u, idx * u, g, h, l.recurrentKernel, null, 0);
    return zx.map((v, j) => v + zh[j]!);
  };
  const i = gate(0).map((v) => activate(l.recurrentActivation, v));
  const f = gate(1).map((v) => activate(l.recurrentActivation, v));
  const cc = gate(2).map((v) => activate(l.activation, v));
  const o = gate(3).map((v) => activate(l.recurrentActivation, v));
  for (let j = 0; j < u; j++) {
    c[j] = f[j]! * c[j]! + i[j]! * cc[j]!;
    h[j] = o[j]! * activate(l.activation, c[j]!);
  }
}

function gruStep(l: GruLayer, x: ArrayLike<number>, h: Float64Array): void {
  const u = l.units, g = 3 * u;
  const bi = l.bias;                                   // input bias (row 0 when resetAfter)
  const bh = l.resetAfter && l.bias ? l.bias : null;   // recurrent bias (row 1), offset g
  const xz = affine(u, 0, g, x, l.kernel, bi, 0), xr = affine(u, u, g, x, l.kernel, bi, 0), xh = affine(u, 2 * u, g, x, l.kernel, bi, 0);
  const hz = affine(u, 0, g, h, l.recurrentKernel, bh, g), hr = affine(u, u, g, h, l.recurrentKernel, bh, g);
  const z = xz.map((v, j) => activate(l.recurrentActivation, v + hz[j]!));
  const r = xr.map((v, j) => activate(l.recurrentActivation, v + hr[j]!));
  let hh: Float64Array;
  if (l.resetAfter) {
    const hcand = affine(u, 2 * u, g, h, l.recurrentKernel, bh, g);
    hh = xh.map((v, j) => activate(l.activation, v + r[j]! * hcand[j]!));
  } else {
    const rh = h.map((v, j) => r[j]! * v);
    const hcand = affine(u, 2 * u, g, rh, l.recurrentKernel, null, 0);
    hh = xh.map((v, j) => activate(l.activation, v + hcand[j]!));
  }
  for (let j = 0; j < u; j++) h[j] = z[j]! * h[j]! + (1 - z[j]!) * hh[j]!;
}

function denseApply(l: DenseLayer, x: ArrayLike<number>): Float64Array {
  const y = affine(l.units, 0, l.units, x, l.kernel, l.bias, 0);
  if (l.activation === 'softmax') {
    let m = -Infinity;
    for (const v of y) m = Math.max(m, v);
    let s = 0;
    for (let j = 0; j < y.length; j++) { y[j] = Math.exp(y[j]! - m); s += y[j]!; }
    for (let j = 0; j < y.length; j++) y[j]! /= s;
    return y;
  }
  return y.map((v) => activate(l.activation, v));
}

/**
 * One time step of every layer for one sequence: updates `state` and returns the model's
 * output at this step (the Dense head applied to the current top recurrent output), as if
 * the window ended here. Layers after a recurrent layer with returnSequences false are
 * evaluated only when `final` is true (they see only a window's last step).
 */
export function referenceStep(model: Model, state: ReferenceState, x: ArrayLike<number>, final = true): Float64Array | null {
  let cur: ArrayLike<number> = x;
  let sequence = true;
  for (let i = 0; i < model.layers.length; i++) {
    const l = model.layers[i]!;
    if (l.kind === 'dropout') continue;
    if (!sequence && !final) return null;
    if (l.kind === 'dense') { cur = denseApply(l, cur); continue; }
    if (l.kind === 'lstm') lstmStep(l, cur, state.h[i]!, state.c[i]!);
    else gruStep(l, cur, state.h[i]!);
    cur = state.h[i]!.slice();
    sequence = l.returnSequences;
  }
  return Float64Array.from(cur);
}

/**
 * Forward pass over x [batch, timesteps, features] (row-major, float64 or float32).
 * Output [batch, timesteps, units] when the model's output is a sequence, else [batch, units].
 */
export function referenceForward(model: Model, x: ArrayLike<number>, batch: number, timesteps: number, out?: Float64Array): Float64Array {
  const { units, sequence } = outputShape(model);
  const F = model.features;
  const res = out ?? new Float64Array(batch * (sequence ? timesteps : 1) * units);
  for (let b = 0; b < batch; b++) {
    const state = zeroState(model);
    for (let t = 0; t < timesteps; t++) {
      const last = t === timesteps - 1;
      const row = Array.from({ length: F }, (_, k) => x[(b * timesteps + t) * F + k]!);
      const y = referenceStep(model, state, row, last);
      if (y === null) continue;
      if (sequence) res.set(y, (b * timesteps + t) * units);
      else if (last) res.set(y, b * units);
    }
  }
  return res;
}
