import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors/codes.js';

/**
 * An AbortSignal that fires when the client goes away before its response is complete,
 * so the store stops uploading or reading on its behalf.
 */
export function requestSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const abortIfUnfinished = () => {
    if (!reply.raw.writableFinished) controller.abort(new ServiceError('IncompleteBody', 'The client disconnected before the request completed.'));
  };
  request.raw.once('aborted', abortIfUnfinished);
  reply.raw.once('close', abortIfUnfinished);
  return controller.signal;
}
