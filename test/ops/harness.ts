/** A real listening s3gate on the fs store whose log lines are captured, for the operations tests. */
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';

export type LogLine = Record<string, unknown> & { msg?: string };

export interface CapturedLog {
  logger: Logger;
  text(): string;
  lines(): LogLine[];
  /** Resolves with the first line matching `test`, waiting for it (completion lines follow the answer). */
  until(test: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** The service's own logger (redaction and all), writing JSON lines to memory. */
export function captureLog(level: 'info' | 'debug' = 'info'): CapturedLog {
  const chunks: string[] = [];
  const logger = createLogger({ logLevel: level, logFormat: 'json' }, { write: (line: string) => void chunks.push(line) });
  const text = () => chunks.join('');
  const lines = () => chunks.map((line) => JSON.parse(line) as LogLine);
  return {
    logger,
    text,
    lines,
    async until(test, timeoutMs = 5_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
        const line = lines().find(test);
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no such log line in:\n${text()}`);
    },
  };
}

export interface OpsServer extends TestServer {
  log: CapturedLog;
}

/** An fs-store service with a captured log; `close()` also removes its data. */
export async function opsServer(settings: Record<string, unknown> = {}): Promise<OpsServer> {
  const dir = await tempDir('ops');
  const store = await openFsStore({ dataDir: dir });
  const log = captureLog();
  const server = await startServer(store, settings, log.logger);
  return {
    ...server,
    log,
    async close() {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
