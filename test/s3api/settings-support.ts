/** What the bucket-settings tests share: SDK clients, their errors, and raw HTTP exchanges (any Host header). */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { rejectsWithCode, s3Client, uniqueBucket } from '../helpers/s3-fixture.js';

export { rejectsWithCode, uniqueBucket };
import { startS3Server, type StoreUnderTest, type TestServer } from '../helpers/server.js';
import { after, before } from '../helpers/suites.js';

export const KEY = { id: 'AKIDS3GATESETTINGS', secret: 'settings-secret-of-forty-characters-0000' };

/** A key that may only read and list: bucket settings are its to read, not to change. */
export const READER = { id: 'AKIDS3GATEREADER', secret: 'reader-secret-of-forty-characters-00000' };

/** Settings of a server with both keys. */
export const KEYED = {
  auth: {
    keys: [
      { id: KEY.id, secret: KEY.secret, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] },
      { id: READER.id, secret: READER.secret, grants: [{ bucket: '*', actions: ['read', 'list'] }] },
    ],
  },
};

/** The SDK with its default settings (checksums included), path-style. */
export const client = (url: string, key: { id: string; secret: string } = KEY): S3Client => s3Client(url, key);


export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP exchange with exactly these headers (fetch() would not send a Host of our choosing). */
export function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The <Code> of an S3 error document. */
export function errorCode(text: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}

export interface SettingsFixture {
  readonly server: TestServer;
  /** The SDK with the admin key, and with the reading key. */
  readonly s3: S3Client;
  readonly reader: S3Client;
}

/**
 * An S3 listener on the store `under` opens, with `settings`, and `buckets` made through the store; all
 * emptied and removed afterwards. Call inside a describe; read the fields inside tests and later hooks.
 */
export function settingsFixture(under: StoreUnderTest, settings: Record<string, unknown>, buckets: readonly string[]): SettingsFixture {
  let opened: { server: TestServer; s3: S3Client; reader: S3Client; cleanup: () => Promise<void> } | undefined;
  before(async () => {
    const { store, cleanup } = await under.open();
    const server = await startS3Server(store, settings);
    opened = { server, s3: client(server.url), reader: client(server.url, READER), cleanup };
    for (const bucket of buckets) await server.store.createBucket({ bucket });
  });
  after(async () => {
    if (!opened) return;
    const { server, s3, reader, cleanup } = opened;
    for (const bucket of buckets) {
      const { objects } = await server.store.listObjects({ bucket }).catch(() => ({ objects: [] }));
      for (const { key } of objects) await server.store.deleteObject({ bucket, key });
      await server.store.deleteBucket({ bucket }).catch(() => undefined);
    }
    s3.destroy();
    reader.destroy();
    await server.close();
    await cleanup();
  });
  const get = () => opened ?? assert.fail('the fixture opens in before()');
  return {
    get server() {
      return get().server;
    },
    get s3() {
      return get().s3;
    },
    get reader() {
      return get().reader;
    },
  };
}
