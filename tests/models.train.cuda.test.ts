// nn.trainGrad on the CUDA addon (kernels/nn_train.cu): the addon validates exactly like the CPU
// addon (shared native/nn/train_args.h; no GPU needed), and with a device its loss, gradients and
// outputs match the CPU core within float32 tolerance on the op's conformance cases (dropout
// included), a bigger stacked LSTM, and repeated / interleaved calls (the device workspace is
// cached across calls). Without a device the valid calls must fail with the runtime's reason.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NativeAddon } from '../src/compute/backend.js';
import { buildModel, outputShape, randomizeWeights } from '../src/models/layers.js';
import { compareTrainGrad, nativeTrainGrad, nnTrainGradOp, trainGradCases, trainingBackend, type TrainGradArgs } from '../src/models/train/grad.js';
import { projectRoot } from '../src/util/paths.js';
import { TestRng } from '../src/util/rng.js';

const cudaPath = join(projectRoot(), 'build-cuda/Release/neurion_cuda.node');
const cpuPath = join(projectRoot(), 'build/Release/neurion.node');
const built = existsSync(cudaPath) && existsSync(cpuPath);
if (!built) console.warn('models.train.cuda: CUDA or CPU addon not built (npm run build:cuda / build:native); skipping');

type Addon = NativeAddon & { nnTrainGrad(...a: unknown[]): number; nnTrainInfo(): { chunk: number; simd: string; accumulation: string }; deviceCount(): number };

describe.runIf(built)('cuda addon nnTrainGrad', () => {
  // vitest still runs this factory when skipped: load the addons only when they exist.
  const require = createRequire(import.meta.url);
  const cuda = (built ? require(cudaPath) : undefined) as Addon;
  const cpu = (built ? require(cpuPath) : undefined) as Addon;
  const devices = built ? cuda.deviceCount() : 0;
  if (built && devices === 0) console.info('models.train.cuda: no CUDA device here; only validation parity and the no-device error are checked');

  const model = buildModel({ timesteps: null, features: 2, layers: [{ kind: 'lstm', units: 2 }, { kind: 'dense', units: 3, activation: 'softmax' }] });
  const spec = new Int32Array([1, 2, 2, 0, 1, 2, 2, 1, 2, 0, 1, 0, 3, 3, 2, 5, 0, 0, 1, 0]);
  const params = new Float32Array(2 * 8 + 2 * 8 + 8 + 2 * 3 + 3).fill(0.1);
  const xs = new Float32Array(20);
  const ok = (): unknown[] => [spec, params, xs, new Int32Array([0, 4]), 3, 0, new Float64Array([0, 2])];
  const message = (a: Addon, args: unknown[]): string => {
    try { a.nnTrainGrad(...args); return 'no error'; } catch (e) { return `${(e as Error).constructor.name}: ${(e as Error).message}`; }
  };

  it('exports nnTrainGrad and nnTrainInfo', () => {
    expect(typeof cuda.nnTrainGrad).toBe('function');
    const info = cuda.nnTrainInfo();
    expect(info.simd).toBe('cuda');
    expect(info.chunk).toBeGreaterThan(0);
    expect(info.accumulation).toMatch(/float32/);
    void model;
  });

  it('rejects bad arguments with the CPU addon\'s error, before touching the device', () => {
    const bad: Array<[string, unknown[]]> = [
      ['no args', []],
      ['spec not Int32Array', [new Float32Array(20), ...ok().slice(1)]],
      ['xs Float64Array', [spec, params, new Float64Array(20), ...ok().slice(3)]],
      ['start past the end', [spec, params, xs, new Int32Array([8]), 3, 0, new Float64Array([0])]],
      ['timesteps 0', [spec, params, xs, new Int32Array([0]), 0, 0, new Float64Array([0])]],
      ['loss 2', [spec, params, xs, new Int32Array([0]), 3, 2, new Float64Array([0])]],
      ['class out of range', [spec, params, xs, new Int32Array([0]), 3, 0, new Float64Array([3])]],
      ['weights wrong length', [spec, params.subarray(1), xs, new Int32Array([0]), 3, 0, new Float64Array([0])]],
      ['non-finite weight', [spec, Float32Array.from(params, (v, i) => (i === 5 ? NaN : v)), xs, new Int32Array([0]), 3, 0, new Float64Array([0])]],
      ['non-finite x', [spec, params, Float32Array.from(xs, (v, i) => (i === 3 ? Infinity : v)), new Int32Array([0]), 3, 0, new Float64Array([0])]],
      ['sample weight negative', [...ok(), Float64Array.of(1, -1)]],
      ['grads wrong length', [...ok(), null, new Float64Array(3)]],
      ['outputs wrong length', [...ok(), null, null, new Float64Array(5)]],
      ['threads 0', [...ok(), null, null, null, 0]],
      ['dropout without key', [...ok(), null, null, null, 1, new Float32Array([0, 0.5])]],
      ['dropout rate 1', [...ok(), null, null, null, 1, new Float32Array([0, 1]), new Uint32Array(2)]],
      ['dropout wrong length', [...ok(), null, null, null, 1, new Float32Array([0.5]), new Uint32Array(2)]],
      ['dropout key length 3', [...ok(), null, null, null, 1, new Float32Array([0, 0.5]), new Uint32Array(3)]],
      ['sequence output', [new Int32Array([1, 1, 2, 0, 1, 2, 2, 1, 2, 1, 1, 0]), new Float32Array(2 * 8 + 2 * 8 + 8), xs, new Int32Array([0]), 3, 1, new Float64Array(2)]],
    ];
    for (const [label, args] of bad) {
      const e = message(cpu, args);
      expect(e, label).not.toBe('no error');
      expect(message(cuda, args), label).toBe(e);
    }
  });

  it.runIf(devices === 0)('without a device a valid call fails with the runtime\'s reason', () => {
    expect(() => cuda.nnTrainGrad(...ok())).toThrow(/^nn\.trainGrad: CUDA: no CUDA device available/);
  });

  describe.runIf(devices > 0)('on the device', () => {
    const run = (addon: Addon, a: TrainGradArgs) => nativeTrainGrad(addon, a, 1);
    it('matches the CPU core on the conformance cases (dropout included)', () => {
      for (const c of trainGradCases(new TestRng(20260)))
        for (const withGrads of [true, false]) {
          const a = { ...c.args, withGrads };
          const cmp = compareTrainGrad(run(cpu, a), run(cuda, a));
          expect(cmp.ok, `${c.label}${withGrads ? '' : ' (forward only)'}: ${cmp.detail}`).toBe(true);
        }
    });

    it('matches the CPU core on LSTM(32) -> LSTM(32) -> Dense(3), 60 steps x 16 features, batch 300, sample weights, dropout', () => {
      const rng = new TestRng(7);
      const m = randomizeWeights(buildModel({
        timesteps: null, features: 16,
        layers: [{ kind: 'lstm', units: 32, returnSequences: true }, { kind: 'dropout', rate: 0.2 }, { kind: 'lstm', units: 32 }, { kind: 'dense', units: 3, activation: 'softmax' }],
      }), 11, 0.3);
      const T = 60, B = 300, rows = 800;
      const xs = Float32Array.from({ length: rows * 16 }, () => rng.normal());
      const starts = Int32Array.from({ length: B }, () => rng.int(0, rows - T));
      const target = Float64Array.from({ length: B }, () => rng.int(0, outputShape(m).units - 1));
      const sampleWeight = Float64Array.from({ length: B }, () => rng.next() * 2);
      const a: TrainGradArgs = { model: m, xs, starts, timesteps: T, loss: 'crossentropy', target, sampleWeight, dropout: { rates: new Float32Array([0, 0.2, 0]), key: new Uint32Array([3, 4]) } };
      const cmp = compareTrainGrad(run(cpu, a), run(cuda, a));
      expect(cmp.ok, cmp.detail).toBe(true);
    });

    it('is deterministic and unaffected by the cached workspace (interleaved models)', () => {
      const cases = trainGradCases(new TestRng(99));
      const first = cases.map((c) => run(cuda, c.args));
      const again = cases.slice().reverse().map((c) => run(cuda, c.args)).reverse();
      for (let i = 0; i < cases.length; i++) {
        expect(again[i]!.loss).toBe(first[i]!.loss);
        expect(Array.from(again[i]!.grads)).toEqual(Array.from(first[i]!.grads));
        expect(Array.from(again[i]!.outputs)).toEqual(Array.from(first[i]!.outputs));
      }
    });

    it('trainingBackend picks cuda when it is available', () => {
      expect(trainingBackend('cuda')).toBe('cuda');
      expect(nnTrainGradOp.name).toBe('nn.trainGrad');
    });
  });
});
