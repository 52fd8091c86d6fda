/** Public API of the risk manager: profiles, sizing, limits and breakers, the Strategy decorator and managed backtests. */
export { RiskManager, dayOf, type EntryIntent, type RiskDecision, type SizingBreakdown, type OrderCheck, type RiskManagerOptions, type ClosedTradeRecord } from './risk-manager.js';
export { AuditTrail, type RiskEvent, type RiskEventKind, type TradingState } from './audit.js';
export { HealthGate, type HealthReport } from './health.js';
export { MarketStats, SymbolStats, pearson, sampleCov, sampleSd } from './market-stats.js';
export { loadRiskProfile, parseRiskProfile, profilesDir, riskProfileSchema, SHIPPED_PROFILES, SIZING_METHODS, type RiskProfile, type RiskProfileInput, type SizingMethod } from './profile.js';
export * from './sizing.js';
export { guardContext, withRiskManager, RiskManagedStrategy } from './guarded-context.js';
export { runManagedBacktest, ManagedStrategy, type ManagedBacktestOptions, type ManagedBacktestResult, type ManagedStrategyOptions, type Signal, type SignalFn } from './managed-backtest.js';
export { donchianSignal, type DonchianSignalParams } from './signals.js';
export { runComparison, formatComparison, renderComparisonHtml, type ComparisonOptions, type ComparisonReport, type ComparisonRow } from './report.js';
