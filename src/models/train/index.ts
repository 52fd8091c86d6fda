/**
 * Training for the recurrent models: float64 BPTT reference, the `nn.trainGrad` op (TS
 * reference + native CPU kernel), Adam / SGD / clipping, the deterministic training loop, the
 * data set (features, labels, embargoed chronological split), metrics and baselines, the
 * `neurion train` pipeline with walk-forward hyperparameter search, and the live-signal helper.
 */
export { referenceLossAndGrads, referenceLoss, paramLayout, getParams, setParams, checkTrainable, act, dact, dropoutScale, dropoutRates, type LossKind, type LossAndGrads, type LossArgs } from './grad-reference.js';
export { nnTrainGradOp, NN_TRAIN_OPS, nativeTrainGrad, trainAddon, trainingBackend, gatherWindows, validateTrainGrad, type TrainGradArgs, type TrainGradResult } from './grad.js';
export { Adam, Sgd, createOptimizer, clipByGlobalNorm, globalNorm, type Optimizer, type OptimizerConfig, type AdamConfig, type SgdConfig } from './optim.js';
export { fit, evaluate, shuffleOrder, gradFunction, dropoutStepKey, type FitOptions, type FitResult, type EpochLog, type WindowSet } from './trainer.js';
export {
  buildDataset, computeFeatures, computeLabels, adjustSplits, normaliseRow, FEATURE_NAMES, FEATURE_LOOKBACK, CLASS_NAMES, SPLITS, DEFAULT_LABELS,
  type Dataset, type DatasetOptions, type Split, type LabelConfig,
} from './dataset.js';
export { classMetrics, majorityBaseline, fitLogistic, predictLogistic, lastStep, type ClassMetrics } from './metrics.js';
export { trainPipeline, runSearch, sampleHyper, tpeSuggest, HYPER_SPACE, walkForwardFolds, loadTrainedModel, liveSignal, cardMarkdown, type ModelCard, type TrainPipelineOptions, type TrainedModel, type LiveSignal, type Hyper } from './pipeline.js';
