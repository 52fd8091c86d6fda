/**
 * A TF.js IOHandler over local files, for Node without @tensorflow/tfjs-node (whose file://
 * handler needs the native TensorFlow binding):
 *
 *   import * as tf from '@tensorflow/tfjs';
 *   const model = await tf.loadLayersModel(fileIOHandler('models/x/model.json'));
 *   await model.save(fileIOHandler('models/y'));            // writes model.json + weights.bin
 *
 * Structurally typed (no TF.js import): Neurion does not depend on TF.js at run time.
 * Loading goes through the same reader as Neurion's own loadModel (readModelFiles).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readModelFiles, type WeightSpec } from './tfjs-format.js';

export interface TfjsModelArtifacts {
  modelTopology?: object | ArrayBuffer;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  [key: string]: unknown;
}

export interface TfjsSaveResult {
  modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'JSON'; modelTopologyBytes?: number; weightSpecsBytes?: number; weightDataBytes?: number };
}

export interface FileIOHandler {
  load(): Promise<TfjsModelArtifacts>;
  save(artifacts: TfjsModelArtifacts): Promise<TfjsSaveResult>;
}

/** `path`: a model.json file, or a directory holding (or to receive) model.json. */
export function fileIOHandler(path: string): FileIOHandler {
  const jsonPath = (): string => (path.endsWith('.json') ? path : join(path, 'model.json'));
  return {
    async load() {
      const { json, weightSpecs, weightData } = readModelFiles(path);
      const buf = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer;
      return {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: buf,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
      };
    },
    async save(a) {
      if (a.modelTopology instanceof ArrayBuffer) throw new Error('fileIOHandler: binary (GraphDef) model topologies are not supported');
      const file = jsonPath();
      const dir = dirname(file);
      mkdirSync(dir, { recursive: true });
      const parts = a.weightData === undefined ? [] : Array.isArray(a.weightData) ? a.weightData : [a.weightData];
      const total = parts.reduce((s, p) => s + p.byteLength, 0);
      const bytes = new Uint8Array(total);
      let o = 0;
      for (const p of parts) { bytes.set(new Uint8Array(p), o); o += p.byteLength; }
      writeFileSync(join(dir, 'weights.bin'), bytes);
      const json = {
        modelTopology: a.modelTopology,
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      const text = JSON.stringify(json);
      writeFileSync(file, text);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: JSON.stringify(a.modelTopology).length,
          weightSpecsBytes: JSON.stringify(a.weightSpecs ?? []).length, weightDataBytes: total,
        },
      };
    },
  };
}
