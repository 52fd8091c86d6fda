/**
 * `neurion train`: trains an LSTM or GRU direction classifier (DOWN / FLAT / UP) on bundled
 * daily data and writes the model (TF.js Layers format) and its model card to --out.
 *
 *   neurion train --symbols SPY,IWM,AAPL --timeframe 1d --model lstm --units 32 --steps 30 \
 *                 --epochs 20 --seed 1 --out models/lstm-spy-iwm-aapl-1d [--dropout 0.2]
 *                 [--search 12 --search-method tpe|random --folds 3]
 *
 * --dropout inserts a Dropout(rate) layer between the recurrent layer and the Dense head (Keras
 * semantics: active in the training steps only, identity for validation, test and inference).
 * --search-method: tpe (default; Tree-structured Parzen Estimator after a few random start-up
 * trials) or random; both score trials by walk-forward validation on the training backend
 * (--backend / NEURION_BACKEND). The model card states the method, the trials and the backend.
 *
 * Exit codes: 2 for bad values (the error names the flag), 1 for usage errors.
 */
import type { Command } from 'commander';
import { SEARCH_METHODS, trainPipeline, type SearchMethod } from '../models/train/pipeline.js';
import { UsageError } from './errors.js';

interface TrainFlags {
  symbols: string; timeframe: string; model: string; units: string; steps: string; epochs: string; seed: string; out?: string;
  lr?: string; batch?: string; clip?: string; patience?: string; horizon: string; k: string; search?: string; searchMethod: string; folds: string; threads?: string; json?: boolean;
  dropout: string;
}

function int(flag: string, raw: string | undefined, lo: number, hi: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`--${flag} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(raw)}`);
  return v;
}

function num(flag: string, raw: string | undefined, lo: number, hi: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`--${flag} must be a number in [${lo}, ${hi}], got ${JSON.stringify(raw)}`);
  return v;
}

export function registerTrainCommand(program: Command, out: (s: string) => void): void {
  program
    .command('train')
    .description('train an LSTM / GRU direction model on bundled daily data; writes model.json, weights and a model card')
    .option('--symbols <list>', 'comma-separated bundled symbols', 'SPY,IWM,AAPL')
    .option('--timeframe <tf>', 'bar timeframe (only 1d is supported)', '1d')
    .option('--model <kind>', 'lstm or gru', 'lstm')
    .option('--units <n>', 'recurrent units', '32')
    .option('--steps <n>', 'window length in bars', '30')
    .option('--epochs <n>', 'maximum epochs', '20')
    .option('--seed <n>', 'seed (weights, shuffling, search)', '1')
    .option('--out <dir>', 'output directory (default models/<model>-<symbols>-1d)')
    .option('--lr <x>', 'Adam learning rate', '0.001')
    .option('--batch <n>', 'batch size', '128')
    .option('--clip <x>', 'clip gradients by this global norm', '1')
    .option('--patience <n>', 'early-stopping patience in epochs', '4')
    .option('--horizon <n>', 'label horizon in bars', '5')
    .option('--k <x>', 'label threshold in units of sigma20 * sqrt(horizon)', '0.5')
    .option('--dropout <rate>', 'Dropout rate before the Dense head, in [0, 1) (training only; 0: no Dropout layer)', '0')
    .option('--search <n>', 'hyperparameter search trials (units, lr, batch, clip) scored by walk-forward validation')
    .option('--search-method <m>', 'search method: tpe (Tree-structured Parzen Estimator, Bergstra et al. 2011) or random', 'tpe')
    .option('--folds <n>', 'walk-forward folds for --search', '3')
    .option('--threads <n>', 'native threads (default: all cores)')
    .option('--json', 'print the model card as JSON')
    .action((o: TrainFlags) => {
      if (o.timeframe !== '1d') throw new RangeError(`--timeframe must be 1d (the data set is built from the bundled daily series), got ${JSON.stringify(o.timeframe)}`);
      if (o.model !== 'lstm' && o.model !== 'gru') throw new RangeError(`--model must be lstm or gru, got ${JSON.stringify(o.model)}`);
      const symbols = o.symbols.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
      if (symbols.length === 0) throw new UsageError('--symbols needs at least one symbol');
      const units = int('units', o.units, 1, 1024)!;
      if (!(SEARCH_METHODS as readonly string[]).includes(o.searchMethod)) throw new RangeError(`--search-method must be one of ${SEARCH_METHODS.join(', ')}, got ${JSON.stringify(o.searchMethod)}`);
      const dropout = num('dropout', o.dropout, 0, 0.95)!;
      const outDir = o.out ?? `models/${o.model}-${symbols.join('-').toLowerCase()}-1d`;
      const { card } = trainPipeline({
        symbols, model: o.model, units, steps: int('steps', o.steps, 1, 500)!, epochs: int('epochs', o.epochs, 1, 1000)!, seed: int('seed', o.seed, 0, 2 ** 31)!,
        out: outDir, name: outDir.split(/[\\/]/).filter(Boolean).pop(),
        learningRate: num('lr', o.lr, 1e-6, 1), batchSize: int('batch', o.batch, 1, 65536), clipNorm: num('clip', o.clip, 1e-6, 1e6), patience: int('patience', o.patience, 1, 1000),
        labels: { horizon: int('horizon', o.horizon, 1, 250)!, k: num('k', o.k, 0, 10)! },
        dropout, search: int('search', o.search, 0, 1000) ?? 0, searchMethod: o.searchMethod as SearchMethod, folds: int('folds', o.folds, 1, 20), threads: int('threads', o.threads, 1, 256),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (o.json) { out(`${JSON.stringify(card, null, 2)}\n`); return; }
      const t = card.metrics.test;
      out(`${card.name}: ${card.model.layers}, ${card.model.params} params -> ${outDir}\n`);
      if (card.search) {
        const h = card.hyperparameters;
        out(`search: ${card.search.trials.length} trials, method ${card.search.method}, backend ${card.search.backend}; chosen units ${h.units}, lr ${h.learningRate}, batch ${h.batchSize}, clip ${h.clipNorm}\n`);
      }
      out(`test accuracy ${(100 * t.model.accuracy).toFixed(1)}% (majority ${(100 * t.majority.accuracy).toFixed(1)}%, logistic ${(100 * t.logistic.accuracy).toFixed(1)}%), `
        + `log-loss ${t.model.logLoss.toFixed(4)} (majority ${t.majority.logLoss.toFixed(4)}, logistic ${t.logistic.logLoss.toFixed(4)})\n`);
      out(`${card.verdict}\n`);
    });
}
