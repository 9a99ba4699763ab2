/** Units of access keys: secrets, constant-time verification, the token scheme, and what a grant covers. */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { mock } from 'node:test';
import { describe, it } from '../helpers/suites.js';
import { type Grant, grantCovers, refusal } from '../../src/auth/grants.js';
import { generateKeyId, generateSecret, hashSecret, Keyring } from '../../src/auth/keys.js';
import { bearerToken, formatToken, parseToken } from '../../src/auth/token.js';

describe('access key secrets', () => {
  it('generates AWS-shaped ids and long alphanumeric secrets, different every time', () => {
    const ids = new Set(Array.from({ length: 50 }, generateKeyId));
    const secrets = new Set(Array.from({ length: 50 }, generateSecret));
    assert.equal(ids.size, 50);
    assert.equal(secrets.size, 50);
    for (const id of ids) assert.match(id, /^SG[A-Z2-7]{18}$/);
    for (const secret of secrets) assert.match(secret, /^[A-Za-z0-9]{40}$/);
  });

  it('stores a secret as sha256:<hex>', () => {
    assert.equal(hashSecret('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies a secret from its hash or from a plain secret, and nothing else', () => {
    const secret = generateSecret();
    const ring = new Keyring([
      { id: 'hashed', secretHash: hashSecret(secret), grants: [] },
      { id: 'plain', secret, grants: [] },
    ]);
    assert.equal(ring.verify('hashed', secret)?.keyId, 'hashed');
    assert.equal(ring.verify('plain', secret)?.keyId, 'plain');
    assert.equal(ring.verify('hashed', `${secret}x`), undefined);
    assert.equal(ring.verify('hashed', secret.slice(0, -1)), undefined);
    assert.equal(ring.verify('unknown', secret), undefined);
    assert.equal(ring.verify('hashed', ''), undefined);
  });

  it('compares with crypto.timingSafeEqual on equal-length digests, whatever is presented', () => {
    const compare = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports(); // the named import in keys.ts now sees the spy
    try {
      const secret = generateSecret();
      const ring = new Keyring([{ id: 'k', secretHash: hashSecret(secret), grants: [] }]);
      const attempts: Array<[string, string]> = [['k', secret], ['k', 'short'], ['k', 'x'.repeat(5000)], ['nobody', secret]];
      for (const [id, presented] of attempts) ring.verify(id, presented);
      assert.equal(compare.mock.callCount(), attempts.length, 'every attempt is one constant-time comparison, unknown ids too');
      for (const { arguments: [a, b] } of compare.mock.calls) {
        assert.equal((a as Buffer).length, 32);
        assert.equal((b as Buffer).length, 32);
      }
    } finally {
      compare.mock.restore();
      syncBuiltinESMExports();
    }
  });
});

describe('the token scheme', () => {
  it('reads Bearer <id>.<secret> and <id>:<secret>, splitting at the first separator', () => {
    assert.deepEqual(parseToken(formatToken('SGKEY', 'sec.ret:x')), { keyId: 'SGKEY', secret: 'sec.ret:x' });
    assert.deepEqual(parseToken('SGKEY:secret'), { keyId: 'SGKEY', secret: 'secret' });
    for (const bad of ['', 'noseparator', '.secret', 'id.', ':']) assert.equal(parseToken(bad), undefined, bad);
  });

  it('takes the token of a Bearer header only', () => {
    assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
    assert.equal(bearerToken('bearer   abc.def '), 'abc.def');
    assert.equal(bearerToken('Basic YWJjOmRlZg=='), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
  });
});

describe('what a grant covers', () => {
  const g = (bucket: string, prefix: string, ...actions: Grant['actions']): Grant => ({ bucket, prefix, actions });

  it('covers its action on its bucket and keys under its prefix', () => {
    const grant = g('photos', '2026/', 'read');
    assert.equal(grantCovers(grant, 'read', 'photos', '2026/cat.png'), true);
    assert.equal(grantCovers(grant, 'read', 'photos', '2025/cat.png'), false);
    assert.equal(grantCovers(grant, 'read', 'archive', '2026/cat.png'), false);
    assert.equal(grantCovers(grant, 'write', 'photos', '2026/cat.png'), false);
    assert.equal(grantCovers(grant, 'read', 'photos'), false, 'a prefix grant never covers the whole bucket');
  });

  it('covers a listing prefix only when the grant prefix starts it', () => {
    const grant = g('photos', '2026/', 'list');
    assert.equal(grantCovers(grant, 'list', 'photos', '2026/'), true);
    assert.equal(grantCovers(grant, 'list', 'photos', '2026/05/'), true);
    assert.equal(grantCovers(grant, 'list', 'photos', '2026'), false);
    assert.equal(grantCovers(grant, 'list', 'photos', ''), false);
  });

  it('covers the service only from "*" without a prefix; admin includes every action in its scope', () => {
    assert.equal(grantCovers(g('*', '', 'list'), 'list'), true);
    assert.equal(grantCovers(g('*', 'a/', 'list'), 'list'), false);
    assert.equal(grantCovers(g('photos', '', 'list'), 'list'), false);
    assert.equal(grantCovers(g('*', '', 'admin'), 'delete', 'any-bucket', 'k'), true);
    assert.equal(grantCovers(g('photos', '', 'admin'), 'admin', 'photos'), true);
    assert.equal(grantCovers(g('photos', 'a/', 'admin'), 'admin', 'photos'), false);
  });

  it('names the refused action and resource', () => {
    assert.equal(refusal('K', 'delete', 'photos', '2026/x'), 'Access denied: key K may not delete photos/2026/x.');
    assert.equal(refusal('K', 'admin', 'photos'), 'Access denied: key K may not administer bucket photos.');
    assert.equal(refusal('K', 'list'), 'Access denied: key K may not list buckets.');
  });
});
