/**
 * No existence leak: a caller who may not list a key cannot tell a missing key from a refused one
 * (403 AccessDenied for both, as S3 answers without s3:ListBucket); one who may list gets the 404.
 * NoSuchKey comes from the store, so this runs on every store.
 */
import assert from 'node:assert/strict';
import { before, it } from '../helpers/suites.js';
import { assertError, objectPath } from '../http/v1-support.js';
import { put } from './route-table.js';
import { authSuite, keyOf } from './support.js';

const T = '/amazons3/imageStore';

authSuite(
  'a missing key',
  (bucket) => [
    keyOf('reader', [{ bucket, prefix: 'docs/', actions: ['read', 'write'] }]),
    keyOf('lister', [{ bucket, prefix: 'docs/', actions: ['read', 'list'] }]),
    keyOf('deleter', [{ bucket, prefix: 'docs/', actions: ['delete'] }]),
    keyOf('delete-lister', [{ bucket, prefix: 'docs/', actions: ['delete', 'list'] }]),
  ],
  (fx) => {
    const missing = 'docs/missing.txt';
    before(() => put(fx.server.store, fx.bucket, 'docs/there.txt'));

    it('is AccessDenied to a reader who may not list, in each face, like a refusal', async () => {
      const reader = fx.as('reader');
      const answer = await reader('GET', objectPath(fx.bucket, missing));
      assertError(answer, 403, 'AccessDenied');
      assert.match(answer.text, new RegExp(`key reader may not read ${fx.bucket}/${missing}`));
      assert.equal((await reader('HEAD', objectPath(fx.bucket, missing))).status, 403);
      const tutorial = await reader('GET', `${T}/${fx.bucket}/${missing}`);
      assert.equal(tutorial.status, 403);
      assert.match(tutorial.text, /may not read/);
      assert.equal((await reader('HEAD', `${T}/${fx.bucket}/${missing}`)).status, 403);
      assert.equal((await reader('GET', objectPath(fx.bucket, 'docs/there.txt'))).status, 200, 'what exists is served');
    });

    it('is NoSuchKey (404) to a caller who may list it', async () => {
      assertError(await fx.as('lister')('GET', objectPath(fx.bucket, missing)), 404, 'NoSuchKey');
      assert.equal((await fx.as('lister')('GET', `${T}/${fx.bucket}/${missing}`)).status, 404);
    });

    it('is AccessDenied to a deleter who may not list, also per key in a batch; 404 with list', async () => {
      assertError(await fx.as('deleter')('DELETE', objectPath(fx.bucket, missing)), 403, 'AccessDenied');
      assert.equal((await fx.as('deleter')('DELETE', `${T}/${fx.bucket}/${missing}`)).status, 403);
      assertError(await fx.as('delete-lister')('DELETE', objectPath(fx.bucket, missing)), 404, 'NoSuchKey');

      await put(fx.server.store, fx.bucket, 'docs/a');
      await put(fx.server.store, fx.bucket, 'docs/b');
      const batch = (id: string, keys: string[]) => fx.as(id)('POST', `/v1/buckets/${fx.bucket}/delete`, { json: { keys } });
      const blind = (await batch('deleter', ['docs/a', missing])).json<{ deleted: string[]; errors: Array<{ key: string; code: string }> }>();
      assert.deepEqual(blind.deleted, ['docs/a']);
      assert.deepEqual(blind.errors.map((e) => [e.key, e.code]), [[missing, 'AccessDenied']]);
      const seeing = (await batch('delete-lister', ['docs/b', missing])).json<{ deleted: string[]; errors: Array<{ key: string; code: string }> }>();
      assert.deepEqual(seeing.deleted, ['docs/b']);
      assert.deepEqual(seeing.errors.map((e) => [e.key, e.code]), [[missing, 'NoSuchKey']]);
    });

    it('as the source of a copy is AccessDenied to a caller who may not list it', async () => {
      const copy = (id: string) =>
        fx.as(id)('POST', '/v1/copy', { json: { source: { bucket: fx.bucket, key: missing }, destination: { bucket: fx.bucket, key: 'docs/copy' } } });
      const blind = await copy('reader');
      assertError(blind, 403, 'AccessDenied');
      assert.match(blind.text, /may not read/, 'the refused action is the read of the source');
    });

    it('outside the caller\'s grants is refused before the store is asked, existing or not', async () => {
      await put(fx.server.store, fx.bucket, 'private/there.txt');
      const there = await fx.as('lister')('GET', objectPath(fx.bucket, 'private/there.txt'));
      const absent = await fx.as('lister')('GET', objectPath(fx.bucket, 'private/absent.txt'));
      assertError(there, 403, 'AccessDenied');
      assertError(absent, 403, 'AccessDenied');
      assert.equal(there.json<{ error: { message: string } }>().error.message.replace('there', 'absent'), absent.json<{ error: { message: string } }>().error.message);
    });
  },
);
