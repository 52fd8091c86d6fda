/** Public API of the data layer: Bars, CSV/Arrow I/O, validation, the bundled data set. */
export { BAR_FIELDS, TIMEFRAME_MS, VALUE_FIELDS, barCount, isTimeframe } from './bars.js';
export type { BarField, Bars, Timeframe } from './bars.js';

export { loadCsv, parseCsv } from './csv.js';
export type { CsvParseOptions, LoadCsvOptions, ParsedCsv } from './csv.js';

export { isZeroCopy, parseArrow, readArrow, writeArrow } from './arrow.js';
export type { ArrowReadOptions, ParsedArrow } from './arrow.js';

export { convertCsvToArrow, formatOf, loadBars, validateFile } from './load.js';
export type { ConvertOptions, ConvertSummary, DataFormat, LoadOptions, ValidateFileOptions } from './load.js';

export { checkBars, summarizeReport, validateBars } from './validate.js';
export type { CheckResult, GapInfo, GapSummary, ValidateOptions, ValidationReport } from './validate.js';

export { DataValidationError, enforcePolicy, selectRows } from './quarantine.js';
export type { LoadedBars, OnInvalid, Quarantine } from './quarantine.js';

export { DEFAULT_MAX_PROBLEMS, ProblemCollector } from './problems.js';
export type { Problem, ProblemKind, Severity } from './problems.js';

export { alignCloses, bundledDataDir, bundledPath, findBundled, listBundled, loadBundled, readCatalog } from './catalog.js';
export type { AlignedCloses, AssetClass, Catalog, CatalogEntry } from './catalog.js';

export { COLUMN_ALIASES, mapColumns, normalizeColumnName } from './columns.js';
export { parseDecimal } from './parse-number.js';
export { epochToMs, formatTime, guessEpochUnit, parseIsoTime } from './parse-time.js';
export type { EpochUnit } from './parse-time.js';
export { inferTimeframe, medianStep, parseDataFileName } from './timeframe.js';
export type { NameParts } from './timeframe.js';
export { SPLITS, adjustSplits, splitsOf } from './splits.js';
