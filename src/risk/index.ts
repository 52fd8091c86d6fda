/**
 * Public API of the risk analytics (see src/risk/README.md for the conventions): linear
 * algebra for covariances, returns, GARCH, VaR/CVaR and backtests, closed-form option prices,
 * stress scenarios and trade-sequence Monte Carlo. The Monte Carlo engine (src/mc) imports
 * from here; these names are kept stable.
 */
export {
  checkSymmetric, cholesky, correlationFromCovariance, covariance, covarianceFromCorrelation, lowerTriangularMultiply, matVec,
  quadraticForm, rowsOf, validateCorrelation,
} from './linalg.js';
export type { CholeskyOptions, CorrelationCheckOptions, CovarianceOptions } from './linalg.js';

export {
  annualizeReturn, annualizeSharpe, annualizeVolatility, logReturns, logToSimple, periodsPerYear, returnsOf, simpleReturns, simpleToLog, splitAdjust,
} from './returns.js';
export type { Calendar, ReturnKind } from './returns.js';

export { mean, moments, quantileInterpolated, quantileSorted, stdev, variance } from './stats.js';
export type { Moments } from './stats.js';

export { chiSquareCdf, chiSquareInv, chiSquareSf, gammaP, gammaQ, lnGamma, normCdf, normInv, normPdf, standardizedTLogPdf } from './distributions.js';
export { gaussLegendre, integrateAdaptive, integrateGaussLegendre, integrateToInfinity } from './quadrature.js';
export type { AdaptiveOptions, IntegrationResult } from './quadrature.js';
export { nelderMead } from './optimize.js';
export type { NelderMeadOptions, NelderMeadResult } from './optimize.js';

export { fitGarch, garchForecast, garchLogLikelihood, garchVariance, simulateGarch } from './garch.js';
export type { GarchDist, GarchFit, GarchFitOptions, GarchForecast, GarchParams, GarchSimulationOptions } from './garch.js';

export {
  christoffersenTest, computeVar, cornishFisherQuantile, cornishFisherVar, cornishFisherVarFromMoments, historicalVar, kupiecTest, normalVar,
  parametricVar, portfolioHistoricalVar, portfolioNormalVar, portfolioReturns, varBacktest, varFromQuantile, varFromSample,
} from './var.js';
export type {
  ChristoffersenResult, KupiecResult, LrTest, PortfolioNormalVarResult, SampleVarOptions, VarBacktestResult, VarMethod, VarOptions, VarResult,
} from './var.js';

export {
  blackScholes, blackScholesCharacteristic, fourierPrice, gbmTerminalMoments, hestonCharacteristic, hestonPrice, mertonCharacteristic,
  mertonFourierPrice, mertonPrice,
} from './closed-form.js';
export type { CharacteristicFunction, FourierOptions, GbmTerminalMoments, HestonParams, MertonParams, OptionContract, OptionType } from './closed-form.js';

export { getStressScenario, isBundledDaily, runAllStress, runStress, stressScenarios } from './stress.js';
export type {
  Shock, ShockSource, StressAssetClass, StressPortfolio, StressPosition, StressPositionResult, StressResult, StressScenario,
} from './stress.js';

export { runTradeSequence, simulateTradePaths, wilsonInterval } from './trade-sequence.js';
export type { Distribution, ResampleMethod, TradePathStats, TradeSequenceOptions, TradeSequenceResult } from './trade-sequence.js';
