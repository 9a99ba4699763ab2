/**
 * The token scheme of v1 and the tutorial API: `Authorization: Bearer <keyId>.<secret>`.
 * "." keeps the token within RFC 6750's token68 characters; `<keyId>:<secret>` is accepted too. Key ids
 * hold neither separator (config/auth.ts), so the first one splits the token whatever the secret holds.
 */
export interface Credentials {
  keyId: string;
  secret: string;
}

export const TOKEN_SEPARATOR = '.';

export function formatToken(keyId: string, secret: string): string {
  return `${keyId}${TOKEN_SEPARATOR}${secret}`;
}

/** Whether the request carries a Bearer token at all (other schemes, or none, do not count). */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S*)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The id and secret of a token, or undefined when it is not `<id>.<secret>` / `<id>:<secret>`. */
export function parseToken(token: string): Credentials | undefined {
  const at = token.search(/[.:]/);
  if (at <= 0 || at === token.length - 1) return undefined;
  return { keyId: token.slice(0, at), secret: token.slice(at + 1) };
}
