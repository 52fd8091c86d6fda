/** momentum indicators (TypeScript reference + streaming); kernels in native/ta/kernels/momentum.h. */
import type { IndicatorSpec } from '../spec.js';

export const MOMENTUM_INDICATORS: IndicatorSpec[] = [];
