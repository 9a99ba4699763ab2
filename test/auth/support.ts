/** What the access-key tests share: keys with one test secret, and a keyed server per store with its own bucket. */
import { randomBytes } from 'node:crypto';
import { after, before, describe } from '../helpers/suites.js';
import { hashSecret } from '../../src/auth/keys.js';
import type { AccessKeyConfig } from '../../src/config/auth.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';
import { type Answer, type CallInit, call, dropBucket, uniqueBucket } from '../http/v1-support.js';

export const SECRET = randomBytes(24).toString('base64url');

type GrantInput = { bucket: string; prefix?: string; actions: AccessKeyConfig['grants'][number]['actions'] };

export function keyOf(id: string, grants: GrantInput[]): AccessKeyConfig {
  return { id, secretHash: hashSecret(SECRET), grants: grants.map((g) => ({ prefix: '', ...g })) };
}

export function bearer(id: string, secret = SECRET): Record<string, string> {
  return { authorization: `Bearer ${id}.${secret}` };
}

export interface AuthFixture {
  server: TestServer;
  /** The suite's bucket, made before the tests and dropped after. */
  bucket: string;
  /** Calls as key `id` (no Authorization header when undefined). */
  as(id: string | undefined): (method: string, path: string, init?: CallInit) => Promise<Answer>;
}

/** Runs `body` on each store (or fs only), with a server whose keys `keysFor(bucket)` makes. */
export function authSuite(title: string, keysFor: (bucket: string) => AccessKeyConfig[], body: (fx: AuthFixture) => void, opts: { fsOnly?: boolean } = {}): void {
  const targets = storesUnderTest().slice(0, opts.fsOnly ? 1 : undefined);
  for (const target of targets) {
    describe(`${title} on ${target.name}`, { skip: target.skip }, () => {
      let cleanup: (() => Promise<void>) | undefined;
      const fx = {
        bucket: uniqueBucket('authz'),
        as: (id: string | undefined) => (method: string, path: string, init: CallInit = {}) =>
          call(fx.server.url, method, path, { ...init, headers: { ...init.headers, ...(id ? bearer(id) : {}) } }),
      } as AuthFixture;

      before(async () => {
        const opened = await target.open();
        cleanup = opened.cleanup;
        fx.server = await startServer(opened.store, { auth: { keys: keysFor(fx.bucket) } });
        await opened.store.createBucket({ bucket: fx.bucket });
      });
      body(fx);
      after(async () => {
        if (fx.server) {
          await dropBucket(fx.server.store, fx.bucket);
          await fx.server.close();
        }
        await cleanup?.();
      });
    });
  }
}
