import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away before its response is complete,
 * so the store stops uploading or reading on its behalf.
 */
export function requestSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const abortIfUnfinished = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  };
  request.raw.once('aborted', abortIfUnfinished);
  reply.raw.once('close', abortIfUnfinished);
  return controller.signal;
}
