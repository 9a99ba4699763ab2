/** The bearer-token scheme of v1, the tutorial API and share links: `Authorization: Bearer <keyId>.<secret>`. */
import { ServiceError } from '../errors/codes.js';
import type { AuthScheme } from './scheme.js';
import { bearerToken, parseToken } from './token.js';

export const CHALLENGE = 'Bearer realm="s3gate"';

export const bearerScheme: AuthScheme = {
  name: 'bearer',
  presentIn: (request) => bearerToken(request.headers.authorization) !== undefined,
  authenticate(request, keys) {
    const credentials = parseToken(bearerToken(request.headers.authorization) ?? '');
    const principal = credentials && keys.verify(credentials.keyId, credentials.secret);
    return principal ? { principal } : { refused: new ServiceError('Unauthorized', 'The access token is not valid: unknown key id or wrong secret.') };
  },
  // RFC 6750 §3: the challenge, with error="invalid_token" when a token was sent but is not good
  challenge: (reply, invalid) => void reply.header('www-authenticate', invalid ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE),
  missing: () => new ServiceError('Unauthorized', 'This request needs an access key: send the header "Authorization: Bearer <keyId>.<secret>".'),
};
