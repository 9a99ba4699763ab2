/**
 * PutObject's If-Match and If-None-Match as S3 takes them (`*` or an ETag, quoted or bare; If-Match on a
 * missing key is 404 NoSuchKey), and a header value outside US-ASCII, signed as boto3 and as the AWS SDK
 * sign it: judged on its merits (400 InvalidArgument), never as a bad signature. On each store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest, type TestServer } from '../helpers/server.js';
import { Sha256 } from '../helpers/sigv4-sha256.js';
import { bodyBytes, bucketName, FULL_KEY, md5Hex, openFace, rejectsWithCode, sdkClient, type TestKey } from './sdk-support.js';

const text = async (s3: S3Client, bucket: string, key: string) => (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body)).toString();

/** A PUT signed by the SDK's signer over its header values as text, its bytes then sent as boto3 does: UTF-8. */
async function putAsBoto3(url: string, path: string, headers: Record<string, string>, key: TestKey): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  const signer = new SignatureV4({ credentials: { accessKeyId: key.id, secretAccessKey: key.secret }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
  const body = 'bar';
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(port),
    path,
    query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-length': String(body.length), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
  });
  const head = Object.entries(signed.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.end(Buffer.from(`PUT ${path} HTTP/1.1\r\n${head}connection: close\r\n\r\n${body}`, 'utf8'));
  });
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]), body: answer.slice(answer.indexOf('\r\n\r\n') + 4) };
}

for (const under of storesUnderTest()) {
  describe(`S3 API conditional writes and non-ASCII headers (${under.name})`, { skip: under.skip }, () => {
    let server: TestServer;
    let s3: S3Client;
    let close: (() => Promise<void>) | undefined;
    const bucket = bucketName('cond');

    before(async () => {
      ({ server, s3, close } = await openFace(under, bucket));
    });

    after(async () => close?.());

    it('If-Match: * replaces an object that exists, a 1 MiB body streamed; on a missing key it is 404 NoSuchKey', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'any', Body: 'A'.repeat(1024 * 1024) }));
      const big = randomBytes(1024 * 1024);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'any', Body: big, IfMatch: '*' }));
      assert.equal(put.ETag, `"${md5Hex(big)}"`);
      assert.deepEqual(await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'any' }))).Body), big);

      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'absent', Body: 'x', IfMatch: '*' })), 'NoSuchKey', 404);
      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'absent', Body: 'x', IfMatch: put.ETag })), 'NoSuchKey', 404);
      await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'absent' })), 'NotFound', 404);
    });

    it('If-Match with an ETag, quoted or bare: only over the object that has it', async () => {
      const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'v1' }));
      assert.ok(first.ETag);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'v2', IfMatch: first.ETag.replaceAll('"', '') }));
      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'v3', IfMatch: first.ETag })), 'PreconditionFailed', 412);
      assert.equal(await text(s3, bucket, 'tagged'), 'v2');
    });

    it('If-None-Match with an ETag: refused while the object has it, written otherwise and on a missing key', async () => {
      const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unless', Body: 'bar' }));
      assert.ok(first.ETag);
      for (const etag of [first.ETag, first.ETag.replaceAll('"', '')]) {
        await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unless', Body: 'zar', IfNoneMatch: etag })), 'PreconditionFailed', 412);
      }
      assert.equal(await text(s3, bucket, 'unless'), 'bar');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unless', Body: 'zar', IfNoneMatch: '"0123456789abcdef0123456789abcdef"' }));
      assert.equal(await text(s3, bucket, 'unless'), 'zar');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unless-new', Body: 'new', IfNoneMatch: first.ETag }));
      assert.equal(await text(s3, bucket, 'unless-new'), 'new');
      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unless-new', Body: 'again', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    });

    it('a non-ASCII metadata value is checked on its merits, signed as boto3 or as the AWS SDK sends it', async () => {
      const value = 'Hello World\u00e9';
      // boto3: the value's UTF-8 bytes on the wire, signed as UTF-8
      const asBoto3 = await putAsBoto3(server.url, `/${bucket}/unicode`, { 'x-amz-meta-meta1': value }, FULL_KEY);
      assert.equal(asBoto3.status, 400, asBoto3.body);
      assert.match(asBoto3.body, /<Code>InvalidArgument<\/Code>/);
      const forged = await putAsBoto3(server.url, `/${bucket}/unicode`, { 'x-amz-meta-meta1': value }, { ...FULL_KEY, secret: 'not-the-secret' });
      assert.match(forged.body, /<Code>SignatureDoesNotMatch<\/Code>/, 'the signature is still checked');
      // the AWS SDK on Node: one latin1 byte per character on the wire, signed as UTF-8
      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'unicode', Body: 'bar', Metadata: { meta1: value } })), 'InvalidArgument', 400);
      const wrong = sdkClient(server.url, { ...FULL_KEY, secret: 'not-the-secret' });
      await rejectsWithCode(wrong.send(new PutObjectCommand({ Bucket: bucket, Key: 'unicode', Body: 'bar', Metadata: { meta1: value } })), 'SignatureDoesNotMatch', 403);
      wrong.destroy();
      await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'unicode' })), 'NotFound', 404);
    });
  });
}
