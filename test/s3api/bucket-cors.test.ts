/**
 * Buckets' CORS rules through the S3 face: Get/Put/DeleteBucketCors with the AWS SDK (its default settings),
 * their limits and malformed documents, and the rules applied as S3 applies them: preflights answered without
 * credentials, allowed requests' CORS headers. On each store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { client, errorCode, KEYED, raw, rejectsWithCode, settingsFixture, uniqueBucket } from './settings-support.js';

const APP = 'https://app.example.com';

const RULES: CORSRule[] = [
  {
    ID: 'uploads from the app',
    AllowedOrigins: [APP, 'https://*.preview.example.com'],
    AllowedMethods: ['GET', 'PUT', 'HEAD'],
    AllowedHeaders: ['content-type', 'x-amz-*'],
    ExposeHeaders: ['ETag', 'x-amz-meta-owner'],
    MaxAgeSeconds: 600,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
];

const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort();
/** A rule as compared: its lists are sets (Ceph RGW gives them back sorted). */
const comparable = (rule: CORSRule) => ({
  ID: rule.ID,
  AllowedOrigins: sorted(rule.AllowedOrigins),
  AllowedMethods: sorted(rule.AllowedMethods),
  AllowedHeaders: sorted(rule.AllowedHeaders),
  ExposeHeaders: sorted(rule.ExposeHeaders),
  MaxAgeSeconds: rule.MaxAgeSeconds,
});

const RULES_XML = `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>uploads from the app</ID>
    <AllowedOrigin>${APP}</AllowedOrigin>
    <AllowedOrigin>https://*.preview.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-meta-owner</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
  <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>
</CORSConfiguration>`;

const preflightHeaders = (origin: string, method: string, headers?: string): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  ...(headers !== undefined ? { 'access-control-request-headers': headers } : {}),
});

function assertRefused(answer: { status: number; text: string; headers: Record<string, unknown> }): void {
  assert.equal(answer.status, 403, answer.text);
  assert.equal(errorCode(answer.text), 'AccessForbidden');
  assert.match(answer.text, /CORSResponse: This CORS request is not allowed/);
  assert.equal(answer.headers['access-control-allow-origin'], undefined);
}

for (const under of storesUnderTest()) {
  describe(`bucket CORS through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    const bucket = uniqueBucket('cors');
    const fx = settingsFixture(under, KEYED, [bucket]);

    it('puts, gets, replaces and deletes the rules', async () => {
      await rejectsWithCode(fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
      await fx.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
      const got = await fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
      assert.deepEqual(got.CORSRules?.map(comparable), RULES.map(comparable));
      const one: CORSRule = { AllowedOrigins: ['http://localhost:5173'], AllowedMethods: ['DELETE', 'POST'], AllowedHeaders: ['*'] };
      await fx.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [one] } }));
      assert.deepEqual((await fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.map(comparable), [comparable(one)]);
      const deleted = await fx.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWithCode(fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
    });

    it('lets a key that may list read the rules, and only an admin key change them', async () => {
      await fx.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
      assert.equal((await fx.reader.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 2);
      await rejectsWithCode(fx.reader.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [RULES[1]!] } })), 'AccessDenied', 403);
      await rejectsWithCode(fx.reader.send(new DeleteBucketCorsCommand({ Bucket: bucket })), 'AccessDenied', 403);
      assert.equal((await fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 2, 'unchanged');
    });

    it("refuses what S3 refuses, leaving the bucket's rules as they were", async () => {
      const put = (rules: CORSRule[]) => fx.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
      await put(RULES);
      const many = Array.from({ length: 101 }, (_, i): CORSRule => ({ AllowedOrigins: [`https://s${i}.example.com`], AllowedMethods: ['GET'] }));
      await rejectsWithCode(put(many), 'InvalidRequest', 400);
      await rejectsWithCode(put([{ AllowedOrigins: [APP], AllowedMethods: ['PATCH'] }]), 'InvalidRequest', 400);
      await rejectsWithCode(put([{ AllowedOrigins: ['https://*.*.example.com'], AllowedMethods: ['GET'] }]), 'InvalidRequest', 400);
      await rejectsWithCode(put([{ AllowedOrigins: [APP], AllowedMethods: ['GET'], AllowedHeaders: ['x-*-*'] }]), 'InvalidRequest', 400);
      await rejectsWithCode(put([{ AllowedOrigins: [], AllowedMethods: ['GET'] }]), 'InvalidRequest', 400);
      await rejectsWithCode(put([]), 'MalformedXML', 400);
      assert.deepEqual((await fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.map(comparable), RULES.map(comparable));
      // a hundred is the limit, not beyond it
      await put(many.slice(0, 100));
      assert.equal((await fx.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 100);
    });

    it('answers NoSuchBucket for a bucket that does not exist', async () => {
      const missing = uniqueBucket('nocors');
      await rejectsWithCode(fx.s3.send(new GetBucketCorsCommand({ Bucket: missing })), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.s3.send(new PutBucketCorsCommand({ Bucket: missing, CORSConfiguration: { CORSRules: RULES } })), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.s3.send(new DeleteBucketCorsCommand({ Bucket: missing })), 'NoSuchBucket', 404);
    });

    it('answers a preflight without credentials, and puts CORS headers on the refusal of an unsigned request', async () => {
      await fx.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: RULES } }));
      const preflight = await fetch(`${fx.server.url}/${bucket}/photo.jpg`, { method: 'OPTIONS', headers: preflightHeaders(APP, 'PUT', 'content-type') });
      assert.equal(preflight.status, 200);
      assert.equal(preflight.headers.get('access-control-allow-origin'), APP);
      const unsigned = await fetch(`${fx.server.url}/${bucket}/photo.jpg`, { headers: { origin: APP } });
      assert.equal(unsigned.status, 403);
      assert.equal(errorCode(await unsigned.text()), 'AccessDenied');
      assert.equal(unsigned.headers.get('access-control-allow-origin'), APP, 'the page can read why it was refused');
    });
  });

  describe(`bucket CORS applied to browsers' requests (${under.name}, a server without keys)`, { skip: under.skip }, () => {
    const bucket = uniqueBucket('browser');
    const bare = uniqueBucket('bare');
    // the main listener's global origins do not apply on the S3 listener
    const fx = settingsFixture(under, { cors: { origins: ['https://global.example.net'] } }, [bucket, bare]);
    const url = (path: string) => `${fx.server.url}${path}`;

    before(async () => {
      const put = await fetch(url(`/${bucket}?cors`), { method: 'PUT', body: RULES_XML });
      assert.equal(put.status, 200, await put.text());
      assert.equal((await fetch(url(`/${bucket}/kept.txt`), { method: 'PUT', body: 'hello', headers: { 'x-amz-meta-owner': 'me' } })).status, 200);
    });

    it('answers an allowed preflight with the rule: origin, methods, headers asked for, max age, Vary', async () => {
      const answer = await fetch(url(`/${bucket}/dir/new.bin?x-id=PutObject`), {
        method: 'OPTIONS',
        headers: preflightHeaders(APP, 'PUT', 'Content-Type, x-amz-meta-owner, X-Amz-Date'),
      });
      assert.equal(answer.status, 200, await answer.text());
      assert.equal(answer.headers.get('access-control-allow-origin'), APP);
      assert.equal(answer.headers.get('access-control-allow-methods'), 'GET, PUT, HEAD');
      assert.equal(answer.headers.get('access-control-allow-headers'), 'content-type, x-amz-meta-owner, x-amz-date');
      assert.equal(answer.headers.get('access-control-expose-headers'), 'ETag, x-amz-meta-owner');
      assert.equal(answer.headers.get('access-control-max-age'), '600');
      assert.match(answer.headers.get('vary') ?? '', /Origin/);
      // a preflight of the bucket itself (a listing) is answered the same way
      const listing = await fetch(url(`/${bucket}`), { method: 'OPTIONS', headers: preflightHeaders(APP, 'GET') });
      assert.equal(listing.status, 200);
      assert.equal(listing.headers.get('access-control-allow-headers'), null, 'no headers asked for, none allowed');
    });

    it('answers a virtual-hosted-style preflight from the bucket its host names', async () => {
      const port = new URL(fx.server.url).port;
      const answer = await raw(fx.server.url, 'OPTIONS', '/kept.txt', { host: `${bucket}.s3.localhost:${port}`, ...preflightHeaders(APP, 'GET') });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers['access-control-allow-origin'], APP);
      const other = await raw(fx.server.url, 'OPTIONS', '/kept.txt', { host: `${bare}.s3.localhost:${port}`, ...preflightHeaders(APP, 'GET') });
      assertRefused(other);
    });

    it('matches wildcard origins: one * in a pattern, and * alone for any origin', async () => {
      const preview = await fetch(url(`/${bucket}/kept.txt`), { method: 'OPTIONS', headers: preflightHeaders('https://pr-12.preview.example.com', 'PUT') });
      assert.equal(preview.status, 200);
      assert.equal(preview.headers.get('access-control-allow-origin'), 'https://pr-12.preview.example.com');
      // not the rule's subdomains, so not its methods: only the second rule's GET for any origin
      const elsewhere = await fetch(url(`/${bucket}/kept.txt`), { method: 'OPTIONS', headers: preflightHeaders('https://preview.example.com', 'PUT') });
      assertRefused({ status: elsewhere.status, text: await elsewhere.text(), headers: Object.fromEntries(elsewhere.headers) });
      const anyone = await fetch(url(`/${bucket}/kept.txt`), { method: 'OPTIONS', headers: preflightHeaders('https://anyone.example.org', 'GET') });
      assert.equal(anyone.status, 200);
      assert.equal(anyone.headers.get('access-control-allow-origin'), '*');
      assert.equal(anyone.headers.get('access-control-allow-methods'), 'GET');
    });

    it('refuses a preflight no rule allows: its origin, its method or one of its headers', async () => {
      const refusedBy = async (headers: Record<string, string>) => {
        const answer = await fetch(url(`/${bucket}/kept.txt`), { method: 'OPTIONS', headers });
        assertRefused({ status: answer.status, text: await answer.text(), headers: Object.fromEntries(answer.headers) });
        assert.match(answer.headers.get('vary') ?? '', /Origin/, 'a refusal varies by origin too');
      };
      await refusedBy(preflightHeaders('https://evil.example.net', 'PUT'));
      await refusedBy(preflightHeaders(APP, 'DELETE'));
      await refusedBy(preflightHeaders(APP, 'PUT', 'content-type, authorization-extra'));
      await refusedBy(preflightHeaders('https://anyone.example.org', 'GET', 'content-type'));
    });

    it('refuses preflights alike for a bucket without rules and for one that does not exist', async () => {
      for (const name of [bare, uniqueBucket('missing'), 'Not_A_Bucket']) {
        const answer = await raw(fx.server.url, 'OPTIONS', `/${name}/kept.txt`, preflightHeaders(APP, 'GET'));
        assertRefused(answer);
      }
      // the global origins of the main listener are not this listener's
      assertRefused(await raw(fx.server.url, 'OPTIONS', `/${bare}/kept.txt`, preflightHeaders('https://global.example.net', 'GET')));
    });

    it('answers 400 to a preflight without an origin or a method', async () => {
      const noOrigin = await raw(fx.server.url, 'OPTIONS', `/${bucket}/kept.txt`, { 'access-control-request-method': 'GET' });
      assert.equal(noOrigin.status, 400);
      assert.equal(errorCode(noOrigin.text), 'InvalidRequest');
      const noMethod = await raw(fx.server.url, 'OPTIONS', `/${bucket}/kept.txt`, { origin: APP });
      assert.equal(noMethod.status, 400);
    });

    it("puts the allowing rule's headers on requests from an allowed origin, errors included", async () => {
      const got = await fetch(url(`/${bucket}/kept.txt`), { headers: { origin: APP } });
      assert.equal(await got.text(), 'hello');
      assert.equal(got.headers.get('access-control-allow-origin'), APP);
      assert.equal(got.headers.get('access-control-allow-methods'), 'GET, PUT, HEAD');
      assert.equal(got.headers.get('access-control-expose-headers'), 'ETag, x-amz-meta-owner');
      assert.match(got.headers.get('vary') ?? '', /Origin/);
      assert.equal(got.headers.get('access-control-max-age'), null, 'a preflight header only');
      const head = await fetch(url(`/${bucket}/kept.txt`), { method: 'HEAD', headers: { origin: 'https://pr-1.preview.example.com' } });
      assert.equal(head.headers.get('access-control-allow-origin'), 'https://pr-1.preview.example.com');
      const missing = await fetch(url(`/${bucket}/nothing-here`), { headers: { origin: APP } });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('access-control-allow-origin'), APP);
      const anyone = await fetch(url(`/${bucket}/kept.txt`), { headers: { origin: 'https://anyone.example.org' } });
      assert.equal(anyone.headers.get('access-control-allow-origin'), '*');
      const put = await fetch(url(`/${bucket}/written.txt`), { method: 'PUT', body: 'x', headers: { origin: APP } });
      assert.equal(put.status, 200);
      assert.equal(put.headers.get('access-control-allow-origin'), APP);
      await fx.server.store.deleteObject({ bucket, key: 'written.txt' });
    });

    it('puts none on requests from other origins, for other methods, or without an origin', async () => {
      const other = await fetch(url(`/${bucket}/kept.txt`), { method: 'HEAD', headers: { origin: 'https://anyone.example.org' } });
      assert.equal(other.status, 200);
      assert.equal(other.headers.get('access-control-allow-origin'), null, 'the * rule allows GET only');
      assert.match(other.headers.get('vary') ?? '', /Origin/);
      const plain = await fetch(url(`/${bucket}/kept.txt`));
      assert.equal(plain.headers.get('access-control-allow-origin'), null);
      assert.equal(plain.headers.get('vary'), null);
      const bareBucket = await fetch(url(`/${bare}`), { method: 'HEAD', headers: { origin: APP } });
      assert.equal(bareBucket.status, 200);
      assert.equal(bareBucket.headers.get('access-control-allow-origin'), null);
    });

    it('applies changed rules at once, and forgets them with their bucket', async () => {
      const name = uniqueBucket('changing');
      const preflight = () => raw(fx.server.url, 'OPTIONS', `/${name}/k`, preflightHeaders('http://localhost:3000', 'DELETE'));
      assert.equal((await fetch(url(`/${name}`), { method: 'PUT' })).status, 200);
      assertRefused(await preflight());
      const rule = '<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:*</AllowedOrigin><AllowedMethod>DELETE</AllowedMethod></CORSRule></CORSConfiguration>';
      assert.equal((await fetch(url(`/${name}?cors`), { method: 'PUT', body: rule })).status, 200);
      assert.equal((await preflight()).status, 200);
      assert.equal((await fetch(url(`/${name}?cors`), { method: 'DELETE' })).status, 204);
      assertRefused(await preflight());
      assert.equal((await fetch(url(`/${name}?cors`), { method: 'PUT', body: rule })).status, 200);
      assert.equal((await preflight()).status, 200);
      assert.equal((await fetch(url(`/${name}`), { method: 'DELETE' })).status, 204);
      assert.equal((await fetch(url(`/${name}`), { method: 'PUT' })).status, 200);
      assertRefused(await preflight());
      await fetch(url(`/${name}`), { method: 'DELETE' });
    });

    it('refuses malformed documents with MalformedXML and checks Content-MD5 and checksums when given', async () => {
      const putCors = (body: string, headers: Record<string, string> = {}) => raw(fx.server.url, 'PUT', `/${bare}?cors`, headers, body);
      const malformed = [
        'not xml at all <',
        '<Tagging><TagSet/></Tagging>',
        '<CORSConfiguration></CORSConfiguration>',
        '<CORSConfiguration><CORSRule><AllowedOrigins>*</AllowedOrigins><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>',
      ];
      for (const body of malformed) {
        const answer = await putCors(body);
        assert.equal(answer.status, 400, body);
        assert.equal(errorCode(answer.text), 'MalformedXML', body);
      }
      const good = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>';
      const md5 = (text: string) => createHash('md5').update(text).digest('base64');
      const wrongMd5 = await putCors(good, { 'content-md5': md5(`${good} `) });
      assert.equal(wrongMd5.status, 400);
      assert.equal(errorCode(wrongMd5.text), 'BadDigest');
      const wrongCrc = await putCors(good, { 'x-amz-checksum-crc32': 'AAAAAA==' });
      assert.equal(errorCode(wrongCrc.text), 'BadDigest');
      assert.equal((await fetch(url(`/${bare}?cors`))).status, 404, 'nothing stored');
      assert.equal((await putCors(good, { 'content-md5': md5(good) })).status, 200);
      const got = await fetch(url(`/${bare}?cors`));
      assert.match(await got.text(), /<CORSRule><AllowedOrigin>\*<\/AllowedOrigin><AllowedMethod>HEAD<\/AllowedMethod><\/CORSRule>/);
      assert.equal((await fetch(url(`/${bare}?cors`), { method: 'DELETE' })).status, 204);
    });

    it('serves the rules to the SDK as it wrote them', async () => {
      const sdk = client(fx.server.url);
      try {
        const got = await sdk.send(new GetBucketCorsCommand({ Bucket: bucket }));
        assert.deepEqual(got.CORSRules?.map(comparable), RULES.map(comparable));
        await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-sdk', Body: 'x' }));
        await fx.server.store.deleteObject({ bucket, key: 'by-sdk' });
      } finally {
        sdk.destroy();
      }
    });
  });
}
