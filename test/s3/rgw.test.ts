/**
 * What is specific to the s3 store, on a real S3-compatible server (Ceph RGW from scripts/start-radosgw.sh):
 * credentials, multipart uploads (ETag, clean-up after abort or failure), aborted downloads, awkward keys
 * in copy sources and listing parameters.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from '../helpers/suites.js';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { createS3Client } from '../../src/storage/s3/client.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';
import { failingStream, md5Hex, readAll } from '../helpers/streams.js';

const s3 = s3TestConfig();
const MiB = 1024 * 1024;
const PART = 5 * MiB; // the smallest part S3 allows, so that a few parts make a multipart upload

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected ServiceError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** S3's ETag for a multipart upload: MD5 of the parts' MD5s, then "-<part count>". */
function multipartEtag(data: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let at = 0; at < data.length; at += partSize) {
    digests.push(createHash('md5').update(data.subarray(at, at + partSize)).digest());
  }
  return `"${md5Hex(Buffer.concat(digests))}-${digests.length}"`;
}

/** Chunks of `data` as a stream of unknown length. */
function streamOf(data: Buffer, chunk = 256 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += chunk) yield data.subarray(at, at + chunk);
    })(),
  );
}

describe('s3 store on RGW', 'skip' in s3 ? { skip: s3.skip } : {}, () => {
  const options = 'options' in s3 ? { ...s3.options, partSize: PART, queueSize: 2 } : undefined;
  const bucket = `s3t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let store: ObjectStore;
  let client: S3Client;

  /** Multipart uploads still open for `key` (lib-storage aborts them in the background after an abort). */
  async function openUploads(key: string, waitMs = 0): Promise<number> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
      const open = (out.Uploads ?? []).filter((u) => u.Key === key).length;
      if (open === 0 || Date.now() >= deadline) return open;
      await sleep(100);
    }
  }

  before(async () => {
    assert.ok(options);
    store = createS3Store(options);
    client = createS3Client(options);
    await store.createBucket({ bucket });
  });

  after(async () => {
    const { objects } = await store.listObjects({ bucket });
    for (const o of objects) await store.deleteObject({ bucket, key: o.key });
    await store.deleteBucket({ bucket });
    await store.close();
    client.destroy();
  });

  it('reports wrong credentials as AccessDenied', async () => {
    assert.ok(options);
    const intruder = createS3Store({ ...options, secretAccessKey: 'not-the-secret', maxAttempts: 1 });
    const stranger = createS3Store({ ...options, accessKeyId: 'nobody-has-this-key', maxAttempts: 1 });
    try {
      for (const other of [intruder, stranger]) {
        await rejectsWith(other.listBuckets({}), 'AccessDenied');
        await rejectsWith(other.headBucket({ bucket }), 'AccessDenied');
        await rejectsWith(other.headObject({ bucket, key: 'k' }), 'AccessDenied');
        await rejectsWith(other.putObject({ bucket, key: 'k', body: Readable.from([Buffer.from('x')]) }), 'AccessDenied');
      }
      await rejectsWith(store.headObject({ bucket, key: 'k' }), 'NoSuchKey');
    } finally {
      await intruder.close();
      await stranger.close();
    }
  });

  it('uploads in parts and reports the real multipart ETag (RGW answers the completion with an empty one)', async () => {
    const data = randomBytes(2 * PART + 12345);
    const meta = await store.putObject({ bucket, key: 'multi.bin', body: streamOf(data) });
    assert.equal(meta.size, data.length);
    assert.equal(meta.etag, multipartEtag(data, PART));
    const head = await store.headObject({ bucket, key: 'multi.bin' });
    assert.equal(head.etag, meta.etag);
    assert.equal(head.size, data.length);
    assert.ok((await readAll((await store.getObject({ bucket, key: 'multi.bin' })).body)).equals(data));
  });

  it('aborts the multipart upload when the signal aborts after some parts', async () => {
    const controller = new AbortController();
    let read = 0;
    const body = new Readable({
      read() {
        read += MiB;
        if (read === 3 * PART) controller.abort();
        this.push(read > 20 * PART ? null : randomBytes(MiB));
      },
    });
    await assert.rejects(store.putObject({ bucket, key: 'aborted.bin', body, signal: controller.signal }), {
      name: 'AbortError',
    });
    await rejectsWith(store.headObject({ bucket, key: 'aborted.bin' }), 'NoSuchKey');
    assert.equal(await openUploads('aborted.bin', 5_000), 0, 'no multipart upload left open');
    assert.ok(read < 20 * PART, 'the body stopped being read');
  });

  it('keeps nothing when the body fails after some parts', async () => {
    await store.putObject({ bucket, key: 'fails.bin', body: Readable.from([Buffer.from('old')]) });
    const body = failingStream(randomBytes(2 * PART + 1));
    await rejectsWith(store.putObject({ bucket, key: 'fails.bin', body }), 'IncompleteBody');
    assert.equal((await readAll((await store.getObject({ bucket, key: 'fails.bin' })).body)).toString(), 'old');
    assert.equal(await openUploads('fails.bin'), 0, 'the failed multipart upload was aborted before the reject');
  });

  it('refuses a body longer or shorter than its announced length, storing nothing', async () => {
    for (const [size, announced] of [
      [10, 11],
      [10, 9],
      [2 * PART + 1, 2 * PART + 2],
      [2 * PART + 1, PART],
    ] as const) {
      const key = `length-${size}-${announced}`;
      const body = streamOf(randomBytes(size));
      await rejectsWith(store.putObject({ bucket, key, body, contentLength: announced }), 'IncompleteBody');
      await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
      assert.equal(await openUploads(key), 0);
    }
  });

  it('takes the whole body even when the caller already listens to its data', async () => {
    const data = randomBytes(PART + 7);
    const body = streamOf(data, 64 * 1024);
    let seen = 0;
    body.on('data', (chunk: Buffer) => (seen += chunk.length));
    const meta = await store.putObject({ bucket, key: 'watched', body });
    assert.equal(meta.size, data.length);
    assert.equal(seen, data.length);
    assert.ok((await readAll((await store.getObject({ bucket, key: 'watched' })).body)).equals(data));
  });

  it('stops a download when its signal aborts', async () => {
    await store.putObject({ bucket, key: 'download.bin', body: streamOf(randomBytes(8 * MiB)) });
    const controller = new AbortController();
    const { body } = await store.getObject({ bucket, key: 'download.bin', signal: controller.signal });
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of body) {
          got += (chunk as Buffer).length;
          if (got > MiB) controller.abort();
        }
      })(),
    );
    assert.ok(got < 8 * MiB, `stopped early (read ${got} bytes)`);
  });

  it('copies from keys that need encoding, and lists with awkward prefixes', async () => {
    const source = 'dir/sp ace+plus%25?#&é/ctl\u0001';
    await store.putObject({ bucket, key: source, body: Readable.from([Buffer.from('odd')]), metadata: { m: '1' } });
    const copied = await store.copyObject({ sourceBucket: bucket, sourceKey: source, bucket, key: `${source}/copy` });
    assert.equal(copied.etag, `"${md5Hex(Buffer.from('odd'))}"`);
    assert.deepEqual(copied.metadata, { m: '1' });
    const page = await store.listObjects({ bucket, prefix: 'dir/sp ace+plus%25?#&é/', delimiter: '/' });
    assert.deepEqual(
      page.objects.map((o) => o.key),
      [source],
    );
    assert.deepEqual(page.commonPrefixes, [`${source}/`]);
    const after = await store.listObjects({ bucket, prefix: 'dir/', startAfter: source });
    assert.deepEqual(
      after.objects.map((o) => o.key),
      [`${source}/copy`],
    );
  });

  it('reports the owner of listed objects', async () => {
    const { objects } = await store.listObjects({ bucket, maxKeys: 1 });
    assert.ok(objects[0]?.ownerId, 'FetchOwner gives an owner id');
  });
});
