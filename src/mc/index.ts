/** Public API of the Monte Carlo scenario engine. */
export { runMonteCarlo, validateConfig, summarize, samplePaths, type McConfig, type McResult, type McRunOptions } from './engine.js';
export { packModel, type ModelSpec, type PackedModel } from './models.js';
export { mcSimulateOp, compareAccumulators, type McSimulateArgs } from './op.js';
export { ACC, ACC_HEADER, accLength, createAccumulator, mergeAccumulators, mergeInto, specArray, type HistogramSpec } from './accumulator.js';
export { histQuantile, histLowerTailMean, valueHistogram, drawdownHistogram, valueMoments, drawdownMoments, riskAtLevels } from './stats.js';
export { MODEL_IDS, MODEL_NAMES, STREAMS } from './model-params.js';
export { writePathSamplesArrow, pathSamplesTable } from './arrow.js';
export { fitGbm, fitGarchModel, fitMerton, fitHeston, mertonLogLikelihood, type FitInfo } from './fit.js';
