/**
 * The proof a browser upload carries in its form instead of an Authorization header: its policy, signed
 * - with Signature Version 4: x-amz-signature is the hex HMAC-SHA256 of the base64 policy with the signing
 *   key of the x-amz-credential's scope;
 * - or the older Signature Version 2 way, which S3 still takes for forms (and which browser-upload libraries
 *   and Ceph's conformance suite use): `signature` is the base64 HMAC-SHA1 of the base64 policy with the
 *   secret of the `AWSAccessKeyId`.
 * Either is checked against the key's secret in constant time; the key's principal is the uploader. SigV2
 * stays refused for headers and presigned URLs: only a form's policy may be signed so.
 */
import { createHmac } from 'node:crypto';
import { ServiceError } from '../../../errors/codes.js';
import { ALGORITHM, checkDates, parseCredential } from '../../../auth/sigv4/claim.js';
import { signingSecretFor } from '../../../auth/sigv4/scheme.js';
import { sameSignature, signatureOf, signingKey } from '../../../auth/sigv4/signing-key.js';
import type { Keyring, Principal } from '../../../auth/keys.js';

/** The SigV4 fields, as S3 names them in its refusals (the form's names are lower-cased). */
const V4_FIELDS = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'] as const;
const V2_FIELDS = ['AWSAccessKeyId', 'policy', 'signature'] as const;

/** The fields that prove the form rather than describe the upload: a policy need not name them. */
export const PROOF_FIELDS: ReadonlySet<string> = new Set(['policy', 'x-amz-signature', 'awsaccesskeyid', 'signature']);

function required(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name.toLowerCase());
  if (value === undefined) {
    throw new ServiceError('InvalidArgument', `Bucket POST must contain a field named '${name}'. If it is specified, please check the order of the fields.`);
  }
  return value;
}

const mismatch = () =>
  new ServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');

const isV2 = (fields: ReadonlyMap<string, string>) => !fields.has('x-amz-signature') && (fields.has('awsaccesskeyid') || fields.has('signature'));

/** Whether the form carries a signed policy at all (an unsigned form is an anonymous caller's). */
export function hasSignedPolicy(fields: ReadonlyMap<string, string>): boolean {
  return [...V4_FIELDS, ...V2_FIELDS].some((name) => fields.has(name.toLowerCase()));
}

function verifyV4(fields: ReadonlyMap<string, string>, keys: Keyring): Principal {
  const [policy = '', algorithm, credential = '', date, signature = ''] = V4_FIELDS.map((name) => required(fields, name));
  const fail = (why: string) => new ServiceError('InvalidArgument', `The form's signature fields are malformed: ${why}.`);
  if (algorithm !== ALGORITHM) throw fail(`x-amz-algorithm must be ${ALGORITHM}`);
  const { accessKeyId, scope } = parseCredential(credential, fail);
  checkDates(scope, date, fail);
  const found = signingSecretFor(keys, accessKeyId);
  if (!sameSignature(signatureOf(signingKey(found.secret, scope), policy), signature.toLowerCase())) throw mismatch();
  return found.principal;
}

function verifyV2(fields: ReadonlyMap<string, string>, keys: Keyring): Principal {
  const [accessKeyId = '', policy = '', signature = ''] = V2_FIELDS.map((name) => required(fields, name));
  const found = signingSecretFor(keys, accessKeyId);
  const expected = createHmac('sha1', found.secret).update(policy, 'utf8').digest('base64');
  // base64 is case-sensitive: compared as sent
  if (!sameSignature(expected, signature)) throw mismatch();
  return found.principal;
}

/**
 * The principal of the key that signed the form's policy, by SigV4 when the form has an x-amz-signature,
 * else by SigV2. Throws InvalidArgument for a missing or malformed field, InvalidAccessKeyId, or
 * SignatureDoesNotMatch.
 */
export function verifyPolicySignature(fields: ReadonlyMap<string, string>, keys: Keyring): Principal {
  return isV2(fields) ? verifyV2(fields, keys) : verifyV4(fields, keys);
}
