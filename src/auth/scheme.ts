/**
 * An authentication scheme: one way a request proves which key it comes with (a bearer token, an S3
 * signature, a console session). The hook (hook.ts) asks each scheme of the listener in turn; the first that
 * finds its credentials on the request decides. A scheme never authorizes: grants are checked per action.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceError } from '../errors/codes.js';
import type { Keyring, Principal } from './keys.js';

/** What a scheme made of a request that carried its credentials. */
export type SchemeResult =
  | { principal: Principal }
  /** The credentials are not good: the refusal, in the scheme's own terms (401 Unauthorized, 403 SignatureDoesNotMatch...). */
  | { refused: ServiceError };

export interface AuthScheme {
  /** For logs and tests. */
  readonly name: string;
  /** Whether the request carries this scheme's credentials at all. */
  presentIn(request: FastifyRequest): boolean;
  authenticate(request: FastifyRequest, keys: Keyring): SchemeResult;
  /**
   * Sets what tells a client how to authenticate (WWW-Authenticate) on a refusal; `invalid` when credentials
   * of this scheme were sent but were not good. The listener's first scheme speaks for a request with none.
   */
  challenge(reply: FastifyReply, invalid: boolean): void;
  /** The refusal of a request that sent no credentials. */
  missing(): ServiceError;
}
