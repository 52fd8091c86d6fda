/**
 * The bridge to the native addons: a Model becomes (spec: Int32Array, weights: Float32Array)
 * (format: native/nn/nn_spec.h), which `nnCompile` packs once into a model handle.
 * Both addons export the nn* functions with the same positional signatures.
 */
import type { NativeAddon } from '../compute/backend.js';
import type { Activation, Model } from './layers.js';
import { modelWeights } from './layers.js';

/** Opaque native handles (type-tagged externals). */
export type NativeModelHandle = { readonly __brand: 'NeurionNnModel' };
export type NativeSessionHandle = { readonly __brand: 'NeurionNnSession' };

export interface NnModelInfo {
  features: number;
  timesteps: number;
  outUnits: number;
  outSequence: boolean;
  layers: number;
  packedBytes: number;
  simd: string;
}

export interface NnAddon {
  nnCompile(spec: Int32Array, weights: Float32Array): NativeModelHandle;
  nnModelInfo(model: NativeModelHandle): NnModelInfo;
  nnForward(
    model: NativeModelHandle, x: Float32Array | Float64Array, batch: number, timesteps: number,
    out?: Float32Array | Float64Array, threads?: number,
  ): Float32Array | Float64Array;
  nnSession(model: NativeModelHandle): NativeSessionHandle;
  nnStep(session: NativeSessionHandle, features: Float32Array | Float64Array, out?: Float32Array | Float64Array): Float32Array | Float64Array;
  nnReset(session: NativeSessionHandle): void;
}

export function nnAddon(addon: NativeAddon): NnAddon {
  const a = addon as unknown as Partial<NnAddon>;
  if (typeof a.nnCompile !== 'function') {
    throw new Error('this native addon has no recurrent-network functions (nnCompile); rebuild it (npm run build:native / build:cuda)');
  }
  return a as NnAddon;
}

const ACT_CODE: Record<Activation, number> = { linear: 0, tanh: 1, sigmoid: 2, hard_sigmoid: 3, relu: 4, softmax: 5 };

/** Encodes a validated model (Dropout layers dropped: identity at inference). */
export function encodeModel(model: Model): { spec: Int32Array; weights: Float32Array } {
  const layers = model.layers.filter((l) => l.kind !== 'dropout');
  const spec = new Int32Array(4 + 8 * layers.length);
  spec.set([1, layers.length, model.features, model.timesteps ?? 0]);
  layers.forEach((l, i) => {
    const o = 4 + 8 * i;
    if (l.kind === 'dense') {
      spec.set([3, l.units, l.inputDim, ACT_CODE[l.activation], 0, 0, l.useBias ? 1 : 0, 0], o);
    } else {
      spec.set([
        l.kind === 'lstm' ? 1 : 2, l.units, l.inputDim, ACT_CODE[l.activation], ACT_CODE[l.recurrentActivation],
        l.returnSequences ? 1 : 0, l.useBias ? 1 : 0, l.kind === 'gru' && l.resetAfter ? 1 : 0,
      ], o);
    }
  });
  const ws = modelWeights(model);
  const weights = new Float32Array(ws.reduce((a, w) => a + w.data.length, 0));
  let off = 0;
  for (const w of ws) { weights.set(w.data, off); off += w.data.length; }
  return { spec, weights };
}

export function compileNative(addon: NativeAddon, model: Model): NativeModelHandle {
  const { spec, weights } = encodeModel(model);
  return nnAddon(addon).nnCompile(spec, weights);
}
