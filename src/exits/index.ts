/** Public API of the exit manager: exit plans, the manager, adaptive levels and attribution. */
export { ExitManager, type ExitManagerOptions, type ManagedPosition, type StopProposal, type EntryInfo, type Warning, type StopReason } from './exit-manager.js';
export { exitPlanSchema, parseExitPlan, planAtrPeriods, type ExitPlan, type ExitPlanInput, type StopRule, type TrailingRule } from './plan.js';
export { adaptiveMultipliers, neutralMultipliers, type Multipliers } from './adaptive.js';
export { Attribution, sourceStats, type ExitRecord, type SourceStats } from './attribution.js';
