/**
 * The proof a browser upload carries in its form instead of an Authorization header: a policy signed with
 * Signature Version 4 (x-amz-signature is the HMAC of the base64 policy with the signing key of the
 * x-amz-credential's scope). Checked here against the key's secret; the key's principal is the uploader.
 */
import { ServiceError } from '../../../errors/codes.js';
import { ALGORITHM, checkDates, parseCredential, sigV2 } from '../../../auth/sigv4/claim.js';
import { signingSecretFor } from '../../../auth/sigv4/scheme.js';
import { sameSignature, signatureOf, signingKey } from '../../../auth/sigv4/signing-key.js';
import type { Keyring, Principal } from '../../../auth/keys.js';

const SIGNED_FIELDS = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'] as const;

function required(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) {
    throw new ServiceError('InvalidArgument', `Bucket POST must contain a field named '${name}'. If it is specified, please check the order of the fields.`);
  }
  return value;
}

/** Whether the form carries a signed policy at all (an unsigned form is an anonymous caller's). */
export function hasSignedPolicy(fields: ReadonlyMap<string, string>): boolean {
  return SIGNED_FIELDS.some((name) => fields.has(name)) || fields.has('awsaccesskeyid') || fields.has('signature');
}

/**
 * The principal of the key that signed the form's policy. Throws InvalidArgument for a missing or malformed
 * field, NotImplemented for a Signature Version 2 form, InvalidAccessKeyId, or SignatureDoesNotMatch.
 */
export function verifyPolicySignature(fields: ReadonlyMap<string, string>, keys: Keyring): Principal {
  if (!fields.has('x-amz-signature') && (fields.has('awsaccesskeyid') || fields.has('signature'))) throw sigV2();
  const [policy, algorithm, credential, date, signature] = SIGNED_FIELDS.map((name) => required(fields, name));
  const fail = (why: string) => new ServiceError('InvalidArgument', `The form's signature fields are malformed: ${why}.`);
  if (algorithm !== ALGORITHM) throw fail(`x-amz-algorithm must be ${ALGORITHM}`);
  const { accessKeyId, scope } = parseCredential(credential ?? '', fail);
  checkDates(scope, date, fail);
  const found = signingSecretFor(keys, accessKeyId);
  const expected = signatureOf(signingKey(found.secret, scope), policy ?? '');
  if (!sameSignature(expected, (signature ?? '').toLowerCase())) {
    throw new ServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return found.principal;
}
