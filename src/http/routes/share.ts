/**
 * The public face of share links (src/links/): `GET`/`HEAD /s/{token}` download the linked object with
 * everything a v1 download has (Range, conditionals, `?download`, nosniff and the sandboxing CSP), and
 * `PUT /s/{token}` uploads to it with everything a v1 upload has (streaming, the size limit, Content-MD5,
 * kept headers). The token is the credential, so these routes are public (the access-key hook skips
 * them), and refusals are 403 AccessDenied with the reason. Errors are v1's JSON shape.
 *
 * The token never reaches a log: no message names it, and a line that logs the request (Fastify's own
 * request logging, off in app.ts for one line per request) gets the URL with the token's MAC cut off. The
 * answers ask browsers not to pass the URL on (Referrer-Policy) and caches not to keep it.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Keyring } from '../../auth/keys.js';
import { assertCreatorStillAllows } from '../../links/creator.js';
import type { LinkKind, LinkRecord } from '../../links/record.js';
import type { LinkService } from '../../links/service.js';
import { SHARE_PREFIX } from '../../links/share-links.js';
import { redactedToken } from '../../links/tokens.js';
import type { ObjectStore } from '../../storage/types.js';
import { acceptRawBodies } from '../body.js';
import { sendJsonError } from '../errors.js';
import { JSON_ERRORS, type FaceShape } from '../face-shapes.js';
import { ReadHeaders, ReadQuery, WriteHeaders } from '../objects/headers.js';
import { storeRequestBody } from '../objects/receive.js';
import { readContext, sendObject, sendObjectHead } from '../objects/send.js';
import { objectJson } from '../objects/views.js';
import { requestSignal } from '../request-signal.js';
import { allowOnly } from '../methods.js';

/** The token is the rest of the path: anything else under /s/ is a wrong token, never a 404 that logs the URL. */
const TokenParams = Type.Object({ '*': Type.String() });

/** Share links answer errors in v1's JSON shape, also where the defences before routing answer. */
export const SHARE_FACE: FaceShape = { prefix: SHARE_PREFIX.replace(/\/$/, ''), shape: JSON_ERRORS };

/** Fastify's request log line, with the URL's token reduced to the link id. */
function redactedRequest(request: FastifyRequest) {
  const end = request.url.includes('?') ? request.url.indexOf('?') : request.url.length;
  const token = request.url.slice(SHARE_PREFIX.length, end);
  return { method: request.method, url: `${SHARE_PREFIX}${redactedToken(token)}${request.url.slice(end)}`, remoteAddress: request.ip };
}

const whereOf = (link: LinkRecord, request: FastifyRequest, reply: FastifyReply) => ({
  bucket: link.bucket,
  key: link.key,
  signal: requestSignal(request, reply),
});

export interface ShareRouteOptions {
  service: LinkService;
  /** The store without the system bucket. */
  store: ObjectStore;
  /** The core's keys: a link works only while its creator's key still allows it. */
  keys: Keyring | null;
  maxObjectSize: number;
}

/** `GET`/`HEAD`/`PUT /s/{token}`. */
export async function shareRoutes(fastify: FastifyInstance, { service, store, keys, maxObjectSize }: ShareRouteOptions): Promise<void> {
  acceptRawBodies(fastify);
  fastify.setErrorHandler(sendJsonError);
  fastify.addHook('onSend', async (_request, reply) => {
    reply.header('referrer-policy', 'no-referrer'); // a page behind the link must not leak its URL onwards
    reply.header('cache-control', 'private, no-store'); // revocation and use limits hold only if no cache answers
  });
  /** The link of the request's token, refused unless it and its creator's key allow `kind` now. */
  const resolve = async (request: FastifyRequest<{ Params: { '*': string } }>, kind: LinkKind) => {
    const link = await service.resolve(request.params['*'], kind);
    assertCreatorStillAllows(keys, link);
    return link;
  };
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const route = { config: { public: true }, logSerializers: { req: redactedRequest } };
  const readSchema = { hide: true, params: TokenParams, querystring: ReadQuery, headers: ReadHeaders };

  app.get(`${SHARE_PREFIX}*`, { ...route, exposeHeadRoute: false, schema: readSchema }, async (request, reply) => {
    const link = await resolve(request, 'download');
    const ctx = readContext(link.key, request.query.download, request.headers);
    // a use is counted when bytes go out: not for a HEAD, a 304, a 412 or a 416
    return sendObject(store, whereOf(link, request, reply), reply, ctx, () => service.reserveUse(link));
  });

  app.head(`${SHARE_PREFIX}*`, { ...route, schema: readSchema }, async (request, reply) => {
    const link = await resolve(request, 'download');
    const ctx = readContext(link.key, request.query.download, request.headers);
    return sendObjectHead(store, whereOf(link, request, reply), reply, ctx);
  });

  app.put(`${SHARE_PREFIX}*`, { ...route, schema: { hide: true, params: TokenParams, headers: WriteHeaders } }, async (request, reply) => {
    const link = await resolve(request, 'upload');
    await service.reserveUse(link); // before the body, so that concurrent uploads cannot exceed the limit
    let meta;
    try {
      meta = await storeRequestBody(store, maxObjectSize, link, request, reply);
    } catch (err) {
      await service.releaseUse(link).catch((release: unknown) => request.log.warn({ err: release }, 'a share-link use could not be given back'));
      throw err;
    }
    return reply.code(201).send(objectJson(link.bucket, meta));
  });

  allowOnly(app, `${SHARE_PREFIX}*`, ['GET', 'HEAD', 'PUT']);
}
