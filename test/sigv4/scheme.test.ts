/**
 * The SigV4 scheme beside bearer tokens on a real listening app, driven by the real AWS SDK v3 with its
 * default checksums: GETs and presigned URLs verify and name the key; an upload arrives as an aws-chunked
 * body with a CRC32 trailer, which decodes to the bytes sent; a wrong secret, an unknown key, a hash-only key
 * and an expired URL are refused with S3's codes; and a bearer token still works on the same listener.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { after, before, describe, it } from '../helpers/suites.js';
import { bearerScheme } from '../../src/auth/bearer.js';
import { installAuth } from '../../src/auth/hook.js';
import { generateSecret, hashSecret, Keyring } from '../../src/auth/keys.js';
import { ChunkedDecoder } from '../../src/auth/sigv4/chunked.js';
import { sigv4Scheme } from '../../src/auth/sigv4/scheme.js';
import { formatToken } from '../../src/auth/token.js';
import { isServiceError, statusOf } from '../../src/errors/codes.js';
import { acceptRawBodies } from '../../src/http/body.js';

const SECRET = generateSecret();
const GRANTS = [{ bucket: '*', prefix: '', actions: ['admin' as const] }];

describe('the SigV4 scheme, with real SDK requests', () => {
  let app: FastifyInstance;
  let endpoint: string;
  const received = new Map<string, Buffer | string>();

  const client = (accessKeyId: string, secretAccessKey: string) =>
    new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

  before(async () => {
    const keys = new Keyring([
      { id: 'SIGNER', secret: SECRET, grants: GRANTS },
      { id: 'HASHED', secretHash: hashSecret(SECRET), grants: GRANTS },
    ]);
    app = Fastify();
    acceptRawBodies(app);
    app.setErrorHandler((err: Error, _request, reply) => {
      const code = isServiceError(err) ? err.code : 'InternalError';
      return reply.code(isServiceError(err) ? statusOf(err.code) : 500).type('application/xml').send(`<Error><Code>${code}</Code><Message>${err.message}</Message></Error>`);
    });
    installAuth(app, keys, [sigv4Scheme(), bearerScheme]);
    app.get('/bucket/*', async (req, reply) => reply.header('x-principal', req.principal?.keyId ?? '').send(`hello ${req.principal?.keyId}`));
    app.put('/bucket/*', async (req, reply) => {
      const mode = req.sigv4?.payload;
      const parts: Buffer[] = [];
      const gather = async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) parts.push(chunk);
      };
      if (mode?.kind === 'chunked') {
        const decoder = new ChunkedDecoder({ trailer: req.headers['x-amz-trailer'] as string | undefined, decodedLength: Number(req.headers['x-amz-decoded-content-length']) });
        await pipeline(req.raw, decoder, gather);
      } else {
        await pipeline(req.raw, gather);
      }
      const bytes = Buffer.concat(parts);
      // a signed SHA-256 is the body's: the face checks it once the body is in (here, at once)
      if (mode?.kind === 'sha256') assert.equal(createHash('sha256').update(bytes).digest('hex'), mode.hex);
      received.set((req.params as Record<string, string>)['*'] ?? '', `${mode?.kind}`);
      received.set(`${(req.params as Record<string, string>)['*'] ?? ''}#bytes`, bytes);
      return reply.header('etag', `"${createHash('md5').update(bytes).digest('hex')}"`).send();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await app.close();
  });

  it('verifies a signed GET and names its key', async () => {
    const s3 = client('SIGNER', SECRET);
    const out = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a b/ü+x.txt' }));
    assert.equal(await out.Body?.transformToString(), 'hello SIGNER');
    s3.destroy();
  });

  it("decodes the SDK's default uploads (a stream aws-chunked with a CRC32 trailer, a buffer with its SHA-256) to the bytes sent", async () => {
    const s3 = client('SIGNER', SECRET);
    const body = randomBytes(300 * 1024);
    const streamed = await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'up/streamed.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length }));
    assert.equal(streamed.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    assert.equal(received.get('up/streamed.bin'), 'chunked', 'a stream goes as aws-chunked with a trailer');
    assert.deepEqual(received.get('up/streamed.bin#bytes'), body);
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'up/buffer.bin', Body: body }));
    assert.equal(received.get('up/buffer.bin'), 'sha256', 'a buffer goes with its SHA-256 signed');
    assert.deepEqual(received.get('up/buffer.bin#bytes'), body);
    s3.destroy();
  });

  it("refuses a wrong secret, an unknown key and a hash-only key with S3's codes", async () => {
    const cases = [
      { s3: client('SIGNER', `${SECRET}x`), code: 'SignatureDoesNotMatch' },
      { s3: client('NOBODY', SECRET), code: 'InvalidAccessKeyId' },
      { s3: client('HASHED', SECRET), code: 'InvalidAccessKeyId', says: /keys create --s3/ },
    ];
    for (const { s3, code, says } of cases) {
      await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' })), (err: unknown) => {
        assert.ok(err instanceof S3ServiceException, String(err));
        assert.equal(err.name, code);
        assert.equal(err.$metadata.httpStatusCode, 403);
        if (says) assert.match(err.message, says);
        return true;
      });
      s3.destroy();
    }
  });

  it('serves a presigned URL until it expires', async () => {
    const s3 = client('SIGNER', SECRET);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bucket', Key: 'shared.txt' }), { expiresIn: 60 });
    const served = await request(url);
    assert.equal(served.statusCode, 200);
    assert.equal(await served.body.text(), 'hello SIGNER');
    const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bucket', Key: 'shared.txt' }), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const expired = await request(old);
    assert.equal(expired.statusCode, 403);
    assert.match(await expired.body.text(), /<Code>AccessDenied<\/Code><Message>Request has expired/);
    s3.destroy();
  });

  it('leaves bearer tokens working on the same listener, and refuses a request with no credentials', async () => {
    const withToken = await request(`${endpoint}/bucket/x`, { headers: { authorization: `Bearer ${formatToken('SIGNER', SECRET)}` } });
    assert.equal(await withToken.body.text(), 'hello SIGNER');
    const none = await request(`${endpoint}/bucket/x`);
    assert.equal(none.statusCode, 403, 'the first scheme (SigV4) answers a request without credentials');
    assert.match(await none.body.text(), /AccessDenied/);
  });
});
