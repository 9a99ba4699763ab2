/**
 * The authorization table: every tutorial and v1 route × {no key, wrong secret, a key without
 * the action, a key for another bucket, a good key}, through a real server, on every store. The good key
 * holds exactly what the route needs, so the refusals also show that nothing more is needed; the good call
 * comes last and succeeds, so the refused calls changed nothing it depends on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/suites.js';
import type { AccessKeyConfig } from '../../src/config/auth.js';
import { ACTIONS, type Action, SERVICE_ACTIONS } from '../../src/auth/grants.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';
import { type Answer, assertError, call, dropBucket, uniqueBucket } from '../http/v1-support.js';
import { put, ROUTES, type Need, type Row, type RowContext, SEEDED_KEY } from './route-table.js';
import { bearer, keyOf, SECRET } from './support.js';

type Credential = 'none' | 'wrong secret' | 'without the action' | 'for another bucket' | 'good';

interface Names {
  main: string;
  dest: string;
  elsewhere: string;
  fresh(row: number): string;
}

function contextOf(names: Names, row: number, store: ObjectStore): RowContext {
  return { store, bucket: (role) => (role === 'fresh' ? names.fresh(row) : names[role]) };
}

const bucketOf = (need: Need, ctx: RowContext) => (need.bucket === '*' ? '*' : ctx.bucket(need.bucket));

/** The three keys of a row: exactly its needs; its scopes with every other action; its needs elsewhere. */
function rowKeys(row: Row, i: number, ctx: RowContext, names: Names): AccessKeyConfig[] {
  const key = (suffix: string, grants: AccessKeyConfig['grants']) => keyOf(`row${i}-${suffix}`, grants);
  const good = row.needs.map((n) => ({ bucket: bucketOf(n, ctx), prefix: n.prefix ?? '', actions: [n.action] }));
  const scopes = new Map<string, { bucket: string; prefix: string; needed: Set<Action> }>();
  for (const g of good) {
    const scope = scopes.get(`${g.bucket}/${g.prefix}`) ?? { bucket: g.bucket, prefix: g.prefix, needed: new Set<Action>() };
    g.actions.forEach((a) => scope.needed.add(a));
    scopes.set(`${g.bucket}/${g.prefix}`, scope);
  }
  const lacking = [...scopes.values()].map((s) => ({
    bucket: s.bucket,
    prefix: s.prefix,
    // service actions (metrics) only where a grant may hold them: on "*" without a prefix
    actions: ACTIONS.filter((a) => a !== 'admin' && !s.needed.has(a) && (!SERVICE_ACTIONS.includes(a) || `${s.bucket}/${s.prefix}` === '*/')),
  }));
  // a bucket grant is not a service grant: for the service, "another bucket" is the main one
  const other = good.map((g) => ({ ...g, bucket: g.bucket === '*' ? names.main : names.elsewhere }));
  return [key('good', good), key('lack', lacking), key('other', other)];
}

function authorization(credential: Credential, i: number): Record<string, string> {
  const token = (suffix: string, secret = SECRET) => bearer(`row${i}-${suffix}`, secret);
  switch (credential) {
    case 'none':
      return {};
    case 'wrong secret':
      return token('good', `${SECRET}x`);
    case 'without the action':
      return token('lack');
    case 'for another bucket':
      return token('other');
    case 'good':
      return token('good');
  }
}

/** A refusal in the face's own shape: JSON for v1, text for the tutorial, no body for HEAD. */
function assertRefused(answer: Answer, face: Row['face'], method: string, status: 401 | 403, what: string): void {
  const code = status === 401 ? 'Unauthorized' : 'AccessDenied';
  assert.equal(answer.status, status, `${what}: ${answer.text}`);
  if (method === 'HEAD') return assert.equal(answer.body.length, 0, what);
  if (face === 'v1') assertError(answer, status, code, what);
  else assert.match(String(answer.headers['content-type']), /^text\/plain/, what);
  if (status === 401) assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="s3gate"/, what);
}

const REFUSED: Array<[Credential, 401 | 403]> = [
  ['none', 401],
  ['wrong secret', 401],
  ['without the action', 403],
  ['for another bucket', 403],
];

for (const target of storesUnderTest()) {
  describe(`authorization of every route on ${target.name}`, { skip: target.skip }, () => {
    const base = uniqueBucket('auth');
    const names: Names = { main: base, dest: `${base}-dst`, elsewhere: `${base}-x`, fresh: (row) => `${base}-f${row}` };
    let server: TestServer;
    let cleanup: (() => Promise<void>) | undefined;

    before(async () => {
      const opened = await target.open();
      cleanup = opened.cleanup;
      const keys = ROUTES.flatMap((row, i) => rowKeys(row, i, contextOf(names, i, opened.store), names));
      server = await startServer(opened.store, { auth: { keys } });
      for (const bucket of [names.main, names.dest, names.elsewhere]) await opened.store.createBucket({ bucket });
      await put(opened.store, names.main, SEEDED_KEY);
    });

    after(async () => {
      const buckets = [names.main, names.dest, names.elsewhere, ...ROUTES.map((_, i) => names.fresh(i))];
      for (const bucket of buckets) await dropBucket(server.store, bucket);
      await server.close();
      await cleanup?.();
    });

    ROUTES.forEach((row, i) => {
      it(row.name, async () => {
        const ctx = contextOf(names, i, server.store);
        await row.setup?.(ctx);
        const { method, path, body, json } = row.request(ctx);
        const send = (credential: Credential) => call(server.url, method, path, { body, json, headers: authorization(credential, i) });
        for (const [credential, status] of REFUSED) {
          const answer = await send(credential);
          assertRefused(answer, row.face, method, status, `${row.name}, ${credential}`);
          if (credential === 'wrong secret') assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/);
          if (status === 403 && method !== 'HEAD') assert.match(answer.text, new RegExp(`key row${i}-\\w+ may not`), answer.text);
        }
        const good = await send('good');
        assert.equal(good.status, row.ok, `${row.name}, good key: ${good.text}`);
      });
    });
  });
}
