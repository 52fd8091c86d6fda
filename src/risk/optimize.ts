/**
 * Nelder-Mead simplex minimisation (Nelder & Mead 1965 with the standard coefficients:
 * reflection 1, expansion 2, contraction 1/2, shrink 1/2), deterministic. Used on
 * unconstrained transformed parameters (the caller maps them into the feasible region).
 */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (default 0.5). */
  step?: number | number[];
  /** Stop when max |f_i - f_best| <= fTol * (|f_best| + 1e-8) ... */
  fTol?: number;
  /** ... and the simplex's largest coordinate spread <= xTol. */
  xTol?: number;
  maxIterations?: number;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  iterations: number;
  evaluations: number;
  /** True when the tolerances were met before maxIterations. */
  converged: boolean;
}

export function nelderMead(f: (x: number[]) => number, x0: number[], opts: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  const fTol = opts.fTol ?? 1e-12, xTol = opts.xTol ?? 1e-9, maxIterations = opts.maxIterations ?? 5000;
  let evaluations = 0;
  const F = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity; // infeasible / overflow: worst possible
  };
  const simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    const s = Array.isArray(opts.step) ? opts.step[i]! : opts.step ?? 0.5;
    x[i] = x[i]! + s;
    simplex.push(x);
  }
  let values = simplex.map(F);
  let iterations = 0, converged = false;
  const order = (): void => {
    const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
    const s2 = idx.map((i) => simplex[i]!), v2 = idx.map((i) => values[i]!);
    simplex.splice(0, simplex.length, ...s2);
    values = v2;
  };
  order();
  while (iterations < maxIterations) {
    const fBest = values[0]!, fWorst = values[n]!;
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i]![j]! - simplex[0]![j]!));
    if (Math.abs(fWorst - fBest) <= fTol * (Math.abs(fBest) + 1e-8) && spread <= xTol) { converged = true; break; }
    iterations++;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + simplex[i]![j]! / n;
    const worst = simplex[n]!;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (c - worst[j]!));
    const xr = along(1), fr = F(xr);
    if (fr < values[0]!) {
      const xe = along(2), fe = F(xe);
      if (fe < fr) { simplex[n] = xe; values[n] = fe; } else { simplex[n] = xr; values[n] = fr; }
    } else if (fr < values[n - 1]!) {
      simplex[n] = xr; values[n] = fr;
    } else {
      const outside = fr < values[n]!;
      const xc = along(outside ? 0.5 : -0.5), fc = F(xc);
      if (fc < (outside ? fr : values[n]!)) { simplex[n] = xc; values[n] = fc; } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = F(simplex[i]!);
        }
      }
    }
    order();
  }
  return { x: simplex[0]!, f: values[0]!, iterations, evaluations, converged };
}
