/**
 * What the share-link tests share: a v1 suite per store whose links live in a system bucket of their own
 * (on s3; dropped after the suite), creating links through v1, using them through /s/, and the check that a
 * refusal is 403 AccessDenied with its reason.
 */
import assert from 'node:assert/strict';
import { after } from '../helpers/suites.js';
import { systemBucketFor } from '../../src/links/system-area.js';
import { type Answer, assertError, call, type CallInit, dropBucket, uniqueBucket, type V1Fixture, v1Suite } from '../http/v1-support.js';

export interface LinkView {
  id: string;
  bucket: string;
  key: string;
  kind: 'download' | 'upload';
  state: 'active' | 'revoked' | 'expired' | 'used-up';
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
}

export interface CreatedLink extends LinkView {
  token: string;
  url: string;
}

export interface LinkSpec {
  key: string;
  kind?: 'download' | 'upload';
  bucket?: string;
  expiresIn?: number;
  expiresAt?: string;
  maxUses?: number;
}

export interface LinkFixture extends V1Fixture {
  /** The name of this suite's system bucket (as configured; fs uses its own). */
  systemBucket: string;
  /** POST /v1/links, expecting 201. */
  createLink(spec: LinkSpec, baseUrl?: string): Promise<CreatedLink>;
  /** A request to /s/{token}. */
  useLink(method: string, token: string, init?: CallInit & { query?: string }, baseUrl?: string): Promise<Answer>;
  /** GET /v1/links/{id}, expecting 200. */
  readLink(id: string, baseUrl?: string): Promise<LinkView>;
}

export async function createLinkAt(baseUrl: string, spec: LinkSpec & { bucket: string }): Promise<CreatedLink> {
  const res = await call(baseUrl, 'POST', '/v1/links', { json: { kind: 'download', ...spec } });
  assert.equal(res.status, 201, res.text);
  return res.json<CreatedLink>();
}

/** 403 AccessDenied whose message gives the reason. */
export function assertRefused(answer: Answer, reason: RegExp, what = ''): void {
  assertError(answer, 403, 'AccessDenied', what);
  assert.match(answer.json<{ error: { message: string } }>().error.message, reason, what);
}

export function linkSuite(title: string, body: (fx: LinkFixture) => void, settings: Record<string, unknown> = {}): void {
  const systemBucket = uniqueBucket('sys');
  v1Suite(
    title,
    (v1) => {
      const fx = v1 as LinkFixture;
      fx.systemBucket = systemBucket;
      fx.createLink = (spec, baseUrl = fx.server.url) => createLinkAt(baseUrl, { bucket: fx.bucket, ...spec });
      fx.useLink = (method, token, init = {}, baseUrl = fx.server.url) =>
        call(baseUrl, method, `/s/${token}${init.query ?? ''}`, init);
      fx.readLink = async (id, baseUrl = fx.server.url) => {
        const res = await call(baseUrl, 'GET', `/v1/links/${id}`);
        assert.equal(res.status, 200, res.text);
        return res.json<LinkView>();
      };
      body(fx);
      after(() => dropBucket(fx.server.store, systemBucketFor(fx.server.store, systemBucket)));
    },
    { settings: { 'links.systemBucket': systemBucket, ...settings } },
  );
}
