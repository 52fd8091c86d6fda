#!/usr/bin/env node
/**
 * The `neurion` command line. Exit codes: 0 ok, 1 usage (unknown command, bad flag,
 * missing argument), 2 bad input (invalid data, config or parameter values, missing file).
 * Quiet by default; --verbose turns on info-level logs on stderr.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadConfig, type NeurionConfig } from '../config/config.js';
import { ConfigError, DataError, BackendUnavailableError } from '../errors.js';
import { createLogger } from '../util/log.js';
import { collectInfo, formatInfo } from './info.js';
import { registerDataCommands } from './data.js';
import { registerTaCommand } from './ta.js';
import { registerBacktestCommand } from './backtest.js';
import { registerRiskCommands } from './risk.js';
import { registerMcCommand } from './mc.js';
import { registerRiskReportCommand } from './riskreport.js';
import { registerTrainCommand } from './train.js';
import { registerSweepCommand } from './sweep.js';
import { UsageError } from './errors.js';
import { runStart } from './start.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_BAD_INPUT = 2;


export function buildProgram(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const program = new Command('neurion')
    .description('Neurion: a quantitative trading engine with a native C++ and CUDA numerical core')
    .option('-v, --verbose', 'log progress to stderr')
    .option('--backend <name>', 'compute backend: auto, js, cpu or cuda (overrides NEURION_BACKEND)')
    .option('--config <file>', 'configuration file (default: ./neurion.config.json if present)')
    .showHelpAfterError('(run neurion --help for usage)')
    .configureOutput({ writeOut: out })
    .exitOverride();

  program.hook('preAction', (cmd) => {
    const o = cmd.opts<{ verbose?: boolean; backend?: string }>();
    if (o.backend) process.env.NEURION_BACKEND = o.backend;
    createLogger(o.verbose ? 'info' : process.env.NEURION_LOG_LEVEL ?? 'warn');
  });

  const config = (): NeurionConfig => loadConfig({ file: program.opts<{ config?: string }>().config });

  program
    .command('info')
    .description('show the compute backends found, the GPU (if any), versions and build flags')
    .option('--json', 'print one JSON object')
    .action((o: { json?: boolean }) => {
      const report = collectInfo(config());
      out(o.json ? JSON.stringify(report, null, 2) + '\n' : formatInfo(report) + '\n');
    });

  registerDataCommands(program, out);
  registerTaCommand(program, out);
  registerBacktestCommand(program, out);
  registerRiskCommands(program, out);
  registerMcCommand(program, out);
  registerRiskReportCommand(program, out);
  registerTrainCommand(program, out);
  registerSweepCommand(program, out);

  program
    .command('start')
    .description('the main job on embedded defaults (what `npm start` runs): data check, signal, managed backtest, Monte Carlo, VaR, HTML report')
    .option('--json', 'print one JSON summary instead of the progress log')
    .option('--report <file.html>', 'where to write the HTML report (default reports/main-job.html)')
    .action(async (o: { json?: boolean; report?: string }) => {
      await runStart(config(), out, Boolean(o.json), o.report);
    });

  return program;
}

/** Maps an error to an exit code and a one-line message. */
export function classifyError(e: unknown): { code: number; message: string } {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return { code: EXIT_OK, message: '' };
    return { code: EXIT_USAGE, message: '' }; // commander already printed the message
  }
  if (e instanceof UsageError) return { code: EXIT_USAGE, message: `error: ${e.message}` };
  if (e instanceof DataError || e instanceof ConfigError || e instanceof BackendUnavailableError || e instanceof RangeError || e instanceof TypeError) {
    return { code: EXIT_BAD_INPUT, message: `error: ${e.message}` };
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') return { code: EXIT_BAD_INPUT, message: `error: ${(e as Error).message}` };
  return { code: EXIT_USAGE, message: `error: ${(e as Error)?.stack ?? String(e)}` };
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    const { code, message } = classifyError(e);
    if (message) process.stderr.write(message + '\n');
    return code;
  }
}

// Run when executed directly (bin or node dist/src/cli/main.js), not when imported by tests.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === realpathSync(fileURLToPath(import.meta.url))) {
  // A closed pipe (`neurion ta ... | head`) is a normal end of output, not a crash.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main().then((code) => {
    process.exitCode = code;
  });
}
