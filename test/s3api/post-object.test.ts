/**
 * Browser uploads (POST Object): HTML forms as fetch() and Node's FormData send them, with policies signed by
 * the AWS SDK's own SigV4 signer (@smithy/signature-v4) or the SigV2 way (an HMAC-SHA1 of the policy, as
 * browser-upload libraries sign it), on each store; every policy rule refused with S3's
 * words, a file beyond its length range refused while it still streams, and nothing stored by a failure.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { crc32 } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { before, describe, it } from '../helpers/suites.js';
import { storesUnderTest, type TestServer } from '../helpers/server.js';
import { assertAbsent, refused, s3Fixture, sendRaw, uniqueBucket, type Credentials } from '../helpers/s3-fixture.js';
import { Sha256 } from '../helpers/sigv4-sha256.js';

const KEY = { id: 'AKIDPOSTWRITER', secret: 'post-test-secret-of-forty-characters-000' };
const UPLOADS_ONLY = { id: 'AKIDPOSTUPLOADS', secret: 'post-test-secret-uploads-only-000000000' };
const HASHED = { id: 'AKIDPOSTHASHED', secretHash: `sha256:${'0'.repeat(64)}` };
const ALL = ['admin', 'read', 'list', 'write', 'delete'] as const;

const KEYS = {
  auth: {
    keys: [
      { id: KEY.id, secret: KEY.secret, grants: [{ bucket: '*', actions: ALL }] },
      { id: UPLOADS_ONLY.id, secret: UPLOADS_ONLY.secret, grants: [{ bucket: '*', prefix: 'uploads/', actions: ['write'] }] },
      { ...HASHED, grants: [{ bucket: '*', actions: ALL }] },
    ],
  },
};

type Condition = Record<string, string> | (string | number)[];

const amzDateOf = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

interface PolicyOptions {
  conditions: Condition[];
  credentials?: Credentials;
  /** When the policy expires, from now. */
  expiresInMs?: number;
}

/** The signature fields of a form whose policy the SDK's signer signed: the SigV4 conditions added, as SDKs add them. */
async function signedFields(options: PolicyOptions): Promise<[string, string][]> {
  const { id, secret } = options.credentials ?? KEY;
  const now = new Date();
  const amzDate = amzDateOf(now);
  const credential = `${id}/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const conditions = [...options.conditions, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': amzDate }];
  const expiration = new Date(now.getTime() + (options.expiresInMs ?? 600_000)).toISOString();
  const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  const signer = new SignatureV4({ credentials: { accessKeyId: id, secretAccessKey: secret }, region: 'us-east-1', service: 's3', sha256: Sha256 });
  const signature = await signer.sign(policy, { signingDate: now });
  return [
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', credential],
    ['x-amz-date', amzDate],
    ['policy', policy],
    ['x-amz-signature', signature],
  ];
}

/**
 * The signature fields of a form signed the Signature Version 2 way, which has no signer in the SDK: the
 * signature is the base64 HMAC-SHA1 of the base64 policy with the secret.
 */
function v2Fields(options: PolicyOptions): [string, string][] {
  const { id, secret } = options.credentials ?? KEY;
  const expiration = new Date(Date.now() + (options.expiresInMs ?? 600_000)).toISOString();
  const policy = Buffer.from(JSON.stringify({ expiration, conditions: options.conditions })).toString('base64');
  const signature = createHmac('sha1', secret).update(policy).digest('base64');
  return [
    ['AWSAccessKeyId', id],
    ['policy', policy],
    ['signature', signature],
  ];
}

/** A form of `fields` in their order, then the file. */
function formOf(fields: [string, string][], file: Buffer | string, filename = 'upload.bin'): FormData {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  form.append('file', new Blob([file]), filename);
  return form;
}

async function post(url: string, form: FormData): Promise<Response> {
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

for (const under of storesUnderTest()) {
  describe(`POST Object: browser uploads (${under.name})`, { skip: under.skip }, () => {
    const fixture = s3Fixture({ store: under, settings: KEYS, credentials: KEY, bucketPrefix: 'post' });
    const { bucket } = fixture;
    let server: TestServer;
    let s3: S3Client;
    before(() => {
      ({ server, s3 } = fixture);
    });

    it('stores the file under a signed policy: key from ${filename}, its type, metadata and tags, and answers 201 with the PostResponse', async () => {
      const data = randomBytes(200_000);
      const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>';
      const conditions: Condition[] = [
        { bucket },
        ['starts-with', '$key', 'photos/'],
        ['starts-with', '$Content-Type', 'image/'],
        ['eq', '$x-amz-meta-origin', 'browser'],
        { success_action_status: '201' },
        ['starts-with', '$tagging', ''],
        { acl: 'private' },
        ['content-length-range', 1, 1_000_000],
      ];
      const fields: [string, string][] = [
        ['key', 'photos/${filename}'],
        ['Content-Type', 'image/png'],
        ['x-amz-meta-origin', 'browser'],
        ['success_action_status', '201'],
        ['tagging', tagging],
        ['acl', 'private'],
        ...(await signedFields({ conditions })),
      ];
      const response = await post(`${server.url}/${bucket}`, formOf(fields, data, 'cat 1.png'));
      const text = await response.text();
      assert.equal(response.status, 201, text);
      assert.match(text, /<PostResponse[^>]*>/);
      assert.match(text, new RegExp(`<Bucket>${bucket}</Bucket>`));
      assert.match(text, /<Key>photos\/cat 1\.png<\/Key>/);
      assert.match(text, new RegExp(`<Location>${server.url}/${bucket}/photos/cat%201\\.png</Location>`));
      const etag = /<ETag>(.*?)<\/ETag>/.exec(text)?.[1]?.replaceAll('&quot;', '"');
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'photos/cat 1.png' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
      assert.equal(got.ContentType, 'image/png');
      assert.deepEqual(got.Metadata, { origin: 'browser' });
      assert.equal(got.ETag, etag);
      assert.equal(response.headers.get('etag'), etag);
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key: 'photos/cat 1.png' }), { team: 'web' });
    });

    it('answers 204 by default, 200 when asked, and redirects to success_action_redirect with the bucket, key and ETag', async () => {
      const base: Condition[] = [{ bucket }, ['starts-with', '$key', 'answers/']];
      const plain = await post(`${server.url}/${bucket}`, formOf([['key', 'answers/204'], ...(await signedFields({ conditions: base }))], 'a'));
      assert.equal(plain.status, 204);
      assert.equal(plain.headers.get('location'), `${server.url}/${bucket}/answers/204`);
      const ok = await post(
        `${server.url}/${bucket}`,
        formOf([['key', 'answers/200'], ['success_action_status', '200'], ...(await signedFields({ conditions: [...base, { success_action_status: '200' }] }))], 'b'),
      );
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), '');
      const target = 'https://app.example/done?from=form';
      const redirected = await post(
        `${server.url}/${bucket}`,
        formOf([['key', 'answers/303'], ['success_action_redirect', target], ...(await signedFields({ conditions: [...base, ['eq', '$success_action_redirect', target]] }))], 'c'),
      );
      assert.equal(redirected.status, 303);
      const location = new URL(redirected.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, 'https://app.example/done');
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'answers/303' }));
      assert.deepEqual(Object.fromEntries(location.searchParams), { from: 'form', bucket, key: 'answers/303', etag: head.ETag });
    });

    it('refuses a file beyond the content-length-range while it still streams, and one below it, storing neither', async () => {
      const conditions: Condition[] = [{ bucket }, ['starts-with', '$key', 'sized/'], ['content-length-range', 10, 100_000]];
      const form = formOf([['key', 'sized/big'], ...(await signedFields({ conditions }))], '');
      // the form's own bytes up to the file's, then far more file than allowed, and never the end
      const whole = new Response(form);
      const bytes = Buffer.from(await whole.arrayBuffer());
      const prefix = bytes.subarray(0, bytes.indexOf('\r\n\r\n', bytes.indexOf('name="file"')) + 4);
      const { port } = new URL(server.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: `/${bucket}`, headers: { 'content-type': whole.headers.get('content-type') ?? '' } });
        req.on('error', reject);
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        });
        req.write(prefix);
        for (let i = 0; i < 4; i += 1) req.write(randomBytes(64 * 1024));
        // a server that waited for the whole file would never answer this one
        setTimeout(() => {
          req.destroy();
          reject(new Error('no answer while the file was still streaming'));
        }, 10_000).unref();
      });
      // S3's status for either bound of the policy (413 is for a body beyond the service's own limit)
      assert.equal(answer.status, 400);
      assert.match(answer.body, /<Code>EntityTooLarge<\/Code>/);
      assert.match(answer.body, /exceeds the maximum allowed size/);
      await assertAbsent(s3, bucket, 'sized/big');
      const small = formOf([['key', 'sized/small'], ...(await signedFields({ conditions }))], 'tiny');
      await refused(post(`${server.url}/${bucket}`, small), 'EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size.');
      await assertAbsent(s3, bucket, 'sized/small');
    });

    it('checks an x-amz-checksum field against the file: kept when right, BadDigest and nothing stored when wrong', async () => {
      const data = randomBytes(50_000);
      const right = Buffer.alloc(4);
      right.writeUInt32BE(crc32(data));
      const conditions: Condition[] = [{ bucket }, ['starts-with', '$key', 'summed/']];
      const good = await post(`${server.url}/${bucket}`, formOf([['key', 'summed/good'], ['x-amz-checksum-crc32', right.toString('base64')], ...(await signedFields({ conditions }))], data));
      assert.equal(good.status, 204, await good.text());
      const wrong = Buffer.from(right);
      wrong.writeUInt32BE((right.readUInt32BE() + 1) >>> 0);
      const bad = formOf([['key', 'summed/bad'], ['x-amz-checksum-crc32', wrong.toString('base64')], ...(await signedFields({ conditions }))], data);
      await refused(post(`${server.url}/${bucket}`, bad), 'BadDigest', 400);
      await assertAbsent(s3, bucket, 'summed/bad');
    });
  });
}

describe('POST Object: the policy and its signature', () => {
  const fixture = s3Fixture({ settings: KEYS, credentials: KEY, bucketPrefix: 'rules' });
  const { bucket } = fixture;
  const other = uniqueBucket('other');
  let server: TestServer;
  let s3: S3Client;
  let url: string;

  const base = (): Condition[] => [{ bucket }, ['starts-with', '$key', 'in/']];

  before(async () => {
    ({ server, s3 } = fixture);
    await s3.send(new CreateBucketCommand({ Bucket: other }));
    url = `${server.url}/${bucket}`;
  });

  it('refuses every condition that fails, naming it as S3 does, and stores nothing', async () => {
    const cases: { fields: [string, string][]; conditions: Condition[]; failed: string; to?: string }[] = [
      { fields: [['key', 'out/x']], conditions: base(), failed: '["starts-with", "$key", "in/"]' },
      { fields: [['key', 'in/x']], conditions: base(), failed: `["eq", "$bucket", "${bucket}"]`, to: other },
      {
        fields: [['key', 'in/x'], ['Content-Type', 'text/html']],
        conditions: [...base(), ['starts-with', '$Content-Type', 'image/']],
        failed: '["starts-with", "$Content-Type", "image/"]',
      },
      { fields: [['key', 'in/x'], ['x-amz-meta-owner', 'mallory']], conditions: [...base(), ['eq', '$x-amz-meta-owner', 'alice']], failed: '["eq", "$x-amz-meta-owner", "alice"]' },
      { fields: [['key', 'in/x'], ['success_action_status', '200']], conditions: [...base(), { success_action_status: '201' }], failed: '["eq", "$success_action_status", "201"]' },
      { fields: [['key', 'in/x']], conditions: [...base(), ['eq', '$x-amz-meta-owner', 'alice']], failed: '["eq", "$x-amz-meta-owner", "alice"]' },
    ];
    for (const { fields, conditions, failed, to } of cases) {
      const form = formOf([...fields, ...(await signedFields({ conditions }))], 'data');
      await refused(post(`${server.url}/${to ?? bucket}`, form), 'AccessDenied', 403, `Invalid according to Policy: Policy Condition failed: ${failed}`);
    }
    await assertAbsent(s3, bucket, 'in/x');
    await assertAbsent(s3, other, 'in/x');
  });

  it('refuses fields the policy does not name, but not x-ignore- ones', async () => {
    const extra = formOf([['key', 'in/extra'], ['x-amz-meta-extra', '1'], ['Content-Type', 'text/plain'], ...(await signedFields({ conditions: base() }))], 'data');
    await refused(post(url, extra), 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-amz-meta-extra, content-type');
    await assertAbsent(s3, bucket, 'in/extra');
    const noBucket = formOf([['key', 'in/extra'], ...(await signedFields({ conditions: [['starts-with', '$key', 'in/']] }))], 'data');
    await refused(post(url, noBucket), 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: bucket');
    const ignored = formOf([['key', 'in/ignored'], ['x-ignore-note', 'anything'], ...(await signedFields({ conditions: base() }))], 'data');
    assert.equal((await post(url, ignored)).status, 204);
  });

  it('reads field names and condition operations whatever their case', async () => {
    const conditions: Condition[] = [{ BuCkEt: bucket }, ['StArTs-WiTh', '$KeY', 'in/']];
    const signed = (await signedFields({ conditions })).map(([name, value]): [string, string] => [name.toUpperCase(), value]);
    assert.equal((await post(url, formOf([['KEY', 'in/cased'], ...signed], 'data'))).status, 204);
  });

  it('refuses an expired policy, a wrong secret, an unknown key and a key that keeps only a hash', async () => {
    const expired = formOf([['key', 'in/late'], ...(await signedFields({ conditions: base(), expiresInMs: -1000 }))], 'data');
    await refused(post(url, expired), 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
    const wrong = formOf([['key', 'in/late'], ...(await signedFields({ conditions: base(), credentials: { id: KEY.id, secret: 'not-the-secret' } }))], 'data');
    await refused(post(url, wrong), 'SignatureDoesNotMatch', 403);
    const unknown = formOf([['key', 'in/late'], ...(await signedFields({ conditions: base(), credentials: { id: 'AKIDNOBODY', secret: 'x' } }))], 'data');
    await refused(post(url, unknown), 'InvalidAccessKeyId', 403);
    const hashed = formOf([['key', 'in/late'], ...(await signedFields({ conditions: base(), credentials: { id: HASHED.id, secret: 'x' } }))], 'data');
    await refused(post(url, hashed), 'InvalidAccessKeyId', 403, /keeps only a hash of its secret.*s3gate keys create --s3/);
    // the policy is what was signed: changing a byte of it breaks the signature
    const fields = await signedFields({ conditions: base() });
    const tampered = fields.map(([name, value]): [string, string] => [name, name === 'policy' ? Buffer.from(Buffer.from(value, 'base64').toString().replace('in/', '')).toString('base64') : value]);
    await refused(post(url, formOf([['key', 'out/x'], ...tampered], 'data')), 'SignatureDoesNotMatch', 403);
    await assertAbsent(s3, bucket, 'in/late');
    await assertAbsent(s3, bucket, 'out/x');
  });

  it('lets a key upload only where its grants allow writing', async () => {
    const allowed = formOf([['key', 'uploads/a'], ...(await signedFields({ conditions: [{ bucket }, ['starts-with', '$key', 'uploads/']], credentials: UPLOADS_ONLY }))], 'data');
    assert.equal((await post(url, allowed)).status, 204);
    const outside = formOf([['key', 'private/a'], ...(await signedFields({ conditions: [{ bucket }, ['starts-with', '$key', '']], credentials: UPLOADS_ONLY }))], 'data');
    await refused(post(url, outside), 'AccessDenied', 403, `Access denied: key ${UPLOADS_ONLY.id} may not write ${bucket}/private/a.`);
    await assertAbsent(s3, bucket, 'private/a');
  });

  it('needs a signed policy: an unsigned form is refused, and one without its signature', async () => {
    await refused(post(url, formOf([['key', 'in/anon']], 'data')), 'AccessDenied', 403);
    const fields = (await signedFields({ conditions: base() })).filter(([name]) => name !== 'x-amz-signature');
    await refused(post(url, formOf([['key', 'in/unsigned'], ...fields], 'data')), 'InvalidArgument', 400, /must contain a field named 'x-amz-signature'/);
    const v2 = v2Fields({ conditions: base() });
    const noSignature = v2.filter(([name]) => name !== 'signature');
    await refused(post(url, formOf([['key', 'in/unsigned'], ...noSignature], 'data')), 'InvalidArgument', 400, /must contain a field named 'signature'/);
    const noKey = v2.filter(([name]) => name !== 'AWSAccessKeyId');
    await refused(post(url, formOf([['key', 'in/unsigned'], ...noKey], 'data')), 'InvalidArgument', 400, /must contain a field named 'AWSAccessKeyId'/);
    await assertAbsent(s3, bucket, 'in/anon');
    await assertAbsent(s3, bucket, 'in/unsigned');
  });

  it('takes a policy signed the Signature Version 2 way, with the same policy checks, as its key', async () => {
    const conditions: Condition[] = [...base(), ['starts-with', '$Content-Type', 'text/']];
    const fields: [string, string][] = [['key', 'in/v2-${filename}'], ['Content-Type', 'text/plain'], ...v2Fields({ conditions })];
    const response = await post(url, formOf(fields, 'signed v2', 'note.txt'));
    assert.equal(response.status, 204, await response.text());
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'in/v2-note.txt' }));
    assert.equal(await got.Body!.transformToString(), 'signed v2');
    assert.equal(got.ContentType, 'text/plain');
    // field names whatever their case, as for SigV4
    const cased = v2Fields({ conditions: base() }).map(([name, value]): [string, string] => [name.toUpperCase(), value]);
    assert.equal((await post(url, formOf([['kEy', 'in/v2-cased'], ...cased], 'data'))).status, 204);
    // the policy still holds: a condition that fails, a field it does not name, an expired policy
    await refused(post(url, formOf([['key', 'out/v2'], ...v2Fields({ conditions: base() })], 'data')), 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "in/"]');
    await refused(post(url, formOf([['key', 'in/v2-extra'], ['x-amz-meta-a', '1'], ...v2Fields({ conditions: base() })], 'data')), 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-amz-meta-a');
    await refused(post(url, formOf([['key', 'in/v2-late'], ...v2Fields({ conditions: base(), expiresInMs: -1000 })], 'data')), 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
    // and so do the key's grants
    const outside = formOf([['key', 'private/v2'], ...v2Fields({ conditions: [{ bucket }, ['starts-with', '$key', '']], credentials: UPLOADS_ONLY })], 'data');
    await refused(post(url, outside), 'AccessDenied', 403, `Access denied: key ${UPLOADS_ONLY.id} may not write ${bucket}/private/v2.`);
    for (const key of ['out/v2', 'in/v2-extra', 'in/v2-late', 'private/v2']) await assertAbsent(s3, bucket, key);
  });

  it('refuses a Signature Version 2 policy with a wrong secret, a tampered policy, an unknown key or a key that keeps only a hash', async () => {
    const wrong = formOf([['key', 'in/v2-bad'], ...v2Fields({ conditions: base(), credentials: { id: KEY.id, secret: 'not-the-secret' } })], 'data');
    await refused(post(url, wrong), 'SignatureDoesNotMatch', 403);
    const fields = v2Fields({ conditions: base() });
    const tampered = fields.map(([name, value]): [string, string] => [name, name === 'policy' ? Buffer.from(Buffer.from(value, 'base64').toString().replace('in/', '')).toString('base64') : value]);
    await refused(post(url, formOf([['key', 'out/v2-bad'], ...tampered], 'data')), 'SignatureDoesNotMatch', 403);
    // base64 is case-sensitive: the signature is compared as sent
    const recased = fields.map(([name, value]): [string, string] => [name, name === 'signature' ? value.toLowerCase() : value]);
    await refused(post(url, formOf([['key', 'in/v2-bad'], ...recased], 'data')), 'SignatureDoesNotMatch', 403);
    const unknown = formOf([['key', 'in/v2-bad'], ...v2Fields({ conditions: base(), credentials: { id: 'AKIDNOBODY', secret: 'x' } })], 'data');
    await refused(post(url, unknown), 'InvalidAccessKeyId', 403);
    const hashed = formOf([['key', 'in/v2-bad'], ...v2Fields({ conditions: base(), credentials: { id: HASHED.id, secret: 'x' } })], 'data');
    await refused(post(url, hashed), 'InvalidAccessKeyId', 403, /keeps only a hash of its secret/);
    await assertAbsent(s3, bucket, 'in/v2-bad');
    await assertAbsent(s3, bucket, 'out/v2-bad');
  });

  it('refuses policies that cannot be read', async () => {
    const signedPolicy = async (document: string) => {
      const fields = await signedFields({ conditions: [] });
      const policy = Buffer.from(document).toString('base64');
      const signer = new SignatureV4({ credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret }, region: 'us-east-1', service: 's3', sha256: Sha256 });
      const date = fields.find(([name]) => name === 'x-amz-date')?.[1] ?? '';
      const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      const signature = await signer.sign(policy, { signingDate });
      return fields.map(([name, value]): [string, string] => [name, name === 'policy' ? policy : name === 'x-amz-signature' ? signature : value]);
    };
    const later = new Date(Date.now() + 600_000).toISOString();
    const documents: [string, RegExp][] = [
      ['{not json', /Invalid JSON/],
      [JSON.stringify({ conditions: [] }), /Policy missing expiration/],
      [JSON.stringify({ expiration: later }), /Policy missing conditions/],
      [JSON.stringify({ expiration: 'tomorrow', conditions: [] }), /Invalid 'expiration' value/],
      [JSON.stringify({ expiration: later, conditions: [{}] }), /Simple-Conditions must have exactly one property/],
      [JSON.stringify({ expiration: later, conditions: [['content-length-range', 0]] }), /content-length-range/],
      [JSON.stringify({ expiration: later, conditions: [['content-length-range', -1, 10]] }), /content-length-range/],
      [JSON.stringify({ expiration: later, conditions: [['matches', '$key', '.*']] }), /eq, starts-with or content-length-range/],
      [JSON.stringify({ expiration: later, conditions: [['eq', 'key', 'x']] }), /"\$field"/],
    ];
    for (const [document, message] of documents) {
      await refused(post(url, formOf([['key', 'in/p'], ...(await signedPolicy(document))], 'data')), 'InvalidPolicyDocument', 400, message);
    }
    await assertAbsent(s3, bucket, 'in/p');
  });

  it('refuses forms S3 refuses: no key, no file, an ACL beyond private, fields past 20 KB, a body that is not a form', async () => {
    await refused(post(url, formOf(await signedFields({ conditions: base() }), 'data')), 'InvalidArgument', 400, /must contain a field named 'key'/);
    const noFile = new FormData();
    for (const [name, value] of [['key', 'in/nofile'], ...(await signedFields({ conditions: base() }))]) noFile.append(name ?? '', value ?? '');
    await refused(post(url, noFile), 'InvalidArgument', 400, /exactly one file/);
    const publicRead = formOf([['key', 'in/acl'], ['acl', 'public-read'], ...(await signedFields({ conditions: [...base(), { acl: 'public-read' }] }))], 'data');
    await refused(post(url, publicRead), 'NotImplemented', 501, /canned ACL public-read/);
    const sealed = formOf([['key', 'in/sse'], ['x-amz-server-side-encryption', 'AES256'], ...(await signedFields({ conditions: [...base(), { 'x-amz-server-side-encryption': 'AES256' }] }))], 'data');
    // this store has no keys for SSE-S3: refused rather than stored unencrypted
    await refused(post(url, sealed), 'NotImplemented', 501, /SSE-S3 \(AES256\) encryption is not offered here/);
    const huge = formOf([['key', 'in/huge'], ['x-ignore-padding', 'x'.repeat(21 * 1024)], ...(await signedFields({ conditions: base() }))], 'data');
    await refused(post(url, huge), 'MaxPostPreDataLengthExceeded', 400);
    // not a form: such a POST is no browser upload, so it needs a signature like any request
    await refused(fetch(url, { method: 'POST', body: '<x/>', headers: { 'content-type': 'application/xml' } }), 'AccessDenied', 403, /needs a Signature Version 4 signature/);
    const signedForm = formOf([['key', 'in/query'], ...(await signedFields({ conditions: base() }))], 'data');
    await refused(post(`${url}?delete`, signedForm), 'AccessDenied', 403, /needs a Signature Version 4 signature/);
    for (const key of ['in/nofile', 'in/acl', 'in/sse', 'in/huge', 'in/query']) await assertAbsent(s3, bucket, key);
  });

  it('ignores fields after the file, as S3 does, and takes the file as a plain field and fields as file parts', async () => {
    const form = formOf([['key', 'in/late-fields'], ...(await signedFields({ conditions: base() }))], 'data');
    form.append('x-amz-meta-after', 'ignored');
    assert.equal((await post(url, form)).status, 204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'in/late-fields' }));
    assert.deepEqual(head.Metadata, {});
    const plain = new FormData();
    for (const [name, value] of [['key', 'in/plain'], ...(await signedFields({ conditions: base() }))]) plain.append(name ?? '', value ?? '');
    plain.append('file', 'typed text');
    assert.equal((await post(url, plain)).status, 204);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'in/plain' }));
    assert.equal(await got.Body!.transformToString(), 'typed text');
    // some clients send every field as a file part: any but "file" is a field still
    const asFiles = new FormData();
    for (const [name, value] of [['key', 'in/as-files'], ...(await signedFields({ conditions: base() }))]) asFiles.append(name ?? '', new Blob([value ?? '']), name);
    asFiles.append('file', new Blob(['the file']), 'f.txt');
    assert.equal((await post(url, asFiles)).status, 204);
    const oversized = new FormData();
    oversized.append('key', new Blob(['k'.repeat(30_000)]), 'key');
    await refused(post(url, oversized), 'MaxPostPreDataLengthExceeded', 400);
  });

  it('takes a virtual-hosted-style POST / to bucket.<domain>', async () => {
    const form = new Response(formOf([['key', 'in/vhost'], ...(await signedFields({ conditions: base() }))], 'hosted'));
    const body = Buffer.from(await form.arrayBuffer());
    const { port } = new URL(server.url);
    const headers = { host: `${bucket}.s3.localhost:${port}`, 'content-type': form.headers.get('content-type') ?? '' };
    const answer = await sendRaw(server.url, { method: 'POST', path: '/', headers, body });
    assert.equal(answer.status, 204, answer.body);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'in/vhost' }));
    assert.equal(await got.Body!.transformToString(), 'hosted');
  });
});

describe('POST Object without keys (anonymous mode)', () => {
  const fixture = s3Fixture({ bucketPrefix: 'anon' });
  const { bucket } = fixture;
  let server: TestServer;
  before(() => {
    ({ server } = fixture);
  });

  it('stores an unsigned form, unverified like every request of such a service', async () => {
    const response = await post(`${server.url}/${bucket}`, formOf([['key', 'anon/${filename}'], ['Content-Type', 'text/plain']], 'hello', 'note.txt'));
    assert.equal(response.status, 204, await response.text());
    const meta = await server.store.headObject({ bucket, key: 'anon/note.txt' });
    assert.equal(meta.size, 5);
    assert.equal(meta.contentType, 'text/plain');
  });
});
