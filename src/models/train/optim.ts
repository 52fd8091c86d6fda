/**
 * Optimizers and gradient clipping on flat parameter vectors (float32 weights, float64 state).
 *
 *   Adam  exactly TF.js's AdamOptimizer (tf.train.adam) update, Kingma & Ba with bias correction:
 *           m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *           w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)      t = 1, 2, ...
 *         defaults lr 0.001, b1 0.9, b2 0.999, eps 1e-7 (TF.js's float32 backend epsilon; Keras's default too).
 *         (TF.js keeps m, v in float32; here they are float64 and the weight is rounded to float32
 *         after each update: the difference is below float32 resolution of the weights.)
 *   SGD   w -= lr * g; with momentum mu (tf.train.momentum, useNesterov false): a = mu a + g; w -= lr a.
 *   clipByGlobalNorm(g, c): g *= c / max(||g||_2, c)   (tf.clipByGlobalNorm / Keras global_clipnorm).
 */

export interface AdamConfig {
  kind: 'adam';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface SgdConfig {
  kind: 'sgd';
  learningRate: number;
  momentum?: number;
}

export type OptimizerConfig = AdamConfig | SgdConfig;

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Steps taken so far. */
  readonly iterations: number;
  /** Applies one update to `params` in place. */
  step(params: Float32Array, grads: Float64Array): void;
}

function checkLr(where: string, lr: unknown): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new RangeError(`${where}: learningRate must be a finite number > 0, got ${String(lr)}`);
}

export class Adam implements Optimizer {
  readonly config: AdamConfig;
  iterations = 0;
  private m: Float64Array;
  private v: Float64Array;
  private accBeta1: number;
  private accBeta2: number;
  constructor(size: number, config: AdamConfig) {
    checkLr('adam', config.learningRate);
    const beta1 = config.beta1 ?? 0.9, beta2 = config.beta2 ?? 0.999, epsilon = config.epsilon ?? 1e-7;
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`adam: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`adam: beta2 must be in [0, 1), got ${beta2}`);
    if (!(epsilon > 0)) throw new RangeError(`adam: epsilon must be > 0, got ${epsilon}`);
    this.config = { kind: 'adam', learningRate: config.learningRate, beta1, beta2, epsilon };
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.accBeta1 = beta1;
    this.accBeta2 = beta2;
  }

  step(params: Float32Array, grads: Float64Array): void {
    const { learningRate: lr } = this.config;
    const b1 = this.config.beta1!, b2 = this.config.beta2!, eps = this.config.epsilon!;
    const c1 = 1 - this.accBeta1, c2 = 1 - this.accBeta2;
    const m = this.m, v = this.v;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi; v[i] = vi;
      params[i] = params[i]! - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps);
    }
    this.accBeta1 *= b1;
    this.accBeta2 *= b2;
    this.iterations++;
  }
}

export class Sgd implements Optimizer {
  readonly config: SgdConfig;
  iterations = 0;
  private acc: Float64Array | null;
  constructor(size: number, config: SgdConfig) {
    checkLr('sgd', config.learningRate);
    const momentum = config.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`sgd: momentum must be in [0, 1), got ${momentum}`);
    this.config = { kind: 'sgd', learningRate: config.learningRate, momentum };
    this.acc = momentum > 0 ? new Float64Array(size) : null;
  }

  step(params: Float32Array, grads: Float64Array): void {
    const lr = this.config.learningRate, mu = this.config.momentum!;
    if (this.acc) {
      const a = this.acc;
      for (let i = 0; i < params.length; i++) { a[i] = mu * a[i]! + grads[i]!; params[i] = params[i]! - lr * a[i]!; }
    } else {
      for (let i = 0; i < params.length; i++) params[i] = params[i]! - lr * grads[i]!;
    }
    this.iterations++;
  }
}

export function createOptimizer(size: number, config: OptimizerConfig): Optimizer {
  if (config.kind === 'adam') return new Adam(size, config);
  if (config.kind === 'sgd') return new Sgd(size, config);
  throw new RangeError(`optimizer kind must be 'adam' or 'sgd', got ${JSON.stringify((config as { kind?: unknown }).kind)}`);
}

export function globalNorm(g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/** Scales g in place so that its L2 norm is at most clipNorm; returns the norm before clipping. */
export function clipByGlobalNorm(g: Float64Array, clipNorm: number): number {
  if (!(clipNorm > 0)) throw new RangeError(`clipNorm must be > 0, got ${clipNorm}`);
  const n = globalNorm(g);
  if (n > clipNorm) {
    const s = clipNorm / n;
    for (let i = 0; i < g.length; i++) g[i]! *= s;
  }
  return n;
}
