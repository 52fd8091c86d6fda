/** volatility indicators (TypeScript reference + streaming); kernels in native/ta/kernels/volatility.h. */
import type { IndicatorSpec } from '../spec.js';

export const VOLATILITY_INDICATORS: IndicatorSpec[] = [];
