/** volume indicators (TypeScript reference + streaming); kernels in native/ta/kernels/volume.h. */
import type { IndicatorSpec } from '../spec.js';

export const VOLUME_INDICATORS: IndicatorSpec[] = [];
