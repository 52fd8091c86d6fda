/**
 * The TF.js Layers format: `model.json` (modelTopology = a Keras Sequential config, plus a
 * weightsManifest) and binary weight shards (float32 little-endian, concatenated in manifest
 * order, each weight row-major in its Keras shape). Neurion reads what TF.js and the
 * tensorflowjs converter write (Sequential models of InputLayer / LSTM / GRU / Dense / Dropout)
 * and writes files that `tf.loadLayersModel` loads (tests/models.tfjs.test.ts).
 *
 * Anything else fails with a ModelFormatError naming the file, the layer and the field:
 * unsupported layer types, activations or options (return_state, go_backwards, stateful),
 * graph models, quantized or non-float32 weights, missing / extra / mis-shaped weights,
 * truncated or oversized shards, non-finite weights, malformed JSON.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import {
  ACTIVATIONS, modelWeights, validateModel, weightShapes,
  type Activation, type Layer, type Model, type RecurrentLayerActivation,
} from './layers.js';

export class ModelFormatError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFormatError';
    this.file = file;
  }
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface ModelJson {
  modelTopology: Record<string, unknown>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: WeightsManifestGroup[];
}

const SUPPORTED = 'InputLayer, LSTM, GRU, Dense, Dropout';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** config[snake] ?? config[camel]. */
function get(cfg: Obj, snake: string): unknown {
  if (snake in cfg) return cfg[snake];
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return cfg[camel];
}

// ---------------------------------------------------------------------------------------------
// Topology -> layer descriptions
// ---------------------------------------------------------------------------------------------

interface ParsedLayer {
  className: string;
  name: string;
  /** The layer's config fields (kind, name, units, ...); weights and inputDim come later. */
  layer: { kind: Layer['kind']; name: string; [field: string]: unknown };
  resetAfterExplicit?: boolean;
}

function sequentialLayers(topology: unknown, file: string): { name: string; layers: unknown[] } {
  if (!isObj(topology)) throw new ModelFormatError(file, 'modelTopology must be an object');
  // The converter from Keras .h5 nests the model config under model_config.
  const top = isObj(topology.model_config) ? topology.model_config : topology;
  const cls = top.class_name;
  if (cls !== 'Sequential') {
    throw new ModelFormatError(file, `only Sequential models are supported; modelTopology.class_name is ${JSON.stringify(cls)}${cls === 'Model' || cls === 'Functional' ? ' (a functional model: rebuild it as a Sequential stack)' : ''}`);
  }
  const cfg = top.config;
  if (Array.isArray(cfg)) return { name: 'sequential', layers: cfg }; // Keras < 2.2.3 wrote the layer list directly
  if (!isObj(cfg) || !Array.isArray(cfg.layers)) throw new ModelFormatError(file, 'Sequential config must have a layers array');
  return { name: typeof cfg.name === 'string' ? cfg.name : 'sequential', layers: cfg.layers };
}

function activation(file: string, where: string, field: string, v: unknown, allowSoftmax: boolean): Activation {
  const a = v === null || v === undefined ? 'linear' : v;
  if (typeof a !== 'string' || !(ACTIVATIONS as readonly string[]).includes(a) || (!allowSoftmax && a === 'softmax')) {
    const ok = ACTIVATIONS.filter((x) => allowSoftmax || x !== 'softmax').join(', ');
    throw new ModelFormatError(file, `${where}: unsupported ${field} ${JSON.stringify(a)}; supported: ${ok}`);
  }
  return a as Activation;
}

function flag(file: string, where: string, cfg: Obj, key: string, dflt: boolean): boolean {
  const v = get(cfg, key);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new ModelFormatError(file, `${where}: ${key} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function positiveInt(file: string, where: string, key: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new ModelFormatError(file, `${where}: ${key} must be an integer in [1, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function inputShapeOf(cfg: Obj): unknown {
  return get(cfg, 'batch_input_shape') ?? get(cfg, 'batch_shape') ?? (Array.isArray(get(cfg, 'input_shape')) ? [null, ...(get(cfg, 'input_shape') as unknown[])] : undefined);
}

function parseTopology(topology: unknown, file: string): { name: string; timesteps: number | null; features: number; parsed: ParsedLayer[] } {
  const { name, layers } = sequentialLayers(topology, file);
  let shape: unknown;
  const parsed: ParsedLayer[] = [];
  layers.forEach((entry, i) => {
    if (!isObj(entry) || typeof entry.class_name !== 'string' || !isObj(entry.config)) {
      throw new ModelFormatError(file, `layer ${i}: must be {class_name, config}, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    const cls = entry.class_name;
    const cfg = entry.config;
    const lname = typeof cfg.name === 'string' && cfg.name !== '' ? cfg.name : `${cls.toLowerCase()}_${i}`;
    const where = `layer ${i} (${cls} '${lname}')`;
    if (parsed.length === 0 && shape === undefined) shape = inputShapeOf(cfg);
    const dtype = get(cfg, 'dtype');
    if (dtype !== undefined && dtype !== null && dtype !== 'float32' && !(isObj(dtype) && (dtype as Obj).config && ((dtype as Obj).config as Obj).name === 'float32')) {
      throw new ModelFormatError(file, `${where}: dtype ${JSON.stringify(dtype)} is not supported (float32 only)`);
    }
    switch (cls) {
      case 'InputLayer':
        if (parsed.length > 0) throw new ModelFormatError(file, `${where}: an InputLayer may only come first`);
        return;
      case 'Dropout': {
        const rate = get(cfg, 'rate');
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ModelFormatError(file, `${where}: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
        parsed.push({ className: cls, name: lname, layer: { kind: 'dropout', name: lname, rate } });
        return;
      }
      case 'Dense': {
        const units = positiveInt(file, where, 'units', get(cfg, 'units'), 4096);
        parsed.push({
          className: cls, name: lname,
          layer: { kind: 'dense', name: lname, units, activation: activation(file, where, 'activation', get(cfg, 'activation'), true), useBias: flag(file, where, cfg, 'use_bias', true) },
        });
        return;
      }
      case 'LSTM':
      case 'GRU': {
        for (const k of ['return_state', 'go_backwards', 'stateful', 'time_major']) {
          if (flag(file, where, cfg, k, false)) {
            throw new ModelFormatError(file, `${where}: ${k}: true is not supported${k === 'stateful' ? ' (for streaming use createSession, which keeps the state per symbol)' : ''}`);
          }
        }
        const units = positiveInt(file, where, 'units', get(cfg, 'units'), 4096);
        const base = {
          name: lname, units,
          activation: activation(file, where, 'activation', get(cfg, 'activation') ?? 'tanh', false) as RecurrentLayerActivation,
          // Keras / TF.js always write it; absent, the TF.js default applies.
          recurrentActivation: activation(file, where, 'recurrent_activation', get(cfg, 'recurrent_activation') ?? 'hard_sigmoid', false) as RecurrentLayerActivation,
          returnSequences: flag(file, where, cfg, 'return_sequences', false),
          useBias: flag(file, where, cfg, 'use_bias', true),
        };
        if (cls === 'LSTM') {
          parsed.push({ className: cls, name: lname, layer: { kind: 'lstm', ...base } });
        } else {
          const ra = get(cfg, 'reset_after');
          parsed.push({
            className: cls, name: lname,
            layer: { kind: 'gru', resetAfter: ra === true, ...base },
            ...(ra === undefined || ra === null ? {} : { resetAfterExplicit: flag(file, where, cfg, 'reset_after', false) }),
          });
        }
        return;
      }
      default:
        throw new ModelFormatError(file, `${where}: unsupported layer type ${JSON.stringify(cls)}; supported: ${SUPPORTED}`);
    }
  });
  if (parsed.filter((p) => p.layer.kind !== 'dropout').length === 0) throw new ModelFormatError(file, 'the model has no LSTM, GRU or Dense layer');
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new ModelFormatError(file, `the input shape must be [batch, timesteps, features] (batch_input_shape of the first layer), got ${JSON.stringify(shape ?? null)}`);
  }
  const [, t, f] = shape as unknown[];
  if (t !== null && (typeof t !== 'number' || !Number.isInteger(t) || t < 1)) throw new ModelFormatError(file, `input timesteps must be null or a positive integer, got ${JSON.stringify(t)}`);
  const features = positiveInt(file, 'input shape', 'features', f, 65536);
  return { name, timesteps: t as number | null, features, parsed };
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

function flatSpecs(manifest: unknown, file: string): WeightSpec[] {
  if (!Array.isArray(manifest)) throw new ModelFormatError(file, 'weightsManifest must be an array of {paths, weights}');
  const specs: WeightSpec[] = [];
  manifest.forEach((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.weights)) throw new ModelFormatError(file, `weightsManifest[${gi}] must be {paths, weights}`);
    specs.push(...(g.weights as WeightSpec[]));
  });
  return specs;
}

/**
 * Builds a Model from a topology, the manifest's weight specs (in order) and the concatenated
 * weight bytes. `file` names the source in errors.
 */
export function modelFromArtifacts(topology: unknown, weightSpecs: unknown, weightData: Uint8Array, file = 'model.json'): Model {
  const top = parseTopology(topology, file);
  if (!Array.isArray(weightSpecs)) throw new ModelFormatError(file, 'weight specs must be an array');
  const byName = new Map<string, { spec: WeightSpec; offset: number; count: number }>();
  let offset = 0;
  weightSpecs.forEach((s: unknown, i) => {
    if (!isObj(s) || typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new ModelFormatError(file, `weight spec ${i} must be {name, shape: integer[], dtype}, got ${JSON.stringify(s)?.slice(0, 100)}`);
    }
    if (s.quantization !== undefined && s.quantization !== null) throw new ModelFormatError(file, `weight '${s.name}' is quantized (${JSON.stringify(s.quantization)}); only float32 weights are supported`);
    if (s.dtype !== 'float32') throw new ModelFormatError(file, `weight '${s.name}' has dtype ${JSON.stringify(s.dtype)}; only float32 weights are supported`);
    if (byName.has(s.name)) throw new ModelFormatError(file, `weight '${s.name}' appears twice in the weights manifest`);
    const count = (s.shape as number[]).reduce((a, b) => a * b, 1);
    byName.set(s.name, { spec: s as unknown as WeightSpec, offset, count });
    offset += count * 4;
  });
  if (weightData.byteLength !== offset) {
    throw new ModelFormatError(file, `weight data is ${weightData.byteLength} bytes but the manifest needs ${offset} (${weightData.byteLength < offset ? 'truncated' : 'oversized'} or corrupted shard?)`);
  }
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  const used = new Set<string>();

  let width = top.features;
  const layers: Layer[] = top.parsed.map((p, li) => {
    if (p.layer.kind === 'dropout') return p.layer as unknown as Layer;
    const inputDim = width;
    width = p.layer.units as number;
    const layer = { ...p.layer, inputDim } as unknown as Layer & { useBias: boolean; kernel?: Float32Array; recurrentKernel?: Float32Array; bias?: Float32Array | null };
    // A GRU without an explicit reset_after: the bias shape tells ([2, 3u] is reset_after).
    if (layer.kind === 'gru' && p.resetAfterExplicit === undefined && layer.useBias) {
      const b = findWeight(byName, p.name, 'bias');
      if (b && b.spec.shape.length === 2) layer.resetAfter = true;
    }
    const where = `layer ${li} (${p.className} '${p.name}')`;
    for (const { suffix, shape } of weightShapes(layer as Layer)) {
      const w = findWeight(byName, p.name, suffix, (names) => {
        throw new ModelFormatError(file, `${where}: several manifest weights match ${suffix}: ${names.join(', ')}`);
      });
      if (!w) throw new ModelFormatError(file, `${where}: weight '${p.name}/${suffix}' (shape [${shape.join(', ')}]) is missing from the weights manifest`);
      if (w.spec.shape.length !== shape.length || w.spec.shape.some((d, k) => d !== shape[k])) {
        throw new ModelFormatError(file, `${where}: weight '${w.spec.name}' has shape [${w.spec.shape.join(', ')}], expected [${shape.join(', ')}] for ${p.className}(${(layer as { units: number }).units}) on input width ${inputDim}`);
      }
      used.add(w.spec.name);
      const data = new Float32Array(w.count);
      for (let k = 0; k < w.count; k++) {
        const v = view.getFloat32(w.offset + 4 * k, true);
        if (!Number.isFinite(v)) throw new ModelFormatError(file, `${where}: weight '${w.spec.name}' index ${k} is ${v} (corrupted shard?)`);
        data[k] = v;
      }
      if (suffix === 'kernel') layer.kernel = data;
      else if (suffix === 'recurrent_kernel') (layer as { recurrentKernel?: Float32Array }).recurrentKernel = data;
      else layer.bias = data;
    }
    if (!layer.useBias) layer.bias = null;
    return layer as Layer;
  });
  const extra = [...byName.keys()].filter((n) => !used.has(n));
  if (extra.length > 0) throw new ModelFormatError(file, `weights manifest has weights no layer uses: ${extra.join(', ')}`);
  const model: Model = { name: top.name, timesteps: top.timesteps, features: top.features, layers };
  try {
    validateModel('loadModel', model);
  } catch (e) {
    throw new ModelFormatError(file, (e as Error).message);
  }
  return model;
}

function findWeight(
  byName: Map<string, { spec: WeightSpec; offset: number; count: number }>, layer: string, suffix: string,
  onAmbiguous?: (names: string[]) => never,
): { spec: WeightSpec; offset: number; count: number } | undefined {
  const exact = byName.get(`${layer}/${suffix}`);
  if (exact) return exact;
  // Keras / the converter may name cell weights '<layer>/<cell>/<suffix>' (e.g. lstm/lstm_cell/kernel).
  const hits = [...byName.keys()].filter((n) => n.startsWith(`${layer}/`) && n.endsWith(`/${suffix}`));
  if (hits.length > 1 && onAmbiguous) onAmbiguous(hits);
  return hits.length === 1 ? byName.get(hits[0]!) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Model -> topology, artifacts
// ---------------------------------------------------------------------------------------------

export function modelToTopology(model: Model): Record<string, unknown> {
  validateModel('saveModel', model);
  const layers = model.layers.map((l, i) => {
    const first = i === 0 ? { batch_input_shape: [null, model.timesteps, model.features] } : {};
    if (l.kind === 'dropout') return { class_name: 'Dropout', config: { name: l.name, trainable: true, ...first, rate: l.rate, noise_shape: null, seed: null } };
    if (l.kind === 'dense') {
      return { class_name: 'Dense', config: { name: l.name, trainable: true, ...first, dtype: 'float32', units: l.units, activation: l.activation, use_bias: l.useBias } };
    }
    return {
      class_name: l.kind === 'lstm' ? 'LSTM' : 'GRU',
      config: {
        name: l.name, trainable: true, ...first, dtype: 'float32', units: l.units,
        activation: l.activation, recurrent_activation: l.recurrentActivation, use_bias: l.useBias,
        ...(l.kind === 'lstm' ? { unit_forget_bias: true } : { reset_after: l.resetAfter }),
        dropout: 0, recurrent_dropout: 0, return_sequences: l.returnSequences,
        return_state: false, go_backwards: false, stateful: false, unroll: false,
      },
    };
  });
  return { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
}

/** The pieces TF.js calls ModelArtifacts: topology, weight specs (manifest order) and the weight bytes. */
export function modelToArtifacts(model: Model): { modelTopology: Record<string, unknown>; weightSpecs: WeightSpec[]; weightData: Uint8Array } {
  const modelTopology = modelToTopology(model);
  const ws = modelWeights(model);
  const weightSpecs = ws.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' }));
  const bytes = new Uint8Array(ws.reduce((a, w) => a + 4 * w.data.length, 0));
  const view = new DataView(bytes.buffer);
  let o = 0;
  for (const w of ws) for (let k = 0; k < w.data.length; k++, o += 4) view.setFloat32(o, w.data[k]!, true);
  return { modelTopology, weightSpecs, weightData: bytes };
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** model.json's path for a path that is either the file or its directory. */
function modelJsonPath(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : path;
}

/** Reads model.json and its shards (paths relative to model.json's directory, which they may not leave). */
export function readModelFiles(path: string): { file: string; json: ModelJson; weightSpecs: WeightSpec[]; weightData: Uint8Array } {
  const file = modelJsonPath(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelFormatError(file, `cannot read the model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(json)) throw new ModelFormatError(file, 'model.json must hold a JSON object');
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ModelFormatError(file, `format ${JSON.stringify(json.format)} is not supported (only TF.js 'layers-model'; graph models carry no layer configs)`);
  }
  if (!isObj(json.modelTopology)) throw new ModelFormatError(file, 'modelTopology is missing or not an object');
  const weightSpecs = flatSpecs(json.weightsManifest, file);
  const dir = dirname(resolve(file));
  const parts: Uint8Array[] = [];
  (json.weightsManifest as WeightsManifestGroup[]).forEach((g, gi) => {
    if (!Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string' && p !== '')) throw new ModelFormatError(file, `weightsManifest[${gi}].paths must be an array of file names`);
    for (const p of g.paths) {
      const full = resolve(dir, normalize(p));
      if (isAbsolute(p) || !(full.startsWith(dir + sep))) throw new ModelFormatError(file, `shard path ${JSON.stringify(p)} must be relative to the model.json directory and stay inside it`);
      try {
        parts.push(readFileSync(full));
      } catch (e) {
        throw new ModelFormatError(file, `cannot read weight shard ${JSON.stringify(p)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
  });
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const weightData = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { weightData.set(p, o); o += p.byteLength; }
  return { file, json: json as unknown as ModelJson, weightSpecs, weightData };
}

/** Loads a TF.js Layers model (path to model.json, or its directory). */
export function loadModel(path: string): Model {
  const { file, json, weightSpecs, weightData } = readModelFiles(path);
  return modelFromArtifacts(json.modelTopology, weightSpecs, weightData, file);
}

export interface SaveOptions {
  /** Largest shard in bytes (TF.js' default is 4 MiB); a weight may span shards. */
  shardBytes?: number;
}

/**
 * Writes `model.json` and `group1-shard<i>of<n>.bin` into `dir` (created if needed), or to
 * the given path when it ends in `.json`. Returns the paths written.
 */
export function saveModel(model: Model, path: string, opts: SaveOptions = {}): { modelJson: string; shards: string[] } {
  const shardBytes = opts.shardBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(shardBytes) || shardBytes < 4) throw new RangeError(`saveModel: shardBytes must be an integer >= 4, got ${shardBytes}`);
  const file = path.endsWith('.json') ? path : join(path, 'model.json');
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const { modelTopology, weightSpecs, weightData } = modelToArtifacts(model);
  const n = Math.max(1, Math.ceil(weightData.byteLength / shardBytes));
  const names = Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
  names.forEach((name, i) => writeFileSync(join(dir, name), weightData.subarray(i * shardBytes, Math.min(weightData.byteLength, (i + 1) * shardBytes))));
  const json: ModelJson = {
    modelTopology, format: 'layers-model', generatedBy: 'neurion', convertedBy: null,
    weightsManifest: [{ paths: names, weights: weightSpecs }],
  };
  writeFileSync(file, `${JSON.stringify(json)}\n`);
  return { modelJson: file, shards: names.map((s) => join(dir, s)) };
}
