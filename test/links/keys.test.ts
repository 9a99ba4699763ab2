/**
 * Share links with access keys: the permission a link grants is the one needed to create, read and revoke
 * it; a bucket's listing shows a key only the links it could have made; the full listing is admin's; and
 * /s/ needs no key at all. (Permissions do not depend on the store: fs only.)
 */
import assert from 'node:assert/strict';
import { before, it } from '../helpers/suites.js';
import { authSuite, bearer, keyOf } from '../auth/support.js';
import { assertError, objectPath } from '../http/v1-support.js';
import type { CreatedLink, LinkView } from './support.js';

authSuite(
  'share links with access keys',
  (bucket) => [
    keyOf('admin', [{ bucket: '*', actions: ['admin'] }]),
    keyOf('reader', [{ bucket, actions: ['read'] }]),
    keyOf('inbox', [{ bucket, prefix: 'in/', actions: ['write'] }]),
    keyOf('stranger', [{ bucket: 'somewhere-else', actions: ['read', 'write'] }]),
  ],
  (fx) => {
    const create = async (who: string | undefined, key: string, kind: 'download' | 'upload') =>
      fx.as(who)('POST', '/v1/links', { json: { bucket: fx.bucket, key, kind } });
    let download: CreatedLink;
    let upload: CreatedLink;

    before(async () => {
      await fx.as('admin')('PUT', objectPath(fx.bucket, 'doc.txt'), { body: 'for readers' });
      download = (await create('reader', 'doc.txt', 'download')).json<CreatedLink>();
      upload = (await create('inbox', 'in/drop.txt', 'upload')).json<CreatedLink>();
    });

    it('lets a key make the links its permissions cover, and names what it refuses', async () => {
      assert.equal(download.createdBy, 'reader');
      assert.equal(upload.createdBy, 'inbox');
      const refused = [
        [await create('reader', 'doc.txt', 'upload'), /key reader may not write/],
        [await create('inbox', 'out/drop.txt', 'upload'), /key inbox may not write/],
        [await create('inbox', 'in/drop.txt', 'download'), /key inbox may not read/],
        [await create('stranger', 'doc.txt', 'download'), /key stranger may not read/],
      ] as const;
      for (const [res, reason] of refused) {
        assertError(res, 403, 'AccessDenied');
        assert.match(res.text, reason);
      }
      assertError(await create(undefined, 'doc.txt', 'download'), 401, 'Unauthorized');
    });

    it('serves /s/ without a key, and whatever key comes along', async () => {
      assert.equal((await fx.as(undefined)('GET', `/s/${download.token}`)).text, 'for readers');
      const wrong = await fx.as(undefined)('GET', `/s/${download.token}`, { headers: bearer('reader', 'not-the-secret') });
      assert.equal(wrong.status, 200);
      assert.equal((await fx.as(undefined)('PUT', `/s/${upload.token}`, { body: 'from outside' })).status, 201);
    });

    it("shows each key the links of a bucket it could have made; every bucket's only to admin", async () => {
      const ids = async (who: string, query = `?bucket=${fx.bucket}`) => {
        const res = await fx.as(who)('GET', `/v1/links${query}`);
        assert.equal(res.status, 200, res.text);
        return res.json<{ links: LinkView[] }>().links.map((l) => l.id);
      };
      assert.deepEqual(await ids('reader'), [download.id]);
      assert.deepEqual(await ids('inbox'), [upload.id]);
      assert.deepEqual(await ids('stranger'), []);
      assert.deepEqual((await ids('admin')).sort(), [download.id, upload.id].sort());
      assert.ok((await ids('admin', '')).includes(upload.id));
      assertError(await fx.as('reader')('GET', '/v1/links'), 403, 'AccessDenied');
    });

    it('lets only a key with the link’s permission read or revoke it; others get what an unknown id gets', async () => {
      const unknown = '0'.repeat(32);
      for (const [who, method] of [['stranger', 'GET'], ['inbox', 'DELETE'], ['inbox', 'GET'], ['stranger', 'DELETE']] as const) {
        const refused = await fx.as(who)(method, `/v1/links/${download.id}`);
        const missing = await fx.as(who)(method, `/v1/links/${unknown}`);
        assertError(refused, 404, 'NotFound', `${who} ${method}`);
        assert.equal(refused.text.replace(download.id, unknown).replace(/"requestId":"[^"]*"/, ''), missing.text.replace(/"requestId":"[^"]*"/, ''));
        assert.doesNotMatch(refused.text, new RegExp(`${fx.bucket}|doc\\.txt`), 'nothing of the link is told');
      }
      assert.equal((await fx.as('reader')('GET', `/v1/links/${download.id}`)).status, 200);
      assert.equal((await fx.as('reader')('DELETE', `/v1/links/${download.id}`)).status, 204);
      assert.equal((await fx.as(undefined)('GET', `/s/${download.token}`)).status, 403);
      assert.equal((await fx.as('admin')('DELETE', `/v1/links/${upload.id}`)).status, 204, 'admin may revoke any');
    });
  },
  { fsOnly: true },
);
