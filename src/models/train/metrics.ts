/**
 * Classification metrics and the two baselines every model card reports beside the model.
 *
 *   accuracy      share of argmax(p) == label
 *   logLoss       mean -ln p[label] (p clipped to [1e-15, 1])
 *   brier         mean over samples of sum_k (p_k - onehot_k)^2   (multi-class Brier, 0 .. 2)
 *   ece           expected calibration error of the top-class confidence, 10 equal-width bins:
 *                 sum_b (n_b / N) |accuracy_b - mean confidence_b|
 *
 *   majority      predicts the training span's class frequencies for every sample (its argmax
 *                 is the training majority class)
 *   logistic      multinomial logistic regression on the LAST time step's normalised features
 *                 (16 inputs + bias), L2 1e-3, full-batch Adam for 600 iterations in float64,
 *                 fitted on the training windows only
 */
export interface ClassMetrics {
  n: number;
  accuracy: number;
  logLoss: number;
  brier: number;
  ece: number;
}

export function classMetrics(probs: ArrayLike<number>, labels: ArrayLike<number>, classes: number): ClassMetrics {
  const n = labels.length;
  let correct = 0, ll = 0, brier = 0;
  const bins = 10;
  const binN = new Float64Array(bins), binAcc = new Float64Array(bins), binConf = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    const hit = best === y ? 1 : 0;
    correct += hit;
    ll += -Math.log(Math.min(1, Math.max(1e-15, probs[i * classes + y]!)));
    for (let k = 0; k < classes; k++) brier += (probs[i * classes + k]! - (k === y ? 1 : 0)) ** 2;
    const conf = probs[i * classes + best]!;
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    binN[b]!++; binAcc[b]! += hit; binConf[b]! += conf;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (binN[b]! > 0) ece += (binN[b]! / n) * Math.abs(binAcc[b]! / binN[b]! - binConf[b]! / binN[b]!);
  return { n, accuracy: correct / n, logLoss: ll / n, brier: brier / n, ece };
}

/** Class frequencies of the training labels, repeated for every evaluated sample. */
export function majorityBaseline(trainLabels: ArrayLike<number>, classes: number, n: number): { probs: Float64Array; prior: number[]; majority: number } {
  const prior = new Array<number>(classes).fill(0);
  for (let i = 0; i < trainLabels.length; i++) prior[trainLabels[i]!]!++;
  for (let k = 0; k < classes; k++) prior[k]! /= trainLabels.length;
  const probs = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) for (let k = 0; k < classes; k++) probs[i * classes + k] = prior[k]!;
  return { probs, prior, majority: prior.indexOf(Math.max(...prior)) };
}

export interface LogisticModel { weights: Float64Array; features: number; classes: number }

/** Last-step features of each window: [n, F]. */
export function lastStep(xs: Float32Array, starts: Int32Array, steps: number, F: number): Float64Array {
  const out = new Float64Array(starts.length * F);
  for (let i = 0; i < starts.length; i++) for (let j = 0; j < F; j++) out[i * F + j] = xs[(starts[i]! + steps - 1) * F + j]!;
  return out;
}

export function fitLogistic(X: Float64Array, y: ArrayLike<number>, F: number, classes: number, opts: { l2?: number; iterations?: number; lr?: number } = {}): LogisticModel {
  const n = y.length, l2 = opts.l2 ?? 1e-3, iters = opts.iterations ?? 600, lr = opts.lr ?? 0.05;
  const P = (F + 1) * classes;
  const w = new Float64Array(P), m = new Float64Array(P), v = new Float64Array(P), g = new Float64Array(P);
  const p = new Float64Array(classes);
  for (let it = 1; it <= iters; it++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let k = 0; k < classes; k++) {
        let s = w[F * classes + k]!;
        for (let j = 0; j < F; j++) s += X[i * F + j]! * w[j * classes + k]!;
        p[k] = s; mx = Math.max(mx, s);
      }
      let z = 0;
      for (let k = 0; k < classes; k++) { p[k] = Math.exp(p[k]! - mx); z += p[k]!; }
      for (let k = 0; k < classes; k++) {
        const d = (p[k]! / z - (k === y[i] ? 1 : 0)) / n;
        for (let j = 0; j < F; j++) g[j * classes + k]! += X[i * F + j]! * d;
        g[F * classes + k]! += d;
      }
    }
    for (let q = 0; q < F * classes; q++) g[q]! += 2 * l2 * w[q]!;
    const c1 = 1 - 0.9 ** it, c2 = 1 - 0.999 ** it;
    for (let q = 0; q < P; q++) {
      m[q] = 0.9 * m[q]! + 0.1 * g[q]!;
      v[q] = 0.999 * v[q]! + 0.001 * g[q]! * g[q]!;
      w[q]! -= (lr * m[q]! / c1) / (Math.sqrt(v[q]! / c2) + 1e-8);
    }
  }
  return { weights: w, features: F, classes };
}

export function predictLogistic(model: LogisticModel, X: Float64Array): Float64Array {
  const { weights: w, features: F, classes } = model;
  const n = X.length / F;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = w[F * classes + k]!;
      for (let j = 0; j < F; j++) s += X[i * F + j]! * w[j * classes + k]!;
      out[i * classes + k] = s; mx = Math.max(mx, s);
    }
    let z = 0;
    for (let k = 0; k < classes; k++) { out[i * classes + k] = Math.exp(out[i * classes + k]! - mx); z += out[i * classes + k]!; }
    for (let k = 0; k < classes; k++) out[i * classes + k]! /= z;
  }
  return out;
}
