/**
 * Authentication through the S3 face: the AWS SDK v3 with its default settings (and, for what the SDK never
 * sends wrong, requests its own signer signed and then altered). Every refusal carries S3's code, and a
 * refused upload stores nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { before, describe, it } from '../helpers/suites.js';
import { storesUnderTest, type TestServer } from '../helpers/server.js';
import { assertAbsent, errorIn, rejectsWithCode, s3Client as client, s3Fixture, sendRaw as send, type Credentials } from '../helpers/s3-fixture.js';
import { Sha256 } from '../helpers/sigv4-sha256.js';

const ADMIN = { id: 'AKIDAUTHADMIN', secret: 'auth-test-secret-of-forty-characters-00' };
const READER = { id: 'AKIDAUTHREADER', secret: 'auth-test-secret-reader-only-0000000000' };
const LISTER = { id: 'AKIDAUTHLISTER', secret: 'auth-test-secret-reader-lister-00000000' };
const HASHED = 'AKIDAUTHHASHED';
const ALL = ['admin', 'read', 'list', 'write', 'delete'] as const;

const KEYS = {
  auth: {
    keys: [
      { id: ADMIN.id, secret: ADMIN.secret, grants: [{ bucket: '*', actions: ALL }] },
      { id: READER.id, secret: READER.secret, grants: [{ bucket: '*', prefix: 'public/', actions: ['read'] }] },
      { id: LISTER.id, secret: LISTER.secret, grants: [{ bucket: '*', prefix: 'public/', actions: ['read', 'list'] }] },
      { id: HASHED, secretHash: `sha256:${'0'.repeat(64)}`, grants: [{ bucket: '*', actions: ALL }] },
    ],
  },
};

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const codeOf = (body: string) => errorIn(body).code;

function signerFor(credentials: Credentials): SignatureV4 {
  return new SignatureV4({ credentials: { accessKeyId: credentials.id, secretAccessKey: credentials.secret }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
}

/** Signs a PUT with the SDK's signer, headers as given (the payload hash among them). */
async function signedPut(url: string, path: string, headers: Record<string, string>, at: Date): Promise<Record<string, string>> {
  const { port } = new URL(url);
  const signed = await signerFor(ADMIN).sign(
    { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: Number(port), path, query: {}, headers: { host: `127.0.0.1:${port}`, ...headers } },
    { signingDate: at },
  );
  return signed.headers as Record<string, string>;
}

/**
 * A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload: the request signed by the SDK's signer, each chunk's signature
 * chained from it with the same signer; `alter` may change the signatures or the bytes before they are sent.
 */
async function streamingPut(url: string, path: string, chunks: Buffer[], alter: (signatures: string[], chunks: Buffer[]) => void = () => undefined) {
  const at = new Date();
  const all = [...chunks, Buffer.alloc(0)];
  const framing = (chunk: Buffer) => `${chunk.length.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`.length + chunk.length + 2;
  const headers = await signedPut(
    url,
    path,
    {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(chunks.reduce((sum, chunk) => sum + chunk.length, 0)),
      'content-length': String(all.reduce((sum, chunk) => sum + framing(chunk), 0)),
    },
    at,
  );
  const amzDate = headers['x-amz-date'] ?? '';
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  let previous = /Signature=([0-9a-f]{64})/.exec(headers['authorization'] ?? '')?.[1] ?? '';
  const signatures: string[] = [];
  for (const chunk of all) {
    previous = await signerFor(ADMIN).sign(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join('\n'), { signingDate: at });
    signatures.push(previous);
  }
  const sent = all.map((chunk) => Buffer.from(chunk));
  alter(signatures, sent);
  const body = Buffer.concat(sent.flatMap((chunk, i) => [Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signatures[i]}\r\n`), chunk, Buffer.from('\r\n')]));
  return send(url, { method: 'PUT', path, headers, body });
}

/** The SDK's default body: aws-chunked, unsigned, with a CRC32 trailer, here with `trailer` as its value. */
async function trailerPut(url: string, path: string, data: Buffer, trailer: string) {
  const body = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${trailer}\r\n\r\n`)]);
  const headers = await signedPut(
    url,
    path,
    {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-decoded-content-length': String(data.length),
      'content-length': String(body.length),
    },
    new Date(),
  );
  return send(url, { method: 'PUT', path, headers, body });
}

const crc32Base64 = (data: Buffer) => {
  const digest = Buffer.alloc(4);
  digest.writeUInt32BE(crc32(data));
  return digest.toString('base64');
};

for (const under of storesUnderTest()) {
  describe(`S3 authentication of uploads (${under.name})`, { skip: under.skip }, () => {
    const fixture = s3Fixture({ store: under, settings: KEYS, credentials: ADMIN, bucketPrefix: 'auth' });
    const { bucket } = fixture;
    let server: TestServer;
    let s3: S3Client;
    before(() => {
      ({ server, s3 } = fixture);
    });

    it('refuses an upload signed with a wrong secret and stores nothing', async () => {
      const wrong = client(server.url, { id: ADMIN.id, secret: 'not-the-secret-at-all' });
      await rejectsWithCode(wrong.send(new PutObjectCommand({ Bucket: bucket, Key: 'wrong-secret', Body: randomBytes(10_000) })), 'SignatureDoesNotMatch', 403);
      wrong.destroy();
      await assertAbsent(s3, bucket, 'wrong-secret');
    });

    it('takes a body with signed chunks, and refuses one with a tampered chunk signature or chunk, storing nothing', async () => {
      const chunks = [randomBytes(70_000), randomBytes(1000)];
      const good = await streamingPut(server.url, `/${bucket}/signed-chunks`, chunks);
      assert.equal(good.status, 200, good.body);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed-chunks' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(chunks));
      const flipped = (signature: string) => `${signature.slice(0, 10)}${signature[10] === '0' ? '1' : '0'}${signature.slice(11)}`;
      const tamperedSignature = await streamingPut(server.url, `/${bucket}/tampered-signature`, chunks, (signatures) => {
        signatures[1] = flipped(signatures[1] ?? '');
      });
      assert.equal(tamperedSignature.status, 403);
      assert.equal(codeOf(tamperedSignature.body), 'SignatureDoesNotMatch');
      const tamperedBytes = await streamingPut(server.url, `/${bucket}/tampered-bytes`, chunks, (_signatures, sent) => {
        const first = sent[0];
        if (first) first[5] = (first[5] ?? 0) ^ 0xff;
      });
      assert.equal(tamperedBytes.status, 403);
      assert.equal(codeOf(tamperedBytes.body), 'SignatureDoesNotMatch');
      await assertAbsent(s3, bucket, 'tampered-signature');
      await assertAbsent(s3, bucket, 'tampered-bytes');
    });

    it('takes a right CRC32 trailer and refuses a wrong one with BadDigest, storing nothing', async () => {
      const data = randomBytes(30_000);
      const good = await trailerPut(server.url, `/${bucket}/trailer-good`, data, crc32Base64(data));
      assert.equal(good.status, 200, good.body);
      const other = Buffer.from(data);
      other[0] = (other[0] ?? 0) ^ 1;
      const bad = await trailerPut(server.url, `/${bucket}/trailer-bad`, data, crc32Base64(other));
      assert.equal(bad.status, 400);
      assert.equal(codeOf(bad.body), 'BadDigest');
      await assertAbsent(s3, bucket, 'trailer-bad');
    });
  });
}

describe('S3 authentication: keys, clocks and grants', () => {
  const fixture = s3Fixture({ settings: KEYS, credentials: ADMIN, bucketPrefix: 'authk' });
  const { bucket } = fixture;
  let server: TestServer;
  let s3: S3Client;
  before(async () => {
    ({ server, s3 } = fixture);
    for (const key of ['public/a.txt', 'secret/a.txt']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });

  it('refuses an unknown key id, and a key that keeps only a hash with the way to re-issue it', async () => {
    const unknown = client(server.url, { id: 'AKIDNOBODYKNOWS', secret: 'whatever-secret' });
    await rejectsWithCode(unknown.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    const hashed = client(server.url, { id: HASHED, secret: 'whatever-secret' });
    await rejectsWithCode(hashed.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-hashed', Body: 'x' })), 'InvalidAccessKeyId', 403, /keeps only a hash.*s3gate keys create --s3/);
    unknown.destroy();
    hashed.destroy();
    await assertAbsent(s3, bucket, 'by-hashed');
  });

  it('refuses a clock more than 15 minutes off, behind or ahead, with RequestTimeTooSkewed, whose Date the SDK corrects its clock by', async () => {
    const skewed = client(server.url, ADMIN, { systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
    await rejectsWithCode(skewed.send(new PutObjectCommand({ Bucket: bucket, Key: 'skewed', Body: 'x' })), 'RequestTimeTooSkewed', 403);
    await assertAbsent(s3, bucket, 'skewed');
    // the SDK set its clock by the refusal's Date header: its next request is on time
    assert.ok(Math.abs(skewed.config.systemClockOffset) < 60_000, `the offset was corrected, now ${skewed.config.systemClockOffset} ms`);
    await skewed.send(new PutObjectCommand({ Bucket: bucket, Key: 'skewed', Body: 'x' }));
    skewed.destroy();
    const ahead = client(server.url, ADMIN, { systemClockOffset: 20 * 60 * 1000, maxAttempts: 1 });
    await rejectsWithCode(ahead.send(new ListBucketsCommand({})), 'RequestTimeTooSkewed', 403);
    ahead.destroy();
  });

  it('answers Signature Version 2 with NotImplemented, in a header or a query', async () => {
    const header = await send(server.url, { method: 'GET', path: `/${bucket}/public/a.txt`, headers: { authorization: `AWS ${ADMIN.id}:ZmFrZXNpZ25hdHVyZQ==`, date: new Date().toUTCString() } });
    assert.equal(header.status, 501);
    assert.equal(codeOf(header.body), 'NotImplemented');
    assert.match(header.body, /Signature Version 2 is not supported/);
    const query = await send(server.url, { method: 'GET', path: `/${bucket}/public/a.txt?AWSAccessKeyId=${ADMIN.id}&Expires=9999999999&Signature=abc%3D`, headers: {} });
    assert.equal(query.status, 501);
    assert.equal(codeOf(query.body), 'NotImplemented');
  });

  it('refuses what a key is not granted, and never tells a missing key in a forbidden place from a present one', async () => {
    const reader = client(server.url, READER);
    const got = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'public/a.txt');
    await rejectsWithCode(reader.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/new.txt', Body: 'x' })), 'AccessDenied', 403);
    await rejectsWithCode(reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret/a.txt' })), 'AccessDenied', 403);
    await rejectsWithCode(reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret/missing.txt' })), 'AccessDenied', 403);
    // without list on the prefix, even a missing key where it may read is not told apart (as S3 without s3:ListBucket)
    await rejectsWithCode(reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/missing.txt' })), 'AccessDenied', 403);
    const lister = client(server.url, LISTER);
    await rejectsWithCode(lister.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/missing.txt' })), 'NoSuchKey', 404);
    await rejectsWithCode(lister.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret/missing.txt' })), 'AccessDenied', 403);
    reader.destroy();
    lister.destroy();
    await assertAbsent(s3, bucket, 'public/new.txt');
  });

  it('refuses an unsigned request', async () => {
    const answer = await send(server.url, { method: 'GET', path: `/${bucket}/public/a.txt`, headers: {} });
    assert.equal(answer.status, 403);
    assert.equal(codeOf(answer.body), 'AccessDenied');
  });
});

describe('S3 without keys (anonymous mode)', () => {
  const fixture = s3Fixture({ bucketPrefix: 'anon' });
  const { bucket } = fixture;
  let server: TestServer;
  before(() => {
    ({ server } = fixture);
  });

  it('serves unsigned requests and requests signed with any key (the bucket was made by one)', async () => {
    const anyKey = client(server.url, { id: 'AKIDSOMEONEELSE', secret: 'another-secret' });
    await anyKey.send(new PutObjectCommand({ Bucket: bucket, Key: 'signed', Body: 'by any key' }));
    const put = await send(server.url, { method: 'PUT', path: `/${bucket}/unsigned`, headers: { 'content-length': '8' }, body: Buffer.from('unsigned') });
    assert.equal(put.status, 200, put.body);
    const got = await send(server.url, { method: 'GET', path: `/${bucket}/signed`, headers: {} });
    assert.equal(got.body, 'by any key');
    const read = await anyKey.send(new GetObjectCommand({ Bucket: bucket, Key: 'unsigned' }));
    assert.equal(await read.Body!.transformToString(), 'unsigned');
    anyKey.destroy();
  });
});
