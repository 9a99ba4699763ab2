/** The s3 store's error map and wire translations, on made-up SDK errors and answers (no server needed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { ServiceError, type ErrorCode } from '../../src/errors/codes.js';
import type { Verdict } from '../../src/storage/s3/circuit.js';
import { backendVerdict, isBareNotFound, toStoreError } from '../../src/storage/s3/errors.js';
import { copySource, decodeListing, parseContentRange, rangeHeader } from '../../src/storage/s3/wire.js';

/** Shaped like what the SDK throws: name = S3 code, $metadata.httpStatusCode = status. */
function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`server text for ${name}`), { name, $metadata: { httpStatusCode: status }, ...extra });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

function codeOf(err: unknown, ctx = { bucket: 'b', key: 'k' }): string | undefined {
  return (toStoreError(err, ctx) as { code?: string }).code;
}

describe('s3 store error map', () => {
  const cases: [string, unknown, ErrorCode][] = [
    ['NoSuchBucket', sdkError('NoSuchBucket', 404), 'NoSuchBucket'],
    ['NoSuchKey', sdkError('NoSuchKey', 404), 'NoSuchKey'],
    ['BucketNotEmpty', sdkError('BucketNotEmpty', 409), 'BucketNotEmpty'],
    ['BucketAlreadyExists', sdkError('BucketAlreadyExists', 409), 'BucketAlreadyExists'],
    ['BucketAlreadyOwnedByYou', sdkError('BucketAlreadyOwnedByYou', 409), 'BucketAlreadyExists'],
    ['AccessDenied', sdkError('AccessDenied', 403), 'AccessDenied'],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'AccessDenied'],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'AccessDenied'],
    ['a HEAD 403', sdkError('Forbidden', 403), 'AccessDenied'],
    ['InvalidRange', sdkError('InvalidRange', 416), 'InvalidRange'],
    ['a bare 416', sdkError('Unknown', 416), 'InvalidRange'],
    ['PreconditionFailed', sdkError('PreconditionFailed', 412), 'PreconditionFailed'],
    ['SlowDown', sdkError('SlowDown', 503), 'ServiceUnavailable'],
    ['S3 InternalError', sdkError('InternalError', 500), 'ServiceUnavailable'],
    ['a proxy 502', sdkError('Unknown', 502), 'ServiceUnavailable'],
    ['connection refused', networkError('ECONNREFUSED'), 'ServiceUnavailable'],
    ['connection reset', networkError('ECONNRESET'), 'ServiceUnavailable'],
    ['DNS failure', networkError('ENOTFOUND'), 'ServiceUnavailable'],
    ['request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'ServiceUnavailable'],
    ['EntityTooLarge', sdkError('EntityTooLarge', 400), 'EntityTooLarge'],
    ['InvalidRequest', sdkError('InvalidRequest', 400), 'InvalidRequest'],
    ['NoSuchUpload', sdkError('NoSuchUpload', 404), 'NoSuchUpload'],
    ['InvalidPart', sdkError('InvalidPart', 400), 'InvalidPart'],
    ['InvalidPartOrder', sdkError('InvalidPartOrder', 400), 'InvalidPartOrder'],
    ['EntityTooSmall', sdkError('EntityTooSmall', 400), 'EntityTooSmall'],
    ['InvalidTag', sdkError('InvalidTag', 400), 'InvalidTag'],
    ['InvalidDigest', sdkError('InvalidDigest', 400), 'InvalidDigest'],
    ['an unknown 400', sdkError('AuthorizationHeaderMalformed', 400), 'InternalError'],
    ['a plain bug', new TypeError('x is undefined'), 'InternalError'],
  ];
  for (const [what, err, expected] of cases) {
    it(`maps ${what} to ${expected}`, () => assert.equal(codeOf(err), expected));
  }

  it('keeps aborts as they are', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    assert.equal(toStoreError(abort), abort);
  });

  it('never passes the SDK text on, but keeps the error as cause', () => {
    const err = sdkError('SignatureDoesNotMatch', 403, { StringToSign: 'AWS4-HMAC-SHA256 secret-ish' });
    const mapped = toStoreError(err, { bucket: 'b' });
    assert.doesNotMatch(mapped.message, /server text|secret/);
    assert.match(mapped.message, /SignatureDoesNotMatch/);
    assert.equal(mapped.cause, err);
  });

  it('names the bucket S3 says is missing (a copy source may be the one)', () => {
    const mapped = toStoreError(sdkError('NoSuchBucket', 404, { BucketName: 'source' }), { bucket: 'dest', key: 'k' });
    assert.match(mapped.message, /"source"/);
  });

  it('leaves a HEAD 404 to be resolved by the store', () => {
    assert.equal(isBareNotFound(sdkError('NotFound', 404)), true);
    assert.equal(isBareNotFound(sdkError('NoSuchKey', 404)), false);
    assert.equal(isBareNotFound(sdkError('AccessDenied', 403)), false);
  });
});

describe('s3 store: what a failure shows of the backend (for the circuit)', () => {
  const cases: [string, unknown, Verdict][] = [
    ['a timeout of ours', Object.assign(new Error('no answer'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'down'],
    ['connection refused', networkError('ECONNREFUSED'), 'down'],
    ['connection reset', networkError('ECONNRESET'), 'down'],
    ['DNS failure', networkError('ENOTFOUND'), 'down'],
    ['S3 InternalError', sdkError('InternalError', 500), 'down'],
    ['a proxy 502', sdkError('Unknown', 502), 'down'],
    ['SlowDown (it answers, asking for less)', sdkError('SlowDown', 503), 'answered'],
    ['NoSuchKey', sdkError('NoSuchKey', 404), 'answered'],
    ['AccessDenied', sdkError('AccessDenied', 403), 'answered'],
    ["S3's RequestTimeout (our body was slow)", sdkError('RequestTimeout', 400), 'answered'],
    ['an abort', new DOMException('This operation was aborted', 'AbortError'), 'unknown'],
    ['an error of ours (a bad body)', new ServiceError('IncompleteBody', 'The client disconnected.'), 'unknown'],
    ['missing credentials', Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' }), 'unknown'],
  ];
  for (const [what, err, expected] of cases) {
    it(`says ${expected} for ${what}`, () => assert.equal(backendVerdict(err)[0], expected));
  }
});

describe('s3 store wire forms', () => {
  it('writes Range headers and reads Content-Range', () => {
    assert.equal(rangeHeader({ start: 2, end: 5 }), 'bytes=2-5');
    assert.equal(rangeHeader({ start: 7 }), 'bytes=7-');
    assert.equal(rangeHeader(undefined), undefined);
    assert.deepEqual(parseContentRange('bytes 2-5/20'), { start: 2, end: 5, total: 20 });
    assert.equal(parseContentRange('bytes */20'), undefined);
    assert.equal(parseContentRange(undefined), undefined);
  });

  it('encodes copy sources keeping the slashes', () => {
    assert.equal(copySource('b', 'dir/sp ace+%?#é/x'), 'b/dir/sp%20ace%2B%25%3F%23%C3%A9/x');
    assert.equal(copySource('b', '/lead//x/'), 'b//lead//x/');
  });

  it('decodes url-encoded listings, plus as space and %2B as plus', () => {
    const out = {
      EncodingType: 'url',
      Contents: [{ Key: 'sp+ace%2Bplus%0A%01', Size: 1, ETag: '"e"' }],
      CommonPrefixes: [{ Prefix: 'dir%2F+x/' }],
      IsTruncated: true,
      NextContinuationToken: 'tok+en',
    } as unknown as ListObjectsV2CommandOutput;
    const page = decodeListing(out);
    assert.equal(page.objects[0]?.key, 'sp ace+plus\n\u0001');
    assert.deepEqual(page.commonPrefixes, ['dir/ x/']);
    assert.equal(page.nextContinuationToken, 'tok+en', 'the token is opaque, never decoded');
  });

  it('leaves keys alone when the server did not url-encode them', () => {
    const page = decodeListing({ Contents: [{ Key: 'a+b%25' }], $metadata: {} });
    assert.equal(page.objects[0]?.key, 'a+b%25');
  });
});
