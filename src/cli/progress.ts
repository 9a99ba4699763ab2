/**
 * What a transfer tells the person watching: a bar per file and a total bar on stderr when it is a terminal,
 * and one result line per file on stdout (unless --quiet). Bars never go to a pipe or a log file.
 */
import cliProgress from 'cli-progress';
import { formatBytes } from './output.js';

export interface FileProgress {
  add(bytes: number): void;
  /** The file is finished (or abandoned). */
  done(): void;
}

export interface Reporter {
  /** A bar for one file of `size` bytes. */
  file(name: string, size: number): FileProgress;
  /** A result line for stdout, kept clear of the bars. */
  line(text: string): void;
  /** Removes the bars; call once, also on failure. */
  stop(): void;
}

export interface ReporterOptions {
  quiet: boolean;
  /** Set for a many-file transfer: adds a total bar. */
  total?: { files: number; bytes: number };
  /** Set when stdout carries the data itself (`get ... -`): no result lines there. */
  stdoutIsData?: boolean;
}

/** The bars on the terminal now, if any: notices are written above them instead of through them. */
let onScreen: cliProgress.MultiBar | undefined;

/** A notice for the person watching (`s3gate: ...` on stderr), kept clear of the bars. */
export function notice(text: string): void {
  if (onScreen) onScreen.log(`s3gate: ${text}\n`);
  else process.stderr.write(`s3gate: ${text}\n`);
}

const FORMAT = ' {bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {name}';

function humanValue(value: number, _options: cliProgress.Options, type: cliProgress.ValueType): string {
  return type === 'value' || type === 'total' ? formatBytes(value) : String(value);
}

/** Whether a reporter draws bars: only on a terminal, and not with --quiet. */
export function showsBars(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY;
}

export function createReporter(options: ReporterOptions): Reporter {
  const printLine = (text: string) => {
    if (!options.quiet && !options.stdoutIsData) process.stdout.write(`${text}\n`);
  };
  if (!showsBars(options.quiet)) {
    return { file: () => ({ add() {}, done() {} }), line: printLine, stop() {} };
  }

  const bars = new cliProgress.MultiBar(
    { stream: process.stderr, format: FORMAT, formatValue: humanValue, clearOnComplete: false, forceRedraw: true, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  onScreen = bars;
  const totals = options.total;
  const totalBar = totals ? bars.create(totals.bytes, 0, { name: `total (${totals.files} files)` }) : undefined;
  return {
    file(name, size) {
      const bar = bars.create(size, 0, { name });
      return {
        add(bytes) {
          bar.increment(bytes);
          totalBar?.increment(bytes);
        },
        done() {
          // many files: finished bars make room for the next; one file: its bar stays, as curl's does
          if (totalBar) bars.remove(bar);
        },
      };
    },
    line(text) {
      // on one terminal the line goes above the bars; a redirected stdout gets it as is
      if (process.stdout.isTTY && !options.stdoutIsData) bars.log(`${text}\n`);
      else printLine(text);
    },
    stop() {
      bars.update(); // flushes lines logged since the last redraw: stop() alone would drop them
      bars.stop();
      if (onScreen === bars) onScreen = undefined;
    },
  };
}
