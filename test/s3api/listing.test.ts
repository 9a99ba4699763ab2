/**
 * ListObjects, ListObjectsV2 and ListObjectVersions through the AWS SDK v3 (default settings), on each store:
 * a few hundred keys, every way of paging, compared with the listing expected in UTF-8 byte order.
 */
import assert from 'node:assert/strict';
import {
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { byteOrder, expectS3Error, freshBucketName, openS3Fixture, putKeys, sdkClient, type S3Fixture } from '../helpers/s3-sdk-calls.js';

const KEY = { id: 'AKIDLISTINGTEST', secret: 'listing-test-secret-of-forty-characters-00' };
const LIMITED = { id: 'AKIDLISTINGD1ONLY', secret: 'listing-test-secret-for-a-prefix-grant-000' };

const SPECIAL_KEYS = [
  '0001',
  '0002',
  '1e3',
  'a b/c d',
  'a b/c+d',
  'plus+sign',
  'per%cent',
  'per%2Fcent',
  'ünïcödé/ключ',
  '日本/語',
  'emoji😀', // above U+FFFF: UTF-16 would sort it before the next one, UTF-8 after
  'fullwidth\uFF5A',
  'emoji\uFFFD',
  'd1',
  'd1-', // '-' sorts before '/': before the common prefix d1/
  'd10/x',
  'true',
  'xml <&> "quoted" \'apostrophe\'', // escaped in the XML, read back as it was
];

function generatedKeys(): string[] {
  const keys: string[] = [];
  for (let i = 0; i < 240; i++) keys.push(`d${i % 6}/${i % 4 === 0 ? `s${i % 3}/` : ''}k${String(i).padStart(4, '0')}`);
  return keys;
}

const ALL_KEYS = [...generatedKeys(), ...SPECIAL_KEYS].sort(byteOrder);

interface Listed {
  keys: string[];
  prefixes: string[];
}

/** What S3 lists: keys under the prefix, those with the delimiter after it rolled up, in byte order. */
function expected(prefix = '', delimiter?: string): Listed {
  const out: Listed = { keys: [], prefixes: [] };
  for (const key of ALL_KEYS) {
    if (!key.startsWith(prefix)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) out.keys.push(key);
    else {
      const common = key.slice(0, cut + delimiter!.length);
      if (out.prefixes.at(-1) !== common) out.prefixes.push(common);
    }
  }
  return out;
}

function gather(into: Listed, page: { Contents?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] }, decode = (s: string) => s): void {
  into.keys.push(...(page.Contents ?? []).map((o) => decode(o.Key!)));
  into.prefixes.push(...(page.CommonPrefixes ?? []).map((p) => decode(p.Prefix!)));
}

for (const under of storesUnderTest()) {
  describe(`S3 API listings through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    let fixture: S3Fixture;
    let s3: S3Client;
    const bucket = freshBucketName('list');

    before(async () => {
      fixture = await openS3Fixture(under, bucket, [
        { ...KEY, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] },
        { ...LIMITED, grants: [{ bucket, prefix: 'd1/', actions: ['list'] }] },
      ]);
      s3 = fixture.s3;
      await putKeys(s3, bucket, ALL_KEYS);
    });

    after(() => fixture?.close());

    it('v2 pages by continuation token through every key, in byte order', async () => {
      const listed: Listed = { keys: [], prefixes: [] };
      let pages = 0;
      for await (const page of paginateListObjectsV2({ client: s3, pageSize: 37 }, { Bucket: bucket })) {
        pages++;
        assert.ok((page.KeyCount ?? 0) <= 37);
        assert.equal(page.KeyCount, page.Contents?.length ?? 0);
        gather(listed, page);
      }
      assert.deepEqual(listed, expected());
      assert.equal(pages, Math.ceil(ALL_KEYS.length / 37));
      const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 2 }));
      assert.deepEqual(first.Contents?.map((o) => o.Key), ['0001', '0002']);
      assert.equal(first.Contents?.[0]?.Size, 4);
      assert.match(first.Contents?.[0]?.ETag ?? '', /^"[0-9a-f]{32}"$/);
      assert.equal(first.Contents?.[0]?.StorageClass, 'STANDARD');
      assert.equal(first.Contents?.[0]?.Owner, undefined); // only with fetch-owner
    });

    it('v2 rolls keys up by delimiter, paged by token and by start-after, with and without a prefix', async () => {
      for (const prefix of ['', 'd0/', 'd1', 'a b/']) {
        const byToken: Listed = { keys: [], prefixes: [] };
        let token: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: '/', MaxKeys: 3, ContinuationToken: token }));
          assert.ok((page.KeyCount ?? 0) <= 3);
          assert.equal(page.KeyCount, (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
          gather(byToken, page);
          token = page.NextContinuationToken;
          assert.equal(page.IsTruncated, token !== undefined);
        } while (token);
        assert.deepEqual(byToken, expected(prefix, '/'), `prefix "${prefix}" by token`);
      }
      const whole = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
      assert.deepEqual(whole.CommonPrefixes?.map((p) => p.Prefix), ['a b/', 'd0/', 'd1/', 'd10/', 'd2/', 'd3/', 'd4/', 'd5/', 'ünïcödé/', '日本/']);
      assert.equal(whole.Delimiter, '/');
      assert.equal(whole.IsTruncated, false);
      // start-after inside a common prefix skips it whole, as S3 does
      const inside = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', StartAfter: 'd0/k0001', MaxKeys: 3 }));
      assert.deepEqual(inside.Contents?.map((o) => o.Key), ['d1', 'd1-']);
      assert.deepEqual(inside.CommonPrefixes?.map((p) => p.Prefix), ['d1/']);
      assert.equal(inside.StartAfter, 'd0/k0001');
    });

    it('v2 pages by start-after alone, without a delimiter', async () => {
      const listed: Listed = { keys: [], prefixes: [] };
      let startAfter: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: startAfter, MaxKeys: 100 }));
        gather(listed, page);
        if (!page.IsTruncated) break;
        startAfter = page.Contents?.at(-1)?.Key;
      }
      assert.deepEqual(listed, expected());
    });

    it('v2 answers max-keys 0 with nothing, fetch-owner with the owner, a bad token with InvalidArgument', async () => {
      const none = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 0 }));
      assert.equal(none.KeyCount, 0);
      assert.equal(none.IsTruncated, false);
      assert.equal(none.Contents, undefined);
      const owned = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1, FetchOwner: true }));
      assert.equal(owned.Contents?.[0]?.Owner?.ID, KEY.id);
      await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: '!!not a token' })), 'InvalidArgument', 400);
      await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: `${bucket}-absent` })), 'NoSuchBucket', 404);
      await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: `${bucket}-absent`, MaxKeys: 0 })), 'NoSuchBucket', 404);
    });

    it('v2 with encoding-type=url percent-encodes keys, prefixes, the delimiter and start-after', async () => {
      const listed: Listed = { keys: [], prefixes: [] };
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Delimiter: ' ', MaxKeys: 50, ContinuationToken: token }));
        assert.equal(page.EncodingType, 'url');
        assert.equal(page.Delimiter, '%20');
        gather(listed, page, decodeURIComponent);
        token = page.NextContinuationToken;
      } while (token);
      assert.deepEqual(listed, expected('', ' '));
      const plus = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Prefix: 'plus', StartAfter: 'per%cent' }));
      assert.deepEqual(plus.Contents?.map((o) => o.Key), ['plus%2Bsign']);
      assert.equal(plus.StartAfter, 'per%25cent');
      const unicode = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Prefix: '日本/' }));
      assert.equal(unicode.Prefix, `${encodeURIComponent('日本')}/`, 'S3 leaves "/" as it is');
      assert.deepEqual(unicode.Contents?.map((o) => o.Key), [`${encodeURIComponent('日本')}/${encodeURIComponent('語')}`]);
    });

    it('v1 pages by marker: the last key without a delimiter, NextMarker with one', async () => {
      const plain: Listed = { keys: [], prefixes: [] };
      let marker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker, MaxKeys: 41 }));
        assert.equal(page.NextMarker, undefined); // S3 sends it only with a delimiter
        assert.equal(page.Contents?.[0]?.Owner?.ID, KEY.id); // v1 always names the owner
        gather(plain, page);
        if (!page.IsTruncated) break;
        marker = page.Contents?.at(-1)?.Key;
      }
      assert.deepEqual(plain, expected());
      for (const prefix of ['', 'd2/']) {
        const rolled: Listed = { keys: [], prefixes: [] };
        let next: string | undefined;
        let pages = 0;
        do {
          const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: '/', Marker: next, MaxKeys: 2 }));
          assert.equal(page.Marker ?? '', next ?? '');
          gather(rolled, page);
          next = page.NextMarker;
          assert.equal(page.IsTruncated, next !== undefined);
          assert.ok(++pages < 200, 'paging by NextMarker ends');
        } while (next);
        assert.deepEqual(rolled, expected(prefix, '/'), `prefix "${prefix}"`);
      }
    });

    it('ListObjectVersions lists every object as its one version "null", paged by key marker', async () => {
      const listed: Listed = { keys: [], prefixes: [] };
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, MaxKeys: 60 }));
        for (const version of page.Versions ?? []) {
          assert.equal(version.VersionId, 'null');
          assert.equal(version.IsLatest, true);
          assert.equal(version.Owner?.ID, KEY.id);
        }
        assert.equal(page.DeleteMarkers, undefined);
        listed.keys.push(...(page.Versions ?? []).map((v) => v.Key!));
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
        assert.equal(versionIdMarker, 'null');
      }
      assert.deepEqual(listed, expected());
      const rolled = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Delimiter: '/', Prefix: 'd2/', KeyMarker: 'd2/k0014' }));
      assert.deepEqual(rolled.CommonPrefixes?.map((p) => p.Prefix), ['d2/s2/']);
      assert.deepEqual(rolled.Versions?.map((v) => v.Key), expected('d2/', '/').keys.filter((k) => byteOrder(k, 'd2/k0014') > 0));
      await expectS3Error(s3.send(new ListObjectVersionsCommand({ Bucket: bucket, VersionIdMarker: 'null' })), 'InvalidArgument', 400);
    });

    it("lists only what a key's grants cover: the granted prefix, not the bucket", async () => {
      const limited = sdkClient(fixture.server.url, LIMITED);
      try {
        const page = await limited.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'd1/', Delimiter: '/' }));
        assert.deepEqual({ keys: (page.Contents ?? []).map((o) => o.Key), prefixes: (page.CommonPrefixes ?? []).map((p) => p.Prefix) }, expected('d1/', '/'));
        await expectS3Error(limited.send(new ListObjectsV2Command({ Bucket: bucket })), 'AccessDenied', 403);
        await expectS3Error(limited.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'd2/' })), 'AccessDenied', 403);
      } finally {
        limited.destroy();
      }
    });

    it('writes listings as S3 does, in its namespace, keys such as "0001" as text', async () => {
      const v2 = await fetch(`${fixture.open.url}/${bucket}?list-type=2&max-keys=3`);
      assert.equal(v2.status, 200);
      assert.match(v2.headers.get('content-type') ?? '', /^application\/xml/);
      const text = await v2.text();
      assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
      assert.match(text, /<Name>[^<]+<\/Name><Prefix><\/Prefix><MaxKeys>3<\/MaxKeys><KeyCount>3<\/KeyCount><IsTruncated>true<\/IsTruncated>/);
      assert.match(text, /<Contents><Key>0001<\/Key><LastModified>\d{4}-\d\d-\d\dT[\d:.]+Z<\/LastModified><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><Size>4<\/Size><StorageClass>STANDARD<\/StorageClass><\/Contents>/);
      assert.match(text, /<Key>1e3<\/Key>/);
      assert.match(text, /<NextContinuationToken>[A-Za-z0-9_-]+<\/NextContinuationToken>/);
      const v1 = await (await fetch(`${fixture.open.url}/${bucket}?prefix=a%20b%2F&encoding-type=url`)).text();
      assert.match(v1, /<Prefix>a b\/<\/Prefix><Marker><\/Marker><MaxKeys>1000<\/MaxKeys><IsTruncated>false<\/IsTruncated><EncodingType>url<\/EncodingType>/);
      assert.match(v1, /<Key>a%20b\/c%2Bd<\/Key>/, 'v1 encodes keys but not its Prefix, as S3 does');
      const bad = await fetch(`${fixture.open.url}/${bucket}?list-type=2&max-keys=-1`);
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /<Code>InvalidArgument<\/Code>/);
      const encoding = await fetch(`${fixture.open.url}/${bucket}?encoding-type=base64`);
      assert.equal(encoding.status, 400);
      await encoding.body?.cancel();
    });
  });
}
