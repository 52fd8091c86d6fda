/** statistics indicators (TypeScript reference + streaming); kernels in native/ta/kernels/statistics.h. */
import type { IndicatorSpec } from '../spec.js';

export const STATISTICS_INDICATORS: IndicatorSpec[] = [];
