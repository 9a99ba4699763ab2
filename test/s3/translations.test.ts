/**
 * The s3 store's v2 translations on made-up answers (no server needed): tags on the wire, upload listings as
 * RGW 16 sends them, conditions on a copy's source, and part reads a backend ignored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListMultipartUploadsCommandOutput } from '@aws-sdk/client-s3';
import { isServiceError } from '../../src/errors/codes.js';
import { checkPartServed } from '../../src/storage/s3/part-reads.js';
import { checkSourceConditions } from '../../src/storage/s3/source-conditions.js';
import { decodeUploads, isEncodedInCopySource, metaOf, taggingHeader, tagsOf } from '../../src/storage/s3/wire.js';

const codeOf = (call: () => void): string | undefined => {
  try {
    call();
    return undefined;
  } catch (err) {
    assert.ok(isServiceError(err));
    return err.code;
  }
};

describe('s3 store v2 translations', () => {
  it('writes x-amz-tagging percent-encoded, a space never as "+"', () => {
    assert.equal(taggingHeader({ 'a b': 'c+d', 'x&y': '=' }), 'a%20b=c%2Bd&x%26y=%3D');
    assert.equal(taggingHeader({}), undefined);
    assert.deepEqual(new URLSearchParams(taggingHeader({ 'a b': 'c+d' })).get('a b'), 'c+d');
    assert.deepEqual(tagsOf([{ Key: 'k', Value: undefined }]), { k: '' });
  });

  it('decodes upload keys RGW encoded without saying so, and leaves raw ones alone', () => {
    const rgw = {
      Uploads: [{ Key: 'a%20b%2Bc%25', UploadId: 'u1' }, { Key: '%C3%A9%01', UploadId: 'u2' }],
      IsTruncated: true,
      NextKeyMarker: 'é',
      $metadata: {},
    } satisfies ListMultipartUploadsCommandOutput;
    const page = decodeUploads(rgw);
    assert.deepEqual(page.uploads.map((u) => u.key), ['a b+c%', 'é\u0001']);
    assert.deepEqual([page.nextKeyMarker, page.nextUploadIdMarker], ['é\u0001', 'u2'], 'markers from the last entry');
    const raw = decodeUploads({ Uploads: [{ Key: 'a b%', UploadId: 'u' }], $metadata: {} });
    assert.deepEqual(raw.uploads.map((u) => u.key), ['a b%']);
  });

  it('hides the reserved metadata name that carries an upload tags', () => {
    const meta = metaOf('k', { Metadata: { 's3gate-upload-tagging': 'a=b', own: '1' }, PartsCount: 3, ChecksumSHA256: 'x' }, 1);
    assert.deepEqual([meta.metadata, meta.partsCount, meta.checksums], [{ own: '1' }, 3, { SHA256: 'x' }]);
  });

  it('checks conditions on a copy source with S3 pairings', () => {
    const source = { etag: '"abc"', lastModified: new Date('2026-01-02T00:00:00.500Z') };
    const day1 = new Date('2026-01-01T00:00:00Z');
    const day3 = new Date('2026-01-03T00:00:00Z');
    const check = (conditions: Parameters<typeof checkSourceConditions>[1]) => codeOf(() => checkSourceConditions(source, conditions));
    assert.equal(check({ ifMatch: 'abc' }), undefined, 'quotes do not matter');
    assert.equal(check({ ifMatch: '"other"' }), 'PreconditionFailed');
    assert.equal(check({ ifUnmodifiedSince: day1 }), 'PreconditionFailed');
    assert.equal(check({ ifMatch: '"abc"', ifUnmodifiedSince: day1 }), undefined, 'If-Match decides');
    assert.equal(check({ ifNoneMatch: '"abc"' }), 'PreconditionFailed');
    assert.equal(check({ ifModifiedSince: day3 }), 'PreconditionFailed');
    assert.equal(check({ ifNoneMatch: '"other"', ifModifiedSince: day3 }), undefined, 'If-None-Match decides');
    assert.equal(check({ ifUnmodifiedSince: new Date('2026-01-02T00:00:00Z') }), undefined, 'to the second');
  });

  it('tells a part read the backend answered with the whole object', () => {
    assert.equal(codeOf(() => checkPartServed(1, { ETag: '"abc"' })), undefined);
    assert.equal(codeOf(() => checkPartServed(2, { ETag: '"abc"' })), 'InvalidRange');
    assert.equal(codeOf(() => checkPartServed(1, { ETag: '"abc-2"' })), 'NotImplemented');
    assert.equal(codeOf(() => checkPartServed(2, { ETag: '"abc-2"', PartsCount: 2 })), undefined);
    assert.equal(codeOf(() => checkPartServed(undefined, { ETag: '"abc-2"' })), undefined);
  });

  it('knows which copy-source keys need percent-encoding', () => {
    assert.equal(isEncodedInCopySource('dir/plain-key_1.txt'), false);
    assert.equal(isEncodedInCopySource('dir/sp ace'), true);
    assert.equal(isEncodedInCopySource('100%'), true);
  });
});
