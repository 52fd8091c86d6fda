/**
 * Structured logging through pino. Libraries log at the level the config gives; the CLI
 * is quiet by default (warn) and says more with --verbose. Logs go to stderr so that
 * stdout stays clean for JSON and CSV output.
 */
import { pino, type Logger } from 'pino';

let root: Logger | undefined;

export function createLogger(level: string = process.env.NEURION_LOG_LEVEL ?? 'warn'): Logger {
  root = pino({ name: 'neurion', level, base: undefined }, pino.destination(2));
  return root;
}

export function logger(): Logger {
  return root ?? createLogger();
}
