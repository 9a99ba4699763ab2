/** fs-specific: If-None-Match: * is decided inside the commit, so of racing creators exactly one wins. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isServiceError } from '../../src/errors/codes.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { readAll } from '../helpers/streams.js';
import { tempDir } from '../helpers/server.js';

describe('fs store conditional writes', () => {
  it('lets exactly one of many concurrent If-None-Match: * writers create the key', async () => {
    const dir = await tempDir('cond');
    const store = await openFsStore({ dataDir: dir });
    try {
      await store.createBucket({ bucket: 'race' });
      const writers = Array.from({ length: 16 }, (_, i) =>
        store.putObject({ bucket: 'race', key: 'once', body: Readable.from([Buffer.from(`writer ${i}`)]), ifNoneMatch: '*' }),
      );
      const results = await Promise.allSettled(writers);
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1, 'exactly one writer created the key');
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(isServiceError(r.reason) && r.reason.code === 'PreconditionFailed');
      }
      const stored = await readAll((await store.getObject({ bucket: 'race', key: 'once' })).body);
      assert.equal(stored.toString(), `writer ${winners[0]}`);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
