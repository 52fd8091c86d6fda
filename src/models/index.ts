/**
 * Recurrent-network models: layers with Keras / TF.js semantics (./layers.ts, weight layout
 * documented there), the TF.js Layers format (./tfjs-format.ts), batched inference on every
 * backend (the `nn.forward` op, ./op.ts), compiled models and streaming sessions (./session.ts).
 */
import type { RunOptions } from '../compute/run.js';
import { runOp } from '../compute/run.js';
import type { Model } from './layers.js';
import { nnForwardOp } from './op.js';

export * from './layers.js';
export { referenceForward, referenceStep, zeroState, activate, type ReferenceState } from './reference.js';
export { nnForwardOp, NN_OPS, randomSmallModel, forwardOutputLength, type NnForwardArgs } from './op.js';
export { encodeModel, compileNative, nnAddon, type NnAddon, type NnModelInfo, type NativeModelHandle, type NativeSessionHandle } from './native.js';
export { CompiledModel, compileModel, createSession, type Session, type ModelRunOptions, type PredictOptions } from './session.js';
export {
  ModelFormatError, loadModel, saveModel, modelFromArtifacts, modelToArtifacts, modelToTopology, readModelFiles,
  type ModelJson, type WeightSpec, type WeightsManifestGroup, type SaveOptions,
} from './tfjs-format.js';
export { fileIOHandler, type FileIOHandler, type TfjsModelArtifacts } from './tfjs-io.js';

/**
 * Batched inference through the op registry (validation, backend choice): x [batch, timesteps,
 * features] -> [batch, units] (or [batch, timesteps, units]). Stateless: native backends pack
 * the weights on each call; use compileModel for repeated calls on the same model.
 */
export function predict(model: Model, x: Float64Array | Float32Array, shape: { batch: number; timesteps: number; out?: Float64Array }, opts: RunOptions = {}): Float64Array {
  return runOp(nnForwardOp, { model, x, batch: shape.batch, timesteps: shape.timesteps, out: shape.out }, opts);
}
