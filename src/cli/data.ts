/** `neurion data ...`: validate, convert and list market data files. */
import type { Command } from 'commander';
import { convertCsvToArrow, listBundled, summarizeReport, validateFile, type Problem } from '../data/index.js';
import { isTimeframe, type Timeframe } from '../data/bars.js';
import { DataError } from '../errors.js';

function intOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

function timeframeOption(v: string): Timeframe {
  if (!isTimeframe(v)) throw new RangeError(`--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1mo; got ${JSON.stringify(v)}`);
  return v;
}

function problemLine(p: Problem): string {
  return `  ${p.severity.padEnd(7)} row ${String(p.row).padStart(7)}  ${p.field.padEnd(7)} = ${String(p.value).padEnd(14)} ${p.message}`;
}

export function registerDataCommands(program: Command, out: (s: string) => void): void {
  const data = program.command('data').description('validate, convert and list OHLCV data files (CSV or Arrow)');

  data
    .command('validate <file>')
    .description('check every row of a .csv/.arrow file: NaN/Inf, non-positive prices, high/low consistency, negative volume, time order, gaps. Exit 2 if any error')
    .option('--json', 'print the full report as JSON')
    .option('--timeframe <tf>', 'bar timeframe (default: from the file name or the median spacing)', timeframeOption)
    .option('--max-gap-bars <n>', 'intraday: report gaps longer than n bars as warnings', intOption('max-gap-bars'))
    .option('--max-problems <n>', 'problems listed in full per kind of severity (default 100)', intOption('max-problems'))
    .action((file: string, o: { json?: boolean; timeframe?: Timeframe; maxGapBars?: number; maxProblems?: number }) => {
      const report = validateFile(file, { timeframe: o.timeframe, maxGapBars: o.maxGapBars, maxProblems: o.maxProblems });
      if (o.json) out(JSON.stringify(report, null, 2) + '\n');
      else {
        out(summarizeReport(report) + '\n');
        for (const p of report.problems) out(problemLine(p) + '\n');
        if (report.truncated) out(`  ... (${report.errorCount + report.warningCount - report.problems.length} more; --max-problems raises the limit)\n`);
      }
      if (!report.ok) {
        const first = report.problems.find((p) => p.severity === 'error')!;
        throw new DataError(first, report.problems.filter((p) => p.severity === 'error'));
      }
    });

  data
    .command('convert <csv> <arrow>')
    .description('convert an OHLCV CSV to a columnar Arrow IPC file; refuses invalid input unless --quarantine')
    .option('--quarantine', 'write only the valid rows and list the rows left out')
    .option('--symbol <symbol>', 'symbol stored in the file (default: from the file name)')
    .option('--timeframe <tf>', 'bar timeframe (default: from the file name or the median spacing)', timeframeOption)
    .option('--json', 'print the summary as JSON')
    .action((csv: string, arrow: string, o: { quarantine?: boolean; symbol?: string; timeframe?: Timeframe; json?: boolean }) => {
      const s = convertCsvToArrow(csv, arrow, { onInvalid: o.quarantine ? 'quarantine' : 'throw', symbol: o.symbol, timeframe: o.timeframe });
      if (o.json) {
        out(JSON.stringify(s, null, 2) + '\n');
        return;
      }
      out(`${s.output}: ${s.rows} rows of ${s.symbol} ${s.timeframe ?? '?'} (${s.first} .. ${s.last}), ${s.inputBytes} -> ${s.outputBytes} bytes\n`);
      if (s.removedRows > 0) out(`quarantined ${s.removedRows} invalid rows (file rows ${s.removedRowNumbers.slice(0, 20).join(', ')}${s.removedRows > 20 ? ', ...' : ''})\n`);
      for (const p of s.report.problems.filter((q) => q.severity === 'error').slice(0, 20)) out(problemLine(p) + '\n');
    });

  data
    .command('list')
    .description('list the bundled real market data with provenance')
    .option('--json', 'print the catalog entries as JSON')
    .action((o: { json?: boolean }) => {
      const entries = listBundled();
      if (o.json) {
        out(JSON.stringify(entries, null, 2) + '\n');
        return;
      }
      out(`${'file'.padEnd(28)} ${'class'.padEnd(9)} ${'rows'.padStart(7)}  ${'first'.padEnd(20)} ${'last'.padEnd(20)} license\n`);
      for (const e of entries) {
        out(`${e.file.padEnd(28)} ${e.assetClass.padEnd(9)} ${String(e.rows).padStart(7)}  ${e.first.padEnd(20)} ${e.last.padEnd(20)} ${e.license} (${e.source.repo})\n`);
      }
    });
}
