/**
 * The OpenAPI 3.1 document at /openapi.json, generated from the route schemas, and Swagger UI at /docs
 * (its assets ship in the package: no CDN). Only the v1 and health routes are documented; the tutorial
 * face keeps its own README.
 */
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { NO_SECURITY, SECURITY, SECURITY_SCHEMES } from '../../../auth/openapi.js';

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

const HEALTH_SCHEMAS: Record<string, object> = {
  '/healthz': {
    tags: ['health'],
    summary: 'The process answers',
    security: NO_SECURITY,
    response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
  },
  '/readyz': {
    tags: ['health'],
    summary: 'The store answers too',
    security: NO_SECURITY,
    response: {
      200: { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' } } },
      503: {
        type: 'object',
        description: 'The store cannot be reached',
        properties: { status: { type: 'string' }, store: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
};

/** Fastify's `*` (the rest of the path) as an OpenAPI path parameter named `key`. */
function wildcardAsKey(schema: Record<string, unknown>, url: string): { schema: Record<string, unknown>; url: string } {
  const params = schema['params'] as { properties: Record<string, unknown>; required?: string[] } | undefined;
  if (!url.endsWith('*') || !params) return { schema, url };
  const { '*': key, ...others } = params.properties;
  return {
    url: `${url.slice(0, -1)}:key`,
    schema: {
      ...schema,
      params: { ...params, properties: { ...others, key }, required: params.required?.map((p) => (p === '*' ? 'key' : p)) },
    },
  };
}

const transform: Transform = ({ schema, url }) => {
  const health = HEALTH_SCHEMAS[url];
  if (health) return { schema: health, url };
  // the tutorial face and the schema-less 405 routes stay out of the document
  if (!url.startsWith('/v1/') || schema === undefined) return { schema: { ...schema, hide: true }, url };
  return wildcardAsKey(schema as Record<string, unknown>, url);
};

/** Called on the root instance before any route, so that the document sees every route. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 's3gate',
        version: '1.0.0',
        description: 'REST API v1 of s3gate: buckets and objects over JSON and streaming HTTP.',
      },
      tags: [
        { name: 'buckets', description: 'Create, list, inspect and delete buckets' },
        { name: 'objects', description: 'Upload, download, list, copy and delete objects' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: SECURITY,
    },
    transform,
    // shared schemas appear as components under their $id ("Error"), not as def-0, def-1...
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  // the API's description is the same for every deployment: public, like every route of the docs
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
}
