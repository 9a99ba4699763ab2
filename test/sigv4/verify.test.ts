/**
 * The server-side SigV4 verifier against two oracles: AWS's published examples (the GET with a Range) and the
 * AWS SDK's own signer (@smithy/signature-v4), for signed headers and presigned URLs, with keys and queries
 * that need encoding. A request the signer made must verify; any change to what was signed must not.
 */
import assert from 'node:assert/strict';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, it } from '../helpers/suites.js';
import { Sha256 } from '../helpers/sigv4-sha256.js';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { readClaim } from '../../src/auth/sigv4/claim.js';
import { verifySignature } from '../../src/auth/sigv4/verify.js';
import type { ArrivedRequest } from '../../src/auth/sigv4/canonical.js';

const ACCESS = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type Headers = Record<string, string>;

function arrived(method: string, path: string, headers: Headers): ArrivedRequest & { headers: Headers } {
  const q = path.indexOf('?');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    rawPath: q < 0 ? path : path.slice(0, q),
    rawQuery: q < 0 ? '' : path.slice(q + 1),
    rawHeaders: Object.entries(headers).flat(),
    headers: lower,
  };
}

function verify(request: ArrivedRequest & { headers: Headers }, now: Date, secret = SECRET) {
  const claim = readClaim(request.headers, request.rawQuery);
  assert.ok(claim, 'a claim');
  return verifySignature(request, claim, secret, now);
}

function refusedWith(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => isServiceError(err) && err.code === code);
}

/** S3's own extended encoding of a key, as the SDK sends it: every byte but RFC 3986's unreserved ones. */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

const signer = new SignatureV4({
  credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false, // S3: the path is signed as sent, already encoded
});

async function sdkSigned(method: string, key: string, query: Record<string, string>, headers: Headers, at: Date) {
  const path = `/bucket/${encodeKey(key)}`;
  const signed = await signer.sign(
    { method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { host: '127.0.0.1:9000', ...headers } },
    { signingDate: at },
  );
  const search = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  return arrived(method, search ? `${path}?${search}` : path, signed.headers as Headers);
}

describe('SigV4 verification', () => {
  const when = new Date('2013-05-24T00:00:00Z');

  it("verifies AWS's published GET example, and nothing changed from it", () => {
    const headers = {
      Host: 'examplebucket.s3.amazonaws.com',
      Range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
      Authorization:
        `AWS4-HMAC-SHA256 Credential=${ACCESS}/20130524/us-east-1/s3/aws4_request,` +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    };
    const ok = verify(arrived('GET', '/test.txt', headers), when);
    assert.equal(ok.accessKeyId, ACCESS);
    assert.deepEqual(ok.payload, { kind: 'sha256', hex: EMPTY_SHA256 });
    refusedWith(() => verify(arrived('GET', '/test.txt', { ...headers, Range: 'bytes=0-10' }), when), 'SignatureDoesNotMatch');
    refusedWith(() => verify(arrived('GET', '/test.txt?x=1', headers), when), 'SignatureDoesNotMatch');
    refusedWith(() => verify(arrived('HEAD', '/test.txt', headers), when), 'SignatureDoesNotMatch');
    refusedWith(() => verify(arrived('GET', '/test.txt', headers), when, `${SECRET}x`), 'SignatureDoesNotMatch');
  });

  it('verifies what the SDK signs, with keys and query values that need encoding', async () => {
    const now = new Date();
    for (const key of ['plain.txt', 'a b/c+d=e&f', 'ünï/çødé ✓', "odd!'()*~.txt", 'dir//double/'] as const) {
      const query = { 'list-type': '2', prefix: 'a b/ü', 'continuation-token': 'x+y/z==' };
      const request = await sdkSigned('GET', key, query, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, now);
      assert.deepEqual(verify(request, now).payload, { kind: 'unsigned' }, key);
      refusedWith(() => verify({ ...request, rawQuery: request.rawQuery.replace('list-type=2', 'list-type=1') }, now), 'SignatureDoesNotMatch');
    }
  });

  it('refuses a request more than 15 minutes from the clock: RequestTimeTooSkewed', async () => {
    const signedAt = new Date('2026-01-01T12:00:00Z');
    const request = await sdkSigned('GET', 'k', {}, { 'x-amz-content-sha256': EMPTY_SHA256 }, signedAt);
    verify(request, new Date(signedAt.getTime() + 14 * 60_000));
    refusedWith(() => verify(request, new Date(signedAt.getTime() + 16 * 60_000)), 'RequestTimeTooSkewed');
    refusedWith(() => verify(request, new Date(signedAt.getTime() - 16 * 60_000)), 'RequestTimeTooSkewed');
  });

  it('reads the streaming payload modes and refuses an unknown one', async () => {
    const now = new Date();
    const modes = {
      'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { kind: 'chunked', signed: false, trailer: true },
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { kind: 'chunked', signed: true, trailer: false },
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { kind: 'chunked', signed: true, trailer: true },
    };
    for (const [mode, expected] of Object.entries(modes)) {
      const request = await sdkSigned('PUT', 'k', {}, { 'x-amz-content-sha256': mode }, now);
      assert.deepEqual(verify(request, now).payload, expected, mode);
    }
    const odd = await sdkSigned('PUT', 'k', {}, { 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' }, now);
    refusedWith(() => verify(odd, now), 'NotImplemented');
    const missing = await sdkSigned('PUT', 'k', {}, {}, now);
    delete missing.headers['x-amz-content-sha256'];
    refusedWith(() => verify(missing, now), 'InvalidRequest');
  });

  it('verifies presigned GET and PUT URLs made by the SDK, within their window only', async () => {
    const client = new S3Client({
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
    });
    const signedAt = new Date('2026-03-01T08:00:00Z');
    const commands = [
      new GetObjectCommand({ Bucket: 'bucket', Key: 'a b/ü+?.txt', ResponseContentDisposition: 'attachment; filename="x y"' }),
      new PutObjectCommand({ Bucket: 'bucket', Key: 'a b/ü+?.txt' }),
    ];
    for (const command of commands) {
      const url = new URL(await getSignedUrl(client, command, { expiresIn: 3600, signingDate: signedAt }));
      const method = command instanceof GetObjectCommand ? 'GET' : 'PUT';
      const request = arrived(method, `${url.pathname}${url.search}`, { host: url.host });
      assert.deepEqual(verify(request, new Date(signedAt.getTime() + 3599_000)).payload, { kind: 'unsigned' });
      refusedWith(() => verify(request, new Date(signedAt.getTime() + 3601_000)), 'AccessDenied');
      refusedWith(() => verify(request, new Date(signedAt.getTime() - 20 * 60_000)), 'AccessDenied');
      refusedWith(() => verify({ ...request, rawPath: request.rawPath.replace('a%20b', 'a%20c') }, signedAt), 'SignatureDoesNotMatch');
      const longer = request.rawQuery.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200');
      refusedWith(() => verify({ ...request, rawQuery: longer }, signedAt), 'SignatureDoesNotMatch');
      const tooLong = request.rawQuery.replace('X-Amz-Expires=3600', 'X-Amz-Expires=604801');
      refusedWith(() => verify({ ...request, rawQuery: tooLong }, signedAt), 'AuthorizationQueryParametersError');
    }
    client.destroy();
  });

  it('says Signature Version 2 is not supported, and names what is malformed', () => {
    refusedWith(() => readClaim({ authorization: 'AWS AKID:c2lnbmF0dXJl' }, ''), 'NotImplemented');
    refusedWith(() => readClaim({}, 'AWSAccessKeyId=AKID&Expires=1&Signature=abc'), 'NotImplemented');
    refusedWith(() => readClaim({ authorization: 'Bearer abc.def' }, ''), 'AuthorizationHeaderMalformed');
    const base = `AWS4-HMAC-SHA256 Credential=${ACCESS}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
    refusedWith(() => readClaim({ authorization: base }, ''), 'AuthorizationHeaderMalformed'); // no x-amz-date
    refusedWith(() => readClaim({ authorization: base, 'x-amz-date': '20130525T000000Z' }, ''), 'AuthorizationHeaderMalformed');
    refusedWith(() => readClaim({ authorization: base.replace('/s3/', '/ec2/'), 'x-amz-date': '20130524T000000Z' }, ''), 'AuthorizationHeaderMalformed');
    refusedWith(() => readClaim({ authorization: base.replace('host;', ''), 'x-amz-date': '20130524T000000Z' }, ''), 'AuthorizationHeaderMalformed');
    assert.equal(readClaim({}, 'list-type=2'), undefined, 'an unsigned request claims nothing');
  });
});
