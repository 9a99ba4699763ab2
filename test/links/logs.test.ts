/**
 * A share-link token is a credential: it must not reach the logs, whatever happens to the request. Every
 * line a server writes at trace level is captured, through a plain pino logger (not the service's own,
 * which also scrubs /s/ paths from whole lines), so this holds for the routes themselves.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from '../helpers/suites.js';
import pino from 'pino';
import { systemBucketFor } from '../../src/links/system-area.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';
import { call, dropBucket, objectPath, uniqueBucket } from '../http/v1-support.js';
import { createLinkAt } from './support.js';

for (const target of storesUnderTest()) {
  describe(`share-link tokens stay out of the logs on ${target.name}`, { skip: target.skip }, () => {
    const lines: string[] = [];
    const bucket = uniqueBucket('logs');
    const systemBucket = uniqueBucket('sys');
    let server: TestServer;
    let cleanup: () => Promise<void>;

    before(async () => {
      const opened = await target.open();
      cleanup = opened.cleanup;
      const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
      server = await startServer(opened.store, { maxObjectSize: 1024, 'links.systemBucket': systemBucket }, logger);
      await call(server.url, 'PUT', `/v1/buckets/${bucket}`);
      await call(server.url, 'PUT', objectPath(bucket, 'file.txt'), { body: 'logged?' });
    });

    after(async () => {
      await dropBucket(server.store, bucket);
      await dropBucket(server.store, systemBucketFor(server.store, systemBucket));
      await server.close();
      await cleanup();
    });

    it('logs no token of a link used, refused, failed or revoked', async () => {
      const download = await createLinkAt(server.url, { bucket, key: 'file.txt', maxUses: 2 });
      const upload = await createLinkAt(server.url, { bucket, key: 'up.txt', kind: 'upload' });
      const missing = await createLinkAt(server.url, { bucket, key: 'missing.txt' });
      const s = (link: { token: string }, rest = '') => `/s/${link.token}${rest}`;
      const requests: Array<[string, string, Buffer | string | undefined]> = [
        ['GET', s(download), undefined],
        ['HEAD', s(download), undefined],
        ['GET', s(download, '?download=named.txt'), undefined],
        ['GET', s(download), undefined], // used up
        ['GET', s(missing), undefined], // 404
        ['POST', s(download), undefined], // 405
        ['GET', s(upload), undefined], // wrong kind
        ['PUT', s(upload), randomBytes(4096)], // 413
        ['PUT', s(upload), 'fits'],
        ['GET', `/s/${download.token.slice(0, -1)}0`, undefined], // tampered
        ['GET', `${s(download)}/extra`, undefined],
      ];
      for (const [method, path, body] of requests) await call(server.url, method, path, { body });
      assert.equal((await call(server.url, 'DELETE', `/v1/links/${download.id}`)).status, 204);
      await call(server.url, 'GET', s(download));

      assert.ok(lines.filter((l) => l.includes('"/s/*"')).length >= requests.length, 'the requests were logged');
      for (const link of [download, upload, missing]) {
        const mac = link.token.slice(link.id.length + 1);
        const leaks = lines.filter((l) => l.includes(mac));
        assert.deepEqual(leaks, [], `the MAC of ${link.id} is in the log`);
      }
    });
  });
}
