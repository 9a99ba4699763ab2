/** A real listening s3gate on a loopback port, over a given store, for HTTP tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { buildS3App } from '../../src/s3-app.js';
import { buildCore, type Core } from '../../src/core/core.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { s3TestConfig } from './s3-test-server.js';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  /** The core the app was built from: its share links, keys and metrics. */
  core: Core;
  store: ObjectStore;
  close(): Promise<void>;
}

/** `build`: which listener's app (the main one by default). */
export async function startServer(
  store: ObjectStore,
  settings: Record<string, unknown> = {},
  logger: Logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  build: (core: Core) => Promise<FastifyInstance> = buildApp,
): Promise<TestServer> {
  const config = loadConfig({ flags: { port: 0, ...settings } as ConfigInput as Record<string, unknown> });
  const core = buildCore({ config, store, logger });
  const app = await build(core);
  await app.listen({ host: '127.0.0.1', port: 0 });
  core.start();
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    core,
    store,
    close: async () => {
      await app.close();
      await core.stop();
    },
  };
}

/** The S3-compatible listener alone, built from its own core over `store`, on a loopback port. */
export function startS3Server(store: ObjectStore, settings: Record<string, unknown> = {}, logger?: Logger): Promise<TestServer> {
  return startServer(store, settings, logger, buildS3App);
}

export interface StoreUnderTest {
  name: string;
  /** Why the store's tests are skipped here (never in CI), or false. */
  skip: string | false;
  open(): Promise<{ store: ObjectStore; cleanup(): Promise<void> }>;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `s3gate-${prefix}-`));
}

/** Every store the HTTP tests run against: fs always, s3 where a test server is configured. */
export function storesUnderTest(): StoreUnderTest[] {
  const s3 = s3TestConfig();
  return [
    {
      name: 'fs',
      skip: false,
      async open() {
        const dir = await tempDir('http');
        const store = await openFsStore({ dataDir: dir });
        return {
          store,
          cleanup: async () => {
            await store.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 's3 (RGW)',
      skip: 'skip' in s3 ? s3.skip : false,
      async open() {
        if ('skip' in s3) throw new Error(s3.skip);
        const store = createS3Store(s3.options);
        return { store, cleanup: () => store.close() };
      },
    },
  ];
}
