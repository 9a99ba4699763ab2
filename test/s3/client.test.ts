/**
 * The s3 store against backends that fail: nothing listening, a server that never answers, one that
 * answers 503; and its start-up checks (CA file, keys). Loopback only, no S3 server needed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { createS3Store, S3_STORE_DEFAULTS, type S3StoreOptions } from '../../src/storage/s3/index.js';

function options(endpoint: string, extra: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    ...S3_STORE_DEFAULTS,
    endpoint,
    forcePathStyle: true,
    accessKeyId: 'key',
    secretAccessKey: 'secret',
    maxAttempts: 1,
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
    ...extra,
  };
}

async function rejectsWithin(promise: Promise<unknown>, code: ErrorCode, ms: number): Promise<void> {
  const started = Date.now();
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected ServiceError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
  assert.ok(Date.now() - started < ms, `failed within ${ms} ms (took ${Date.now() - started})`);
}

/** A loopback port with nothing listening on it (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('s3 store: unreachable or failing backend', () => {
  const sockets = new Set<net.Socket>();
  // Accepts connections and never answers.
  const silent = net.createServer((socket) => sockets.add(socket));
  const busy = http.createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end('<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>');
  });
  let silentUrl: string;
  let busyUrl: string;

  before(async () => {
    silentUrl = await listen(silent);
    busyUrl = await listen(busy);
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    silent.close();
    busy.close();
  });

  it('reports a closed port as ServiceUnavailable, quickly', async () => {
    const store = createS3Store(options(`http://127.0.0.1:${await closedPort()}`));
    try {
      await rejectsWithin(store.ping({}), 'ServiceUnavailable', 2_000);
      await rejectsWithin(store.headObject({ bucket: 'bucket', key: 'key' }), 'ServiceUnavailable', 2_000);
      const body = Readable.from([Buffer.from('x')]);
      await rejectsWithin(store.putObject({ bucket: 'bucket', key: 'key', body }), 'ServiceUnavailable', 2_000);
    } finally {
      await store.close();
    }
  });

  it('reports a server that never answers as ServiceUnavailable after the request timeout', async () => {
    const store = createS3Store(options(silentUrl, { requestTimeoutMs: 300 }));
    try {
      await rejectsWithin(store.listBuckets({}), 'ServiceUnavailable', 3_000);
    } finally {
      await store.close();
    }
  });

  it('reports 503 answers as ServiceUnavailable', async () => {
    const store = createS3Store(options(busyUrl));
    try {
      await rejectsWithin(store.listObjects({ bucket: 'bucket' }), 'ServiceUnavailable', 2_000);
      await rejectsWithin(store.headBucket({ bucket: 'bucket' }), 'ServiceUnavailable', 2_000);
    } finally {
      await store.close();
    }
  });

  it('rejects at once, without a request, when the signal is already aborted', async () => {
    const store = createS3Store(options(silentUrl));
    try {
      const signal = AbortSignal.abort();
      await assert.rejects(store.listBuckets({ signal }), { name: 'AbortError' });
      const body = Readable.from([Buffer.from('x')]);
      await assert.rejects(store.putObject({ bucket: 'bucket', key: 'key', body, signal }), { name: 'AbortError' });
    } finally {
      await store.close();
    }
  });

  it('stops a request that hangs when its signal aborts', async () => {
    const store = createS3Store(options(silentUrl, { requestTimeoutMs: 30_000 }));
    try {
      const started = Date.now();
      await assert.rejects(store.listBuckets({ signal: AbortSignal.timeout(200) }), (err: Error) => {
        assert.ok(!isServiceError(err), 'an abort is not turned into a ServiceError');
        return true;
      });
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await store.close();
    }
  });
});

// A self-signed certificate for 127.0.0.1, valid 2000-2100 (made with openssl; only ever used here).
// Tests run from dist/test/s3/; the fixtures stay in test/s3/fixtures/.
const fixtures = fileURLToPath(new URL('../../../test/s3/fixtures/', import.meta.url));
const TLS = { cert: join(fixtures, 'test-tls.crt'), key: join(fixtures, 'test-tls.key') };

describe('s3 store: CA bundle', () => {
  const server = https.createServer(
    { cert: readFileSync(TLS.cert), key: readFileSync(TLS.key) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<ListAllMyBucketsResult><Buckets><Bucket><Name>tls-bucket</Name>' +
        '<CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>');
    },
  );
  let url: string;
  before(async () => {
    url = (await listen(server)).replace('http:', 'https:');
  });
  after(() => {
    server.close();
  });

  it('trusts a server whose certificate is in the CA file', async () => {
    const store = createS3Store(options(url, { caFile: TLS.cert }));
    try {
      assert.deepEqual(await store.listBuckets({}), [
        { name: 'tls-bucket', creationDate: new Date('2024-01-02T03:04:05.000Z') },
      ]);
    } finally {
      await store.close();
    }
  });

  it('refuses the same server without the CA file', async () => {
    const store = createS3Store(options(url));
    try {
      await assert.rejects(store.listBuckets({}), (err: unknown) => {
        assert.ok(isServiceError(err));
        assert.match(err.message, /SELF_SIGNED|CERT/);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});

describe('s3 store: start-up checks', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3gate-ca-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a CA file that does not exist', () => {
    const caFile = join(dir, 'missing.pem');
    assert.throws(() => createS3Store(options('https://127.0.0.1:1', { caFile })), (err: Error) => {
      assert.match(err.message, /cannot read the CA file/);
      assert.ok(err.message.includes(caFile));
      assert.match(err.message, /ENOENT/);
      return true;
    });
  });

  it('refuses a CA file without a certificate', async () => {
    const caFile = join(dir, 'not-a-cert.pem');
    await writeFile(caFile, 'hello\n');
    assert.throws(() => createS3Store(options('https://127.0.0.1:1', { caFile })), /holds no PEM certificate/);
  });

  it('wants both keys or neither', () => {
    assert.throws(
      () => createS3Store(options('http://127.0.0.1:1', { secretAccessKey: undefined })),
      /both an access key id and a secret access key/,
    );
  });
});
