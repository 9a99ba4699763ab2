/**
 * Every route of the tutorial API and of REST API v1, with what a key needs to call it: the table the
 * authorization test runs each credential through. `needs` names buckets by role: `main` (the suite's
 * bucket), `dest` (a second bucket, for copies), `fresh` (a bucket the row creates or deletes itself),
 * `*` (the service: listing buckets).
 */
import { Readable } from 'node:stream';
import type { Action } from '../../src/auth/grants.js';
import type { ObjectStore } from '../../src/storage/types.js';

export type BucketRole = 'main' | 'dest' | 'fresh' | '*';

export interface Need {
  action: Action;
  bucket: BucketRole;
  prefix?: string;
}

export interface RowContext {
  store: ObjectStore;
  /** The real bucket name of a role, for this row. */
  bucket(role: Exclude<BucketRole, '*'>): string;
}

export interface RowRequest {
  method: string;
  path: string;
  body?: string;
  json?: unknown;
}

export interface Row {
  name: string;
  face: 'tutorial' | 'v1';
  needs: Need[];
  /** Status with the good key. */
  ok: number;
  /** Makes the good call possible (and its success proves the refused calls changed nothing). */
  setup?(ctx: RowContext): Promise<void>;
  request(ctx: RowContext): RowRequest;
}

const T = '/amazons3/imageStore';
const enc = (key: string) => key.split('/').map(encodeURIComponent).join('/');
const v1Object = (bucket: string, key: string) => `/v1/buckets/${bucket}/objects/${enc(key)}`;

/** Present in `main` before the table runs: what reads and copies read. */
export const SEEDED_KEY = 'docs/seed.txt';

export async function put(store: ObjectStore, bucket: string, key: string): Promise<void> {
  await store.putObject({ bucket, key, body: Readable.from([Buffer.from(`bytes of ${key}`)]) });
}

const freshBucket = async ({ store, bucket }: RowContext) => {
  await store.createBucket({ bucket: bucket('fresh') });
};

export const ROUTES: Row[] = [
  // the tutorial API
  { name: 'tutorial: list buckets', face: 'tutorial', needs: [{ action: 'list', bucket: '*' }], ok: 200, request: () => ({ method: 'GET', path: T }) },
  { name: 'tutorial: create bucket', face: 'tutorial', needs: [{ action: 'admin', bucket: 'fresh' }], ok: 200, request: (c) => ({ method: 'POST', path: `${T}/${c.bucket('fresh')}` }) },
  { name: 'tutorial: list objects', face: 'tutorial', needs: [{ action: 'list', bucket: 'main' }], ok: 200, request: (c) => ({ method: 'GET', path: `${T}/${c.bucket('main')}` }) },
  {
    name: 'tutorial: delete bucket',
    face: 'tutorial',
    needs: [{ action: 'admin', bucket: 'fresh' }],
    ok: 200,
    setup: freshBucket,
    request: (c) => ({ method: 'DELETE', path: `${T}/${c.bucket('fresh')}` }),
  },
  {
    name: 'tutorial: create object',
    face: 'tutorial',
    needs: [{ action: 'write', bucket: 'main', prefix: 'up/' }],
    ok: 200,
    request: (c) => ({ method: 'POST', path: `${T}/${c.bucket('main')}/up/t.txt`, body: 'hello' }),
  },
  {
    name: 'tutorial: download',
    face: 'tutorial',
    needs: [{ action: 'read', bucket: 'main', prefix: 'docs/' }],
    ok: 200,
    request: (c) => ({ method: 'GET', path: `${T}/${c.bucket('main')}/${SEEDED_KEY}` }),
  },
  {
    name: 'tutorial: head',
    face: 'tutorial',
    needs: [{ action: 'read', bucket: 'main', prefix: 'docs/' }],
    ok: 200,
    request: (c) => ({ method: 'HEAD', path: `${T}/${c.bucket('main')}/${SEEDED_KEY}` }),
  },
  {
    name: 'tutorial: delete object',
    face: 'tutorial',
    needs: [{ action: 'delete', bucket: 'main', prefix: 'gone/' }],
    ok: 200,
    setup: (c) => put(c.store, c.bucket('main'), 'gone/t.txt'),
    request: (c) => ({ method: 'DELETE', path: `${T}/${c.bucket('main')}/gone/t.txt` }),
  },

  // REST API v1
  { name: 'v1: list buckets', face: 'v1', needs: [{ action: 'list', bucket: '*' }], ok: 200, request: () => ({ method: 'GET', path: '/v1/buckets' }) },
  { name: 'v1: create bucket', face: 'v1', needs: [{ action: 'admin', bucket: 'fresh' }], ok: 201, request: (c) => ({ method: 'PUT', path: `/v1/buckets/${c.bucket('fresh')}` }) },
  { name: 'v1: read bucket', face: 'v1', needs: [{ action: 'list', bucket: 'main' }], ok: 200, request: (c) => ({ method: 'GET', path: `/v1/buckets/${c.bucket('main')}` }) },
  { name: 'v1: head bucket', face: 'v1', needs: [{ action: 'list', bucket: 'main' }], ok: 200, request: (c) => ({ method: 'HEAD', path: `/v1/buckets/${c.bucket('main')}` }) },
  {
    name: 'v1: delete bucket',
    face: 'v1',
    needs: [{ action: 'admin', bucket: 'fresh' }],
    ok: 204,
    setup: freshBucket,
    request: (c) => ({ method: 'DELETE', path: `/v1/buckets/${c.bucket('fresh')}?force=true` }),
  },
  {
    name: 'v1: list objects under a prefix',
    face: 'v1',
    needs: [{ action: 'list', bucket: 'main', prefix: 'docs/' }],
    ok: 200,
    request: (c) => ({ method: 'GET', path: `/v1/buckets/${c.bucket('main')}/objects?prefix=docs/&delimiter=/` }),
  },
  {
    name: 'v1: delete by prefix',
    face: 'v1',
    needs: [{ action: 'delete', bucket: 'main', prefix: 'tmp/' }, { action: 'list', bucket: 'main', prefix: 'tmp/' }],
    ok: 200,
    setup: (c) => put(c.store, c.bucket('main'), 'tmp/one'),
    request: (c) => ({ method: 'DELETE', path: `/v1/buckets/${c.bucket('main')}/objects?prefix=tmp/` }),
  },
  {
    name: 'v1: batch delete',
    face: 'v1',
    needs: [{ action: 'delete', bucket: 'main', prefix: 'batch/' }],
    ok: 200,
    setup: (c) => put(c.store, c.bucket('main'), 'batch/a'),
    request: (c) => ({ method: 'POST', path: `/v1/buckets/${c.bucket('main')}/delete`, json: { keys: ['batch/a', 'batch/b'] } }),
  },
  {
    name: 'v1: upload',
    face: 'v1',
    needs: [{ action: 'write', bucket: 'main', prefix: 'up/' }],
    ok: 201,
    request: (c) => ({ method: 'PUT', path: v1Object(c.bucket('main'), 'up/v.txt'), body: 'hello' }),
  },
  {
    name: 'v1: download',
    face: 'v1',
    needs: [{ action: 'read', bucket: 'main', prefix: 'docs/' }],
    ok: 200,
    request: (c) => ({ method: 'GET', path: v1Object(c.bucket('main'), SEEDED_KEY) }),
  },
  {
    name: 'v1: head object',
    face: 'v1',
    needs: [{ action: 'read', bucket: 'main', prefix: 'docs/' }],
    ok: 200,
    request: (c) => ({ method: 'HEAD', path: v1Object(c.bucket('main'), SEEDED_KEY) }),
  },
  {
    name: 'v1: delete object',
    face: 'v1',
    needs: [{ action: 'delete', bucket: 'main', prefix: 'gone/' }],
    ok: 204,
    setup: (c) => put(c.store, c.bucket('main'), 'gone/v.txt'),
    request: (c) => ({ method: 'DELETE', path: v1Object(c.bucket('main'), 'gone/v.txt') }),
  },
  {
    name: 'v1: copy',
    face: 'v1',
    needs: [{ action: 'read', bucket: 'main', prefix: 'docs/' }, { action: 'write', bucket: 'dest' }],
    ok: 200,
    request: (c) => ({
      method: 'POST',
      path: '/v1/copy',
      json: { source: { bucket: c.bucket('main'), key: SEEDED_KEY }, destination: { bucket: c.bucket('dest'), key: 'copied.txt' } },
    }),
  },
  {
    name: 'v1: move',
    face: 'v1',
    needs: [
      { action: 'read', bucket: 'main', prefix: 'mv/' },
      { action: 'delete', bucket: 'main', prefix: 'mv/' },
      { action: 'write', bucket: 'dest' },
    ],
    ok: 200,
    setup: (c) => put(c.store, c.bucket('main'), 'mv/src.txt'),
    request: (c) => ({
      method: 'POST',
      path: '/v1/copy',
      json: { source: { bucket: c.bucket('main'), key: 'mv/src.txt' }, destination: { bucket: c.bucket('dest'), key: 'moved.txt' }, move: true },
    }),
  },
];
