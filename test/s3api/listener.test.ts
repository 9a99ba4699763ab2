/**
 * The S3 listener itself: on by default beside the main one (and off when asked), under protected mode,
 * path-style and virtual-hosted-style addresses, S3's XML errors for what it does not offer.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { protectedModeProblem } from '../../src/config/protected.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { spawnServer } from '../helpers/child-server.js';
import { startS3Server, tempDir, type TestServer } from '../helpers/server.js';
import { after, before, describe, it } from '../helpers/suites.js';

/** The S3 listener's address from a start line. */
const s3AddressIn = (output: string) => /"s3Address":"(http:\/\/[^"]+)"/.exec(output)?.[1];

describe('the S3 listener in the service', () => {
  it('listens beside the main listener, says where and that signatures go unchecked without keys; stops when asked', async () => {
    const dir = await tempDir('s3-listener');
    try {
      const on = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'on') });
      const s3 = s3AddressIn(on.output());
      assert.ok(s3, `the start line names the S3 listener:\n${on.output()}`);
      assert.match(on.output(), /S3 API on http:\/\/127\.0\.0\.1:\d+ \(no access keys: any signature, or none, is accepted\)/);
      const listed = await fetch(`${s3}/`);
      assert.equal(listed.status, 200);
      assert.match(await listed.text(), /<ListAllMyBucketsResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
      on.proc.kill('SIGTERM');
      assert.equal(await on.exited, 0);

      const off = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'off'), S3GATE_S3API: 'false' });
      assert.equal(s3AddressIn(off.output()), undefined);
      assert.doesNotMatch(off.output(), /S3 API on/);
      off.proc.kill('SIGTERM');
      assert.equal(await off.exited, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('defaults to 127.0.0.1:9000 and s3.localhost, and is under protected mode like the main listener', () => {
    const config = loadConfig({});
    assert.deepEqual(config.s3api, { enabled: true, host: '127.0.0.1', port: 9000, domain: 's3.localhost', region: 'us-east-1' });
    const open = { host: '127.0.0.1', allowAnonymous: false, auth: { keys: [] }, s3api: { enabled: true, host: '0.0.0.0' } };
    assert.match(String(protectedModeProblem(open)), /^s3api\.host: refusing to listen on 0\.0\.0\.0 without access keys/);
    assert.equal(protectedModeProblem({ ...open, s3api: { enabled: false, host: '0.0.0.0' } }), undefined);
    assert.throws(() => loadConfig({ env: { S3GATE_S3API_HOST: '::' } }), /s3api\.host: refusing to listen on ::/);
    assert.throws(() => loadConfig({ env: { S3GATE_S3API_DOMAIN: 'not a domain' } }), /s3api\.domain/);
  });
});

describe('S3 addressing and errors', () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = await tempDir('s3-addressing');
    server = await startS3Server(await openFsStore({ dataDir: dir }));
  });

  after(async () => {
    await server.close();
    await server.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const port = () => new URL(server.url).port;

  it('serves virtual-hosted-style requests (bucket.s3.localhost) as path-style ones', async () => {
    assert.equal((await fetch(`${server.url}/hosted`, { method: 'PUT' })).status, 200);
    // fetch sets Host from the URL: undici's request sends the header as given
    const { request } = await import('undici');
    const put = await request(`${server.url}/dir/file.txt`, { method: 'PUT', body: 'via the host', headers: { host: `hosted.s3.localhost:${port()}` } });
    assert.equal(put.statusCode, 200, await put.body.text());
    const got = await fetch(`${server.url}/hosted/dir/file.txt`);
    assert.equal(await got.text(), 'via the host');
    const back = await request(`${server.url}/dir/file.txt`, { headers: { host: `HOSTED.s3.localhost:${port()}` } });
    assert.equal(await back.body.text(), 'via the host');
  });

  it("answers in S3's XML, with the resource and request id, what it cannot or will not do", async () => {
    const policy = await fetch(`${server.url}/hosted?policy`);
    assert.equal(policy.status, 501);
    const text = await policy.text();
    assert.match(text, /<Error><Code>NotImplemented<\/Code><Message>s3gate does not implement the policy subresource\.<\/Message><Resource>\/hosted<\/Resource><RequestId>[0-9a-f-]{36}<\/RequestId><\/Error>/);
    assert.equal(policy.headers.get('x-amz-request-id'), /<RequestId>([^<]+)/.exec(text)?.[1]);
    assert.equal(policy.headers.get('content-type'), 'application/xml');

    const post = await fetch(`${server.url}/hosted/dir/file.txt`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.match(await post.text(), /<Code>MethodNotAllowed<\/Code>/);

    const malformed = await fetch(`${server.url}/hosted/bad%zzkey`);
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /<Code>(InvalidURI|InvalidRequest)<\/Code>/);

    const missing = await fetch(`${server.url}/hosted/none`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /<Code>NoSuchKey<\/Code>.*<Resource>\/hosted\/none<\/Resource>/);
    const noBucket = await fetch(`${server.url}/nobucket/k`);
    assert.match(await noBucket.text(), /<Code>NoSuchBucket<\/Code>/);
  });

  it('refuses encryption and object lock it would not apply, storing nothing', async () => {
    const lock = await fetch(`${server.url}/hosted/sealed`, { method: 'PUT', body: 'secret', headers: { 'x-amz-object-lock-mode': 'GOVERNANCE' } });
    assert.equal(lock.status, 501);
    assert.match(await lock.text(), /<Code>NotImplemented<\/Code><Message>s3gate does not implement x-amz-object-lock-mode:/);
    // this store has no keys for SSE-S3
    const sse = await fetch(`${server.url}/hosted/sealed`, { method: 'PUT', body: 'secret', headers: { 'x-amz-server-side-encryption': 'AES256' } });
    assert.equal(sse.status, 501);
    assert.match(await sse.text(), /<Code>NotImplemented<\/Code><Message>SSE-S3 \(AES256\) encryption is not offered here/);
    // an SSE-C request without its key is no request S3 takes
    const noKey = await fetch(`${server.url}/hosted/sealed`, { method: 'PUT', body: 'secret', headers: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' } });
    assert.equal(noKey.status, 400);
    assert.match(await noKey.text(), /<Code>InvalidArgument<\/Code>/);
    assert.equal((await fetch(`${server.url}/hosted/sealed`, { method: 'HEAD' })).status, 404, 'nothing was stored');
    const locked = await fetch(`${server.url}/locked`, { method: 'PUT', headers: { 'x-amz-bucket-object-lock-enabled': 'true' } });
    assert.equal(locked.status, 501);
    assert.equal((await fetch(`${server.url}/locked`, { method: 'HEAD' })).status, 404, 'no bucket was made');
  });

  it('refuses a location other than its region, and answers versioning as never enabled', async () => {
    const body = '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-3</LocationConstraint></CreateBucketConfiguration>';
    const refused = await fetch(`${server.url}/elsewhere`, { method: 'PUT', body });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /<Code>InvalidLocationConstraint<\/Code>/);
    const broken = await fetch(`${server.url}/elsewhere`, { method: 'PUT', body: '<CreateBucketConfiguration><oops' });
    assert.equal(broken.status, 400);
    assert.match(await broken.text(), /<Code>MalformedXML<\/Code>/);
    assert.equal((await fetch(`${server.url}/elsewhere`, { method: 'HEAD' })).status, 404, 'no bucket was made');
    const versioning = await fetch(`${server.url}/hosted?versioning`);
    assert.match(await versioning.text(), /<VersioningConfiguration xmlns="[^"]+"><\/VersioningConfiguration>|<VersioningConfiguration xmlns="[^"]+"\/>/);
    const enable = await fetch(`${server.url}/hosted?versioning`, { method: 'PUT', body: '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' });
    assert.equal(enable.status, 501);
  });
});
