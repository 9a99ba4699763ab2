/** What every client command shares: the global options, a client for the endpoint, and parsing helpers. */
import { type Command, InvalidArgumentError } from 'commander';
import { ApiClient } from './client.js';
import { removePartialFiles } from './local.js';
import { notice } from './progress.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9090';

export interface GlobalOptions {
  endpoint: string;
  token?: string;
  quiet?: boolean;
}

/** Ctrl-C during a transfer: no half-written download is left behind (128 + signal number, as shells do). */
function interrupted(signal: NodeJS.Signals): void {
  removePartialFiles();
  if (process.stderr.isTTY) process.stderr.write('\n'); // the prompt goes below the progress bars
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Runs `fn` with a client for the endpoint the options name, and closes the client's sockets after. */
export async function withClient<T>(command: Command, fn: (client: ApiClient, options: GlobalOptions) => Promise<T>): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const onRetry = options.quiet ? undefined : notice;
  const client = new ApiClient({ endpoint: options.endpoint, token: options.token, onRetry });
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    return await fn(client, options);
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await client.close();
  }
}

/** commander's collector for a repeatable option (no default given, so that help shows none). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return n;
}

/**
 * Runs `fn` on every item (of an array, or streamed from an async source such as a folder walk), at most
 * `limit` at a time; stops taking new items after the first failure, and throws it once those in flight end.
 */
export async function forEachLimit<T>(items: Iterable<T> | AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined) {
      try {
        const next = await source.next(); // an async generator queues concurrent next() calls
        if (next.done === true) return;
        await fn(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failure !== undefined) throw failure.error;
}
