/**
 * The tutorial's own walkthrough, replayed with curl-equivalent requests through a listening server,
 * on every store: create a bucket, upload JSON and an image, list, download with responseContentType as
 * JSON, image and octet-stream, delete.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { md5Hex } from '../helpers/streams.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';

const API = '/amazons3/imageStore';

/** A small but real PNG-looking payload: the signature, then bytes that are not valid UTF-8. */
function imageBytes(): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(50_000)]);
}

for (const target of storesUnderTest()) {
  describe(`tutorial walkthrough on ${target.name}`, { skip: target.skip }, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    const bucket = `walk-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    // JSON with odd spacing and key order: it must come back byte-for-byte, not re-serialised
    const employee = Buffer.from('{"id" : 7,  "name":"Ada","skills":["s3", "node"] ,"active":true}\n');
    const image = imageBytes();

    before(async () => {
      const opened = await target.open();
      cleanup = opened.cleanup;
      server = await startServer(opened.store);
    });
    after(async () => {
      await server?.close();
      await cleanup?.();
    });

    const call = (method: 'GET' | 'POST' | 'DELETE', path: string, init: { body?: Buffer; type?: string } = {}) =>
      request(`${server.url}${API}${path}`, {
        method,
        body: init.body,
        headers: init.type ? { 'content-type': init.type } : {},
      });

    it('creates the bucket', async () => {
      const res = await call('POST', `/${bucket}`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal(await res.body.text(), `${bucket} created on Amazon S3.`);
    });

    it('lists the bucket with an ISO-8601 creation date', async () => {
      const res = await call('GET', '');
      assert.equal(res.statusCode, 200);
      const buckets = (await res.body.json()) as Array<{ name: string; creationDate: string }>;
      const mine = buckets.find((b) => b.name === bucket);
      assert.ok(mine, 'the bucket is listed');
      assert.deepEqual(Object.keys(mine).sort(), ['creationDate', 'name']);
      assert.match(mine.creationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    });

    it('uploads a JSON document and an image', async () => {
      const json = await call('POST', `/${bucket}/employee.json`, { body: employee, type: 'application/json' });
      assert.equal(json.statusCode, 200);
      assert.equal(await json.body.text(), `employee.json created on Amazon S3 bucket : ${bucket}.`);
      const png = await call('POST', `/${bucket}/images/cat.png`, { body: image, type: 'image/png' });
      assert.equal(png.statusCode, 200);
      assert.equal(await png.body.text(), `images/cat.png created on Amazon S3 bucket : ${bucket}.`);
    });

    it('lists the objects in the tutorial JSON shape', async () => {
      const res = await call('GET', `/${bucket}`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const objects = (await res.body.json()) as Array<Record<string, unknown>>;
      assert.deepEqual(
        objects.map((o) => o['objectName']),
        ['employee.json', 'images/cat.png'],
      );
      const [json, png] = objects;
      assert.ok(json && png);
      assert.deepEqual(Object.keys(json).sort(), [
        'eTag',
        'lastModified',
        'objectName',
        'objectSize',
        'ownerDisplayName',
        'ownerId',
        'storageClass',
      ]);
      assert.equal(json['objectSize'], String(employee.length), 'objectSize is a string');
      assert.equal(json['eTag'], `"${md5Hex(employee)}"`, 'eTag keeps its quote marks');
      assert.equal(png['objectSize'], String(image.length));
      assert.equal(png['eTag'], `"${md5Hex(image)}"`);
      assert.equal(typeof json['storageClass'], 'string');
      assert.ok(!Number.isNaN(Date.parse(String(json['lastModified']))));
    });

    it('downloads with responseContentType as JSON, image and octet-stream', async () => {
      const asJson = await call('GET', `/${bucket}/employee.json?responseContentType=application/json`);
      assert.equal(asJson.statusCode, 200);
      assert.equal(asJson.headers['content-type'], 'application/json');
      assert.equal(asJson.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(Buffer.from(await asJson.body.arrayBuffer()), employee);

      const asImage = await call('GET', `/${bucket}/images/cat.png?responseContentType=image/png`);
      assert.equal(asImage.statusCode, 200);
      assert.equal(asImage.headers['content-type'], 'image/png');
      assert.equal(asImage.headers['content-length'], String(image.length));
      assert.deepEqual(Buffer.from(await asImage.body.arrayBuffer()), image);

      const asOctets = await call('GET', `/${bucket}/images/cat.png?responseContentType=application/octet-stream`);
      assert.equal(asOctets.headers['content-type'], 'application/octet-stream');
      assert.deepEqual(Buffer.from(await asOctets.body.arrayBuffer()), image);
    });

    it('serves the stored Content-Type when responseContentType is absent', async () => {
      const res = await call('GET', `/${bucket}/employee.json`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(Buffer.from(await res.body.arrayBuffer()), employee);
    });

    it('deletes the objects, then the bucket', async () => {
      const refused = await call('DELETE', `/${bucket}`);
      assert.equal(refused.statusCode, 409, 'a bucket with objects is not deleted');
      await refused.body.dump();
      for (const key of ['employee.json', 'images/cat.png']) {
        const res = await call('DELETE', `/${bucket}/${key}`);
        assert.equal(res.statusCode, 200);
        assert.equal(await res.body.text(), `${key} deleted from Amazon S3 bucket : ${bucket}.`);
      }
      const list = await call('GET', `/${bucket}`);
      assert.deepEqual(await list.body.json(), []);
      const res = await call('DELETE', `/${bucket}`);
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), `${bucket} deleted from Amazon S3.`);
      const buckets = (await (await call('GET', '')).body.json()) as Array<{ name: string }>;
      assert.ok(!buckets.some((b) => b.name === bucket));
    });
  });
}
