/**
 * Share links live in the store, not in the process: after the service stops and starts again (fs: the
 * store reopened on the same data dir; s3: a new store and server on the same backend), links still work,
 * keep their use counts, and can still be revoked.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from '../helpers/suites.js';
import { systemBucketFor } from '../../src/links/system-area.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { call, dropBucket, objectPath, uniqueBucket } from '../http/v1-support.js';
import { assertRefused, createLinkAt, type LinkView } from './support.js';

async function stop(server: TestServer): Promise<void> {
  await server.close();
  await server.store.close();
}

async function restartScenario(open: () => Promise<ObjectStore>): Promise<void> {
  const settings = { 'links.systemBucket': uniqueBucket('sys') };
  const bucket = uniqueBucket('restart');
  let server = await startServer(await open(), settings);
  assert.equal((await call(server.url, 'PUT', `/v1/buckets/${bucket}`)).status, 201);
  await call(server.url, 'PUT', objectPath(bucket, 'kept.txt'), { body: 'still here' });
  const download = await createLinkAt(server.url, { bucket, key: 'kept.txt', maxUses: 3 });
  const upload = await createLinkAt(server.url, { bucket, key: 'later.txt', kind: 'upload' });
  const doomed = await createLinkAt(server.url, { bucket, key: 'kept.txt' });
  assert.equal((await call(server.url, 'GET', `/s/${download.token}`)).status, 200);
  await stop(server);

  server = await startServer(await open(), settings); // the restart
  try {
    assert.equal((await call(server.url, 'GET', `/s/${download.token}`)).text, 'still here');
    assert.equal((await call(server.url, 'PUT', `/s/${upload.token}`, { body: 'after the restart' })).status, 201);
    assert.equal((await call(server.url, 'DELETE', `/v1/links/${doomed.id}`)).status, 204);
    assertRefused(await call(server.url, 'GET', `/s/${doomed.token}`), /link revoked/);
    const listed = (await call(server.url, 'GET', `/v1/links?bucket=${bucket}`)).json<{ links: LinkView[] }>().links;
    assert.deepEqual(listed.find((l) => l.id === download.id)?.uses, 2, 'the use before the restart still counts');
    assert.equal((await call(server.url, 'GET', `/s/${download.token}`)).status, 200);
    assertRefused(await call(server.url, 'GET', `/s/${download.token}`), /link used up/);
  } finally {
    await dropBucket(server.store, bucket);
    await dropBucket(server.store, systemBucketFor(server.store, settings['links.systemBucket']));
    await stop(server);
  }
}

describe('share links survive a restart on fs (the store reopened on its data dir)', () => {
  it('keeps links, uses and revocation', async () => {
    const dataDir = await tempDir('links-restart');
    try {
      await restartScenario(() => openFsStore({ dataDir }));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

const s3 = s3TestConfig();

describe('share links survive a restart on s3 (RGW: a new store and server on the same backend)', 'skip' in s3 ? { skip: s3.skip } : {}, () => {
  it('keeps links, uses and revocation', async () => {
    if ('skip' in s3) return;
    await restartScenario(async () => createS3Store(s3.options));
  });
});
