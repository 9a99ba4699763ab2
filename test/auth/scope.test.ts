/** How far a grant reaches: key prefixes, listing prefixes, both sides of a copy or move, admin. */
import assert from 'node:assert/strict';
import { before, it } from '../helpers/suites.js';
import { assertError, objectPath } from '../http/v1-support.js';
import { put } from './route-table.js';
import { authSuite, keyOf } from './support.js';

authSuite(
  'grant scopes',
  (bucket) => [
    keyOf('docs', [{ bucket, prefix: 'docs/', actions: ['read', 'list', 'write'] }]),
    keyOf('copier', [{ bucket, prefix: 'docs/', actions: ['read'] }, { bucket, prefix: 'out/', actions: ['list'] }]),
    keyOf('mover', [{ bucket, actions: ['read', 'write', 'list'] }]),
    keyOf('admin', [{ bucket, actions: ['admin'] }]),
  ],
  (fx) => {
    before(async () => {
      await put(fx.server.store, fx.bucket, 'docs/a.txt');
      await put(fx.server.store, fx.bucket, 'other/b.txt');
    });

    it('reaches keys under its prefix only', async () => {
      const docs = fx.as('docs');
      assert.equal((await docs('GET', objectPath(fx.bucket, 'docs/a.txt'))).status, 200);
      assertError(await docs('GET', objectPath(fx.bucket, 'other/b.txt')), 403, 'AccessDenied');
      assertError(await docs('PUT', objectPath(fx.bucket, 'other/new.txt'), { body: 'x' }), 403, 'AccessDenied');
      assert.equal((await docs('PUT', objectPath(fx.bucket, 'docs/new.txt'), { body: 'x' })).status, 201);
    });

    it('lists only under its prefix: a listing prefix must start with it', async () => {
      const list = (query: string) => fx.as('docs')('GET', `/v1/buckets/${fx.bucket}/objects${query}`);
      assert.equal((await list('?prefix=docs/')).status, 200);
      assert.equal((await list('?prefix=docs/deeper/&delimiter=/')).status, 200);
      for (const query of ['', '?prefix=', '?prefix=doc', '?prefix=other/', '?delimiter=/']) {
        const answer = await list(query);
        assertError(answer, 403, 'AccessDenied', query);
      }
      assert.equal((await fx.as('docs')('GET', `/amazons3/imageStore/${fx.bucket}`)).status, 403, 'the tutorial lists the whole bucket');
      assertError(await fx.as('docs')('GET', `/v1/buckets/${fx.bucket}`), 403, 'AccessDenied', 'the bucket itself is not under a prefix');
    });

    it('copies only with read on the source and write on the destination; a move also needs delete', async () => {
      const copy = (id: string, move = false) =>
        fx.as(id)('POST', '/v1/copy', {
          json: { source: { bucket: fx.bucket, key: 'docs/a.txt' }, destination: { bucket: fx.bucket, key: 'out/a.txt' }, move },
        });
      const refused = await copy('copier');
      assertError(refused, 403, 'AccessDenied');
      assert.match(refused.text, new RegExp(`may not write ${fx.bucket}/out/a\\.txt`));
      const moved = await copy('mover', true);
      assertError(moved, 403, 'AccessDenied');
      assert.match(moved.text, new RegExp(`may not delete ${fx.bucket}/docs/a\\.txt`));
      assert.equal((await fx.as('mover')('GET', objectPath(fx.bucket, 'out/a.txt'))).status, 404, 'nothing was copied');
      assert.equal((await copy('mover')).status, 200, 'a plain copy needs no delete');
    });

    it('admin on a bucket does everything in it, and nothing elsewhere', async () => {
      const admin = fx.as('admin');
      assert.equal((await admin('GET', `/v1/buckets/${fx.bucket}/objects`)).status, 200);
      assert.equal((await admin('PUT', objectPath(fx.bucket, 'any/where.txt'), { body: 'x' })).status, 201);
      assert.equal((await admin('DELETE', objectPath(fx.bucket, 'any/where.txt'))).status, 204);
      assertError(await admin('GET', '/v1/buckets'), 403, 'AccessDenied', 'listing buckets is a service grant');
      assertError(await admin('PUT', `/v1/buckets/${fx.bucket}-2`), 403, 'AccessDenied');
    });
  },
  { fsOnly: true },
);
