import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../errors/codes.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Answers 405 with an Allow header for the methods a path does not support (Fastify alone says 404). */
export function allowOnly(app: FastifyInstance, url: string, allowed: string[]): void {
  const allow = allowed.includes('GET') && !allowed.includes('HEAD') ? [...allowed, 'HEAD'] : allowed;
  const others = METHODS.filter((m) => !allow.includes(m));
  app.route({
    method: others,
    url,
    handler: async (request, reply) => {
      reply.header('allow', allow.join(', '));
      throw new ServiceError('MethodNotAllowed', `${request.method} is not allowed here; use ${allow.join(', ')}.`);
    },
  });
}
