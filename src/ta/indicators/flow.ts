/** flow indicators (TypeScript reference + streaming); kernels in native/ta/kernels/flow.h. */
import type { IndicatorSpec } from '../spec.js';

export const FLOW_INDICATORS: IndicatorSpec[] = [];
