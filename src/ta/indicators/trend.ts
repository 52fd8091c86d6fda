/** trend indicators (TypeScript reference + streaming); kernels in native/ta/kernels/trend.h. */
import type { IndicatorSpec } from '../spec.js';

export const TREND_INDICATORS: IndicatorSpec[] = [];
