/**
 * aws-chunked bodies: AWS's published STREAMING-AWS4-HMAC-SHA256-PAYLOAD example (seed and chunk signatures)
 * decodes to its 66,560 bytes, and any tampering errors the stream; unsigned bodies with a CRC32 trailer
 * (what the SDK sends by default) are checked against Node's own CRC32.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, it } from '../helpers/suites.js';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { readClaim } from '../../src/auth/sigv4/claim.js';
import { ChunkedDecoder, type ChunkedOptions } from '../../src/auth/sigv4/chunked.js';
import { verifySignature } from '../../src/auth/sigv4/verify.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

const headers = {
  Host: 's3.amazonaws.com',
  'x-amz-date': '20130524T000000Z',
  'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  Authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
    'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,' +
    'Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'Content-Encoding': 'aws-chunked',
  'x-amz-decoded-content-length': '66560',
  'Content-Length': '66824',
};

function exampleChain() {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const request = { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', rawHeaders: Object.entries(headers).flat(), headers: lower };
  const claim = readClaim(lower, '');
  assert.ok(claim);
  const verified = verifySignature(request, claim, SECRET, new Date('2013-05-24T00:05:00Z'));
  assert.deepEqual(verified.payload, { kind: 'chunked', signed: true, trailer: false });
  return verified.chain;
}

function exampleBody(signatures = SIGNATURES, sizes = [65536, 1024]): Buffer {
  const parts: Buffer[] = [];
  sizes.forEach((size, i) => {
    parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${signatures[i]}\r\n`), Buffer.alloc(size, 'a'), Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`0;chunk-signature=${signatures[sizes.length]}\r\n\r\n`));
  return Buffer.concat(parts);
}

/** Feeds `body` in pieces of `piece` bytes (so lines and chunks straddle reads) and gathers the output. */
async function decode(body: Buffer, options: ChunkedOptions, piece = 1000): Promise<{ out: Buffer; decoder: ChunkedDecoder }> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += piece) pieces.push(body.subarray(at, at + piece));
  const decoder = new ChunkedDecoder(options);
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), decoder, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return { out: Buffer.concat(out), decoder };
}

async function refused(body: Buffer, options: ChunkedOptions, code: ErrorCode): Promise<void> {
  await assert.rejects(decode(body, options), (err: unknown) => isServiceError(err) && err.code === code);
}

describe('aws-chunked bodies', () => {
  it("decodes AWS's signed example, whatever the read sizes", async () => {
    const chain = exampleChain();
    assert.equal(exampleBody().length, 66824);
    for (const piece of [1, 7, 88, 1000, 70000]) {
      const { out } = await decode(exampleBody(), { chain, decodedLength: 66560 }, piece);
      assert.equal(out.length, 66560);
      assert.ok(out.every((b) => b === 0x61));
    }
  });

  it('errors on a wrong, missing or reordered chunk signature, changed bytes, or a wrong length', async () => {
    const chain = exampleChain();
    const [one = '', two = '', last = ''] = SIGNATURES;
    await refused(exampleBody([one, two, last.replace(/^b/, 'c')]), { chain }, 'SignatureDoesNotMatch');
    await refused(exampleBody([two, one, last]), { chain }, 'SignatureDoesNotMatch');
    const changed = exampleBody();
    changed[100] = 0x62;
    await refused(changed, { chain }, 'SignatureDoesNotMatch');
    const unsigned = Buffer.from(exampleBody().toString('latin1').replace(`;chunk-signature=${two}`, ''), 'latin1');
    await refused(unsigned, { chain }, 'SignatureDoesNotMatch');
    await refused(exampleBody(), { chain, decodedLength: 66561 }, 'IncompleteBody');
    await refused(exampleBody().subarray(0, 66000), { chain }, 'IncompleteBody');
  });

  it('checks an unsigned body against its CRC32 trailer', async () => {
    const data = Buffer.from('hello, trailing checksum world');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(data));
    const body = (value: string) =>
      Buffer.from(`${(10).toString(16)}\r\n${data.subarray(0, 10).toString()}\r\n${(data.length - 10).toString(16)}\r\n${data.subarray(10).toString()}\r\n0\r\nx-amz-checksum-crc32:${value}\r\n\r\n`);
    const { out, decoder } = await decode(body(crc.toString('base64')), { trailer: 'x-amz-checksum-crc32', decodedLength: data.length }, 5);
    assert.deepEqual(out, data);
    assert.equal(decoder.verifiedChecksum, crc.toString('base64'));
    const wrong = Buffer.from(crc);
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    await refused(body(wrong.toString('base64')), { trailer: 'x-amz-checksum-crc32' }, 'BadDigest');
    await refused(body('not-base64!'), { trailer: 'x-amz-checksum-crc32' }, 'InvalidDigest');
    await refused(Buffer.from(`3\r\nabc\r\n0\r\n\r\n`), { trailer: 'x-amz-checksum-crc32' }, 'IncompleteBody');
    assert.throws(() => new ChunkedDecoder({ trailer: 'x-amz-checksum-md5' }), (err: unknown) => isServiceError(err) && err.code === 'InvalidRequest');
  });

  it('refuses a malformed chunk size, a chunk longer than its size, and bytes after the end', async () => {
    await refused(Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), {}, 'IncompleteBody');
    await refused(Buffer.from('2\r\nabc\r\n0\r\n\r\n'), {}, 'IncompleteBody');
    await refused(Buffer.from('3\r\nabc\r\n0\r\n\r\nmore'), {}, 'IncompleteBody');
    await refused(Buffer.from(`${'1'.repeat(5000)}\r\n`), {}, 'IncompleteBody');
    const { out } = await decode(Buffer.from('3\r\nabc\r\n0\r\n\r\n'), {});
    assert.equal(out.toString(), 'abc');
  });
});
