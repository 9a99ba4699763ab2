/**
 * Share-link tokens: `<id>.<mac>`, both 32 lower-case hex digits.
 *
 * - id: 128 random bits, the link's name (in its record's key, in listings, in /v1/links/{id}).
 * - mac: the first 128 bits of HMAC-SHA256(secret, "s3gate share link v1:" + id), with the secret kept in the
 *   store (secret.ts) so that every instance computes the same.
 *
 * Knowing an id (a listing shows it) gives nothing: a token needs the MAC, so guessing one is a 2^-128 shot,
 * and a changed character anywhere fails the check. Hex has one spelling per value, so no two strings
 * verify as the same token. The MAC is compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const HEX_128 = /^[0-9a-f]{32}$/;
const TOKEN = /^([0-9a-f]{32})\.([0-9a-f]{32})$/;
const MAC_BYTES = 16;
const CONTEXT = 's3gate share link v1:';

export function newLinkId(): string {
  return randomBytes(16).toString('hex');
}

export function isLinkId(value: string): boolean {
  return HEX_128.test(value);
}

function macOf(secret: Buffer, id: string): Buffer {
  return createHmac('sha256', secret).update(CONTEXT + id).digest().subarray(0, MAC_BYTES);
}

export function tokenFor(secret: Buffer, id: string): string {
  return `${id}.${macOf(secret, id).toString('hex')}`;
}

/** The id a token names when it is well formed (its MAC not yet checked). */
export function idOfToken(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

/** Whether `token` is the one `secret` makes for the id it names. */
export function tokenIsGenuine(secret: Buffer, token: string): boolean {
  const match = TOKEN.exec(token);
  if (!match?.[1] || !match[2]) return false;
  return timingSafeEqual(macOf(secret, match[1]), Buffer.from(match[2], 'hex'));
}

/** A token as it may be logged: the id kept (it is no secret), the MAC gone. */
export function redactedToken(token: string): string {
  const id = idOfToken(token);
  return id === undefined ? '[redacted]' : `${id}.[redacted]`;
}
