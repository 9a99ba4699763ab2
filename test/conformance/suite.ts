/**
 * The store contract suite: the same tests run against every ObjectStore (fs, s3).
 * A store passes when every test here passes; store-specific tests live beside their runner.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from '../helpers/suites.js';
import { noSuchBucket, noSuchKey } from '../../src/errors/not-found.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { failingStream, md5Hex, randomStream, readAll, sha256Hex } from '../helpers/streams.js';
import { bucketSettingsSection } from './bucket-settings.js';
import { checksumSection } from './checksums.js';
import { copySection } from './copy.js';
import { encryptionSection } from './encryption.js';
import { multipartSection } from './multipart.js';
import { body, rejectsWith, type BackendLimits, type ConformanceContext } from './support.js';
import { taggingSection } from './tagging.js';

export interface StoreFixture {
  store: ObjectStore;
  cleanup?: () => Promise<void>;
}

/**
 * The whole suite on the store `setup` opens; with `skip`, every test declared and skipped with that reason.
 * `limits`: what the store's backend cannot do, checked as clear refusals instead.
 */
export function storeConformance(name: string, setup: () => Promise<StoreFixture>, skip?: string, limits: BackendLimits = {}): void {
  describe(`store conformance: ${name}`, { skip }, () => {
    let fixture: StoreFixture;
    let store: ObjectStore;
    // Bucket names are unique per run so a shared S3 server can hold several runs.
    const run = `c${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const made: string[] = [];
    let counter = 0;

    async function newBucket(): Promise<string> {
      const bucket = `${run}-${++counter}`;
      await store.createBucket({ bucket });
      made.push(bucket);
      return bucket;
    }

    async function put(bucket: string, key: string, content: string | Buffer, contentType?: string) {
      return store.putObject({ bucket, key, body: body(content), contentType });
    }

    async function getText(bucket: string, key: string): Promise<string> {
      const res = await store.getObject({ bucket, key });
      return (await readAll(res.body)).toString('utf8');
    }

    async function listAll(bucket: string, opts: { prefix?: string; delimiter?: string; maxKeys?: number } = {}) {
      const keys: string[] = [];
      const prefixes: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.listObjects({ bucket, ...opts, continuationToken: token });
        keys.push(...page.objects.map((o) => o.key));
        prefixes.push(...page.commonPrefixes);
        token = page.isTruncated ? page.nextContinuationToken : undefined;
        if (page.isTruncated) assert.ok(token, 'a truncated page carries a continuation token');
        pages++;
        assert.ok(pages < 10_000, 'listing terminates');
      } while (token);
      return { keys, prefixes, pages };
    }

    /** Open uploads would keep a bucket from being deleted on some servers. */
    async function abortUploads(bucket: string): Promise<void> {
      try {
        for (const upload of (await store.listMultipartUploads({ bucket })).uploads) {
          await store.abortMultipartUpload({ bucket, key: upload.key, uploadId: upload.uploadId });
        }
      } catch {
        // the bucket is gone, or the store has no uploads
      }
    }

    const context: ConformanceContext = {
      get store() {
        return store;
      },
      run,
      newBucket,
      limits,
    };

    before(async () => {
      fixture = await setup();
      store = fixture.store;
    });

    after(async () => {
      for (const bucket of made) {
        await abortUploads(bucket);
        try {
          const { keys } = await listAll(bucket);
          for (const key of keys) await store.deleteObject({ bucket, key });
          await store.deleteBucket({ bucket });
        } catch {
          // already deleted by the test itself
        }
      }
      await store.close();
      await fixture.cleanup?.();
    });

    describe('buckets', () => {
      it('creates, heads, lists and deletes a bucket', async () => {
        const bucket = await newBucket();
        const info = await store.headBucket({ bucket });
        assert.equal(info.name, bucket);
        assert.ok(info.creationDate instanceof Date && !Number.isNaN(info.creationDate.getTime()));
        const listed = (await store.listBuckets({})).find((b) => b.name === bucket);
        assert.ok(listed, 'the new bucket is listed');
        assert.ok(Math.abs(listed.creationDate.getTime() - Date.now()) < 10 * 60_000, 'creation date is now');
        await store.deleteBucket({ bucket });
        await rejectsWith(store.headBucket({ bucket }), 'NoSuchBucket');
        assert.ok(!(await store.listBuckets({})).some((b) => b.name === bucket));
      });

      it('refuses to create a bucket twice', async () => {
        const bucket = await newBucket();
        await rejectsWith(store.createBucket({ bucket }), 'BucketAlreadyExists');
      });

      it('reports missing buckets', async () => {
        const missing = `${run}-missing`;
        await rejectsWith(store.headBucket({ bucket: missing }), 'NoSuchBucket');
        await rejectsWith(store.deleteBucket({ bucket: missing }), 'NoSuchBucket');
        await rejectsWith(store.listObjects({ bucket: missing }), 'NoSuchBucket');
        await rejectsWith(put(missing, 'k', 'x'), 'NoSuchBucket');
        await rejectsWith(store.getObject({ bucket: missing, key: 'k' }), 'NoSuchBucket');
        await rejectsWith(store.headObject({ bucket: missing, key: 'k' }), 'NoSuchBucket');
        await rejectsWith(store.deleteObject({ bucket: missing, key: 'k' }), 'NoSuchBucket');
      });

      it('refuses to delete a bucket that holds objects', async () => {
        const bucket = await newBucket();
        await put(bucket, 'keep', 'x');
        await rejectsWith(store.deleteBucket({ bucket }), 'BucketNotEmpty');
        assert.equal(await getText(bucket, 'keep'), 'x');
        await store.deleteObject({ bucket, key: 'keep' });
        await store.deleteBucket({ bucket });
      });
    });

    describe('objects', () => {
      let bucket: string;
      before(async () => {
        bucket = await newBucket();
      });

      it('stores bytes, type and metadata exactly and reports MD5 ETag, size and date', async () => {
        const data = Buffer.from('{ "b": 1,   "a": [2, 1] }\n', 'utf8');
        const meta = await store.putObject({
          bucket,
          key: 'doc.json',
          body: body(data),
          contentType: 'application/json; charset=utf-8',
          cacheControl: 'max-age=60',
          contentDisposition: 'inline',
          metadata: { color: 'blue', 'x-trace': 'a b' },
          contentLength: data.length,
        });
        assert.equal(meta.etag, `"${md5Hex(data)}"`);
        assert.equal(meta.size, data.length);
        const head = await store.headObject({ bucket, key: 'doc.json' });
        assert.equal(head.key, 'doc.json');
        assert.equal(head.size, data.length);
        assert.equal(head.etag, `"${md5Hex(data)}"`);
        assert.equal(head.contentType, 'application/json; charset=utf-8');
        assert.equal(head.cacheControl, 'max-age=60');
        assert.equal(head.contentDisposition, 'inline');
        assert.deepEqual(head.metadata, { color: 'blue', 'x-trace': 'a b' });
        assert.ok(Math.abs(head.lastModified.getTime() - Date.now()) < 10 * 60_000);
        const got = await store.getObject({ bucket, key: 'doc.json' });
        assert.deepEqual(await readAll(got.body), data);
        assert.equal(got.meta.etag, head.etag);
        assert.equal(got.meta.contentType, 'application/json; charset=utf-8');
      });

      it('defaults the content type and stores empty objects', async () => {
        await store.putObject({ bucket, key: 'empty', body: Readable.from([]) });
        const head = await store.headObject({ bucket, key: 'empty' });
        assert.equal(head.size, 0);
        assert.equal(head.contentType, 'application/octet-stream');
        assert.equal(head.etag, `"${md5Hex(Buffer.alloc(0))}"`);
        assert.equal((await readAll((await store.getObject({ bucket, key: 'empty' })).body)).length, 0);
      });

      it('replaces an object whole on overwrite', async () => {
        await put(bucket, 'over', 'first version, longer', 'text/plain');
        await put(bucket, 'over', 'second', 'text/csv');
        assert.equal(await getText(bucket, 'over'), 'second');
        assert.equal((await store.headObject({ bucket, key: 'over' })).contentType, 'text/csv');
      });

      it('reports a missing key as NoSuchKey, a missing bucket as NoSuchBucket, in the one wording of every store', async () => {
        const missing = noSuchKey(bucket, 'nope').message;
        await rejectsWith(store.getObject({ bucket, key: 'nope' }), 'NoSuchKey', missing);
        await rejectsWith(store.headObject({ bucket, key: 'nope' }), 'NoSuchKey', missing);
        const gone = noSuchBucket('conformance-no-such-bucket').message;
        await rejectsWith(store.getObject({ bucket: 'conformance-no-such-bucket', key: 'nope' }), 'NoSuchBucket', gone);
        await rejectsWith(store.headObject({ bucket: 'conformance-no-such-bucket', key: 'nope' }), 'NoSuchBucket', gone);
      });

      it('deletes objects and says whether they existed', async () => {
        await put(bucket, 'gone', 'x');
        assert.equal(await store.deleteObject({ bucket, key: 'gone' }), true);
        await rejectsWith(store.headObject({ bucket, key: 'gone' }), 'NoSuchKey');
        assert.equal(await store.deleteObject({ bucket, key: 'gone' }), false);
      });

      it('keeps any S3-valid key as a literal name', async () => {
        const keys = [
          'a',
          'a/b',
          'a/b/c',
          '../x',
          '../../etc/passwd',
          'a//b',
          '/leading',
          'trailing/',
          './dot',
          '.',
          '..',
          'back\\slash',
          'C:drive',
          'ctl\u0001\u001fchar',
          'new\nline',
          'sp ace+plus%25&?#',
          'unicode-é-中文-😀',
          'k'.repeat(1024),
          `${'é'.repeat(511)}k`,
        ];
        const ownBucket = await newBucket();
        for (const [i, key] of keys.entries()) await put(ownBucket, key, `content ${i}`);
        for (const [i, key] of keys.entries()) assert.equal(await getText(ownBucket, key), `content ${i}`, key);
        const { keys: listed } = await listAll(ownBucket);
        const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        assert.deepEqual(listed, expected);
        for (const key of keys) assert.equal(await store.deleteObject({ bucket: ownBucket, key }), true, key);
        assert.deepEqual((await listAll(ownBucket)).keys, []);
      });

      it('streams large bodies of unknown length', async () => {
        const size = 20 * 1024 * 1024 + 123;
        const source = randomStream(size);
        const meta = await store.putObject({ bucket, key: 'big.bin', body: source.stream });
        assert.equal(meta.size, size);
        assert.match(meta.etag, /^"[0-9a-f]{32}(-\d+)?"$/);
        const got = await store.getObject({ bucket, key: 'big.bin' });
        assert.equal(got.meta.size, size);
        assert.equal(sha256Hex(await readAll(got.body)), source.digest());
        assert.equal((await store.headObject({ bucket, key: 'big.bin' })).etag, meta.etag);
      });

      it('serves byte ranges', async () => {
        const data = Buffer.from('0123456789abcdefghij');
        await put(bucket, 'range', data);
        const mid = await store.getObject({ bucket, key: 'range', range: { start: 2, end: 5 } });
        assert.equal((await readAll(mid.body)).toString(), '2345');
        assert.deepEqual(mid.range, { start: 2, end: 5 });
        assert.equal(mid.meta.size, 20);
        const tail = await store.getObject({ bucket, key: 'range', range: { start: 15 } });
        assert.equal((await readAll(tail.body)).toString(), 'fghij');
        assert.deepEqual(tail.range, { start: 15, end: 19 });
        const clamped = await store.getObject({ bucket, key: 'range', range: { start: 18, end: 100 } });
        assert.equal((await readAll(clamped.body)).toString(), 'ij');
        assert.deepEqual(clamped.range, { start: 18, end: 19 });
        await rejectsWith(store.getObject({ bucket, key: 'range', range: { start: 20 } }), 'InvalidRange');
      });

      it('copies objects with their metadata, within and across buckets', async () => {
        const other = await newBucket();
        await store.putObject({
          bucket,
          key: 'src',
          body: body('copy me'),
          contentType: 'text/plain',
          metadata: { origin: 'test' },
        });
        const same = await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'dst' });
        assert.equal(same.size, 7);
        assert.equal(await getText(bucket, 'dst'), 'copy me');
        await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket: other, key: 'deep/dst' });
        const head = await store.headObject({ bucket: other, key: 'deep/dst' });
        assert.equal(head.contentType, 'text/plain');
        assert.deepEqual(head.metadata, { origin: 'test' });
        assert.equal(head.etag, `"${md5Hex(Buffer.from('copy me'))}"`);
        assert.equal(await getText(bucket, 'src'), 'copy me', 'the source stays');
        await rejectsWith(
          store.copyObject({ sourceBucket: bucket, sourceKey: 'missing', bucket, key: 'x' }),
          'NoSuchKey',
        );
        await rejectsWith(
          store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket: `${run}-nobucket`, key: 'x' }),
          'NoSuchBucket',
        );
      });

      it('checks Content-MD5, storing nothing on a mismatch', async () => {
        await put(bucket, 'digest', 'old');
        const data = Buffer.from('checked body');
        const wrong = createHash('md5').update('something else').digest('base64');
        await rejectsWith(store.putObject({ bucket, key: 'digest', body: body(data), contentMd5: wrong }), 'BadDigest');
        assert.equal(await getText(bucket, 'digest'), 'old');
        const right = createHash('md5').update(data).digest('base64');
        await store.putObject({ bucket, key: 'digest', body: body(data), contentMd5: right });
        assert.equal(await getText(bucket, 'digest'), 'checked body');
        // a body large enough to go in parts is refused as a whole too
        const big = randomStream(12 * 1024 * 1024 + 5);
        await rejectsWith(store.putObject({ bucket, key: 'digest-big', body: big.stream, contentMd5: wrong }), 'BadDigest');
        await rejectsWith(store.headObject({ bucket, key: 'digest-big' }), 'NoSuchKey');
      });

      it('honours If-None-Match: * and If-Match on writes', async () => {
        const first = await store.putObject({ bucket, key: 'guarded', body: body('one'), ifNoneMatch: '*' });
        await rejectsWith(store.putObject({ bucket, key: 'guarded', body: body('two'), ifNoneMatch: '*' }), 'PreconditionFailed');
        assert.equal(await getText(bucket, 'guarded'), 'one');
        await store.putObject({ bucket, key: 'guarded', body: body('three'), ifMatch: first.etag });
        assert.equal(await getText(bucket, 'guarded'), 'three');
        await rejectsWith(store.putObject({ bucket, key: 'guarded', body: body('four'), ifMatch: first.etag }), 'PreconditionFailed');
        await rejectsWith(store.putObject({ bucket, key: 'unguarded', body: body('x'), ifMatch: first.etag }), 'PreconditionFailed');
        await rejectsWith(store.headObject({ bucket, key: 'unguarded' }), 'NoSuchKey');
        assert.equal(await getText(bucket, 'guarded'), 'three');
      });

      it('stores nothing when the body fails midway, and keeps the old version', async () => {
        await put(bucket, 'fragile', 'old');
        await assert.rejects(
          store.putObject({ bucket, key: 'fragile', body: failingStream(randomBytes(64 * 1024)) }),
        );
        assert.equal(await getText(bucket, 'fragile'), 'old');
        await assert.rejects(store.putObject({ bucket, key: 'never', body: failingStream(randomBytes(1000)) }));
        await rejectsWith(store.headObject({ bucket, key: 'never' }), 'NoSuchKey');
      });

      it('stops an upload when its signal aborts', async () => {
        const controller = new AbortController();
        const source = randomStream(64 * 1024 * 1024, 64 * 1024);
        let seen = 0;
        source.stream.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > 1024 * 1024) controller.abort();
        });
        await assert.rejects(
          store.putObject({ bucket, key: 'aborted', body: source.stream, signal: controller.signal }),
        );
        await rejectsWith(store.headObject({ bucket, key: 'aborted' }), 'NoSuchKey');
      });

      it('lets the last of concurrent writers win, never tearing an object', async () => {
        const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024 + i, 65 + i));
        await Promise.all(versions.map((v) => put(bucket, 'contended', v)));
        const final = await readAll((await store.getObject({ bucket, key: 'contended' })).body);
        assert.ok(
          versions.some((v) => v.equals(final)),
          'the stored object is exactly one of the versions written',
        );
      });
    });

    describe('listing', () => {
      let bucket: string;
      const keys = [
        'a.txt',
        'b/1',
        'b/2',
        'b/c/3',
        'b/c/4',
        'c',
        'd/',
        'd/x',
        'e/f/g',
        '\uff01-fullwidth',
        '\u{1f600}-emoji',
        'é-accent',
      ];
      const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

      before(async () => {
        bucket = await newBucket();
        for (const key of keys) await put(bucket, key, key);
      });

      it('lists every key in UTF-8 byte order with sizes and ETags', async () => {
        const page = await store.listObjects({ bucket });
        assert.deepEqual(
          page.objects.map((o) => o.key),
          byteOrder,
        );
        assert.equal(page.isTruncated, false);
        const first = page.objects[0];
        assert.ok(first);
        assert.equal(first.size, Buffer.byteLength(first.key));
        assert.equal(first.etag, `"${md5Hex(Buffer.from(first.key))}"`);
        assert.ok(first.lastModified instanceof Date);
        assert.equal(typeof first.storageClass, 'string');
      });

      it('filters by prefix', async () => {
        const { keys: listed } = await listAll(bucket, { prefix: 'b/' });
        assert.deepEqual(listed, ['b/1', 'b/2', 'b/c/3', 'b/c/4']);
        assert.deepEqual((await listAll(bucket, { prefix: 'zzz' })).keys, []);
      });

      it('groups by delimiter into common prefixes', async () => {
        const top = await listAll(bucket, { delimiter: '/' });
        assert.deepEqual(top.prefixes, ['b/', 'd/', 'e/']);
        assert.deepEqual(top.keys, byteOrder.filter((k) => !k.includes('/')));
        const inB = await listAll(bucket, { prefix: 'b/', delimiter: '/' });
        assert.deepEqual(inB.keys, ['b/1', 'b/2']);
        assert.deepEqual(inB.prefixes, ['b/c/']);
        const inD = await listAll(bucket, { prefix: 'd/', delimiter: '/' });
        assert.deepEqual(inD.keys, ['d/', 'd/x']);
        assert.deepEqual(inD.prefixes, []);
      });

      it('pages with a continuation token, counting common prefixes', async () => {
        for (const maxKeys of [1, 2, 5]) {
          const all = await listAll(bucket, { maxKeys });
          assert.deepEqual(all.keys, byteOrder, `maxKeys=${maxKeys}`);
          assert.equal(all.pages, Math.ceil(keys.length / maxKeys));
          const grouped = await listAll(bucket, { delimiter: '/', maxKeys });
          assert.deepEqual(grouped.prefixes, ['b/', 'd/', 'e/'], `maxKeys=${maxKeys}`);
          assert.deepEqual(
            grouped.keys,
            byteOrder.filter((k) => !k.includes('/')),
          );
        }
        const first = await store.listObjects({ bucket, maxKeys: 3 });
        assert.equal(first.objects.length, 3);
        assert.equal(first.isTruncated, true);
      });

      it('starts after a given key', async () => {
        const page = await store.listObjects({ bucket, startAfter: 'b/c/3' });
        assert.deepEqual(
          page.objects.map((o) => o.key),
          byteOrder.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from('b/c/3')) > 0),
        );
        const grouped = await store.listObjects({ bucket, startAfter: 'c', delimiter: '/' });
        assert.deepEqual(grouped.commonPrefixes, ['d/', 'e/']);
      });

      it('lists an empty bucket as empty', async () => {
        const empty = await newBucket();
        const page = await store.listObjects({ bucket: empty });
        assert.deepEqual(page.objects, []);
        assert.deepEqual(page.commonPrefixes, []);
        assert.equal(page.isTruncated, false);
      });
    });

    describe('contract v2', () => {
      multipartSection(context);
      checksumSection(context);
      taggingSection(context);
      copySection(context);
      bucketSettingsSection(context);
      encryptionSection(context);
    });

    it('answers a ping', async () => {
      await store.ping({});
    });
  });
}
