/**
 * Share links in v1: create, list, read and revoke (the links themselves are used under /s/, share.ts).
 * Who may: a download link needs read on its object, an upload link write; the same permission lets one
 * see and revoke it; listing every bucket's links needs admin. The token is in the creation answer only.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { type Action, assertAllowed } from '../../../auth/authorize.js';
import { isServiceError, ServiceError } from '../../../errors/codes.js';
import { type LinkKind, type LinkRecord, stateOf } from '../../../links/record.js';
import { noSuchLink } from '../../../links/refusals.js';
import type { LinkService } from '../../../links/service.js';
import { SHARE_PREFIX, type ShareLinks } from '../../../links/share-links.js';
import { checkedDateTime } from '../../dates.js';
import { requestSignal } from '../../request-signal.js';
import { allowOnly } from '../../methods.js';
import { CreatedLink, CreateLinkBody, DEFAULT_LINK_PAGE, LinkInfo, LinkList, LinkParams, ListLinksQuery } from './links-schemas.js';
import { errorResponses, NoBody } from './schemas.js';
import type { V1Options } from './types.js';

const tags = ['links'];

const permissionFor = (kind: LinkKind): Action => (kind === 'download' ? 'read' : 'write');

function assertMayUse(request: FastifyRequest, link: Pick<LinkRecord, 'kind' | 'bucket' | 'key'>): void {
  assertAllowed(request, permissionFor(link.kind), link.bucket, link.key);
}

/**
 * The link, when the caller may see it; otherwise the very answer an unknown id gets, so that an id tells
 * nothing about a link the caller may not use (not even that it exists, nor its bucket and key).
 */
async function visibleLink(service: LinkService, request: FastifyRequest, id: string): Promise<LinkRecord> {
  const link = await service.get(id);
  if (!mayUse(request, link)) throw noSuchLink(id);
  return link;
}

function mayUse(request: FastifyRequest, link: LinkRecord): boolean {
  try {
    assertMayUse(request, link);
    return true;
  } catch (err) {
    if (isServiceError(err) && err.code === 'AccessDenied') return false;
    throw err;
  }
}

function linkJson(link: LinkRecord, now: number) {
  const { id, bucket, key, kind, createdAt, createdBy, expiresAt, maxUses, uses, revokedAt } = link;
  return { id, bucket, key, kind, state: stateOf(link, now), createdAt, createdBy, expiresAt, maxUses, uses, revokedAt };
}

/** When the link stops working, from expiresIn or expiresAt (at most one); null: never. */
function expiryOf(body: Static<typeof CreateLinkBody>, now: number): Date | null {
  if (body.expiresIn !== undefined && body.expiresAt !== undefined) {
    throw new ServiceError('InvalidArgument', 'Give expiresIn or expiresAt, not both.');
  }
  if (body.expiresIn !== undefined) return new Date(now + body.expiresIn * 1000);
  if (body.expiresAt === undefined) return null;
  const at = checkedDateTime('expiresAt', body.expiresAt);
  if (at.getTime() <= now) throw new ServiceError('InvalidArgument', `expiresAt ${body.expiresAt} is not in the future.`);
  return at;
}

/**
 * Fastify strips unknown properties instead of refusing them; here a typo (`expiresin`) would make a link that
 * never expires, so they are refused before validation.
 */
async function refuseUnknownFields(request: FastifyRequest): Promise<void> {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return; // the schema refuses those
  const unknown = Object.keys(body).filter((name) => !Object.hasOwn(CreateLinkBody.properties, name));
  if (unknown.length > 0) throw new ServiceError('InvalidArgument', `Unknown fields in the body: ${unknown.join(', ')}.`);
}

function linkUrl(shareLinks: ShareLinks, request: FastifyRequest, token: string): string {
  const base = shareLinks.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/+$/, '')}${SHARE_PREFIX}${token}`;
}

export async function linkRoutes(fastify: FastifyInstance, { store, shareLinks }: V1Options): Promise<void> {
  const { service } = shareLinks;
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/links',
    {
      schema: {
        tags,
        summary: 'Create a share link',
        description: 'A download link needs read permission on the object, an upload link write. The answer is the only one with the token.',
        body: CreateLinkBody,
        response: { 201: CreatedLink, ...errorResponses(403, 404) },
      },
      preValidation: refuseUnknownFields,
    },
    async (request, reply) => {
      const { body } = request;
      const { bucket, key } = body;
      assertMayUse(request, { kind: body.kind, bucket, key });
      const now = Date.now();
      const expiresAt = expiryOf(body, now);
      await store.headBucket({ bucket, signal: requestSignal(request, reply) }); // no link into a missing bucket
      const { link, token } = await service.create({
        bucket,
        key,
        kind: body.kind,
        expiresAt,
        maxUses: body.maxUses ?? (body.kind === 'upload' ? 1 : null),
        createdBy: request.principal?.keyId ?? null,
      });
      return reply.code(201).send({ ...linkJson(link, now), token, url: linkUrl(shareLinks, request, token) });
    },
  );

  app.get(
    '/links',
    {
      schema: {
        tags,
        summary: 'List share links',
        description: 'With `bucket`: the links of that bucket the caller may use. Without: every link (admin only).',
        querystring: ListLinksQuery,
        response: { 200: LinkList, ...errorResponses(403) },
      },
    },
    async (request) => {
      const { bucket, limit, cursor } = request.query;
      if (bucket === undefined) assertAllowed(request, 'admin');
      const page = await service.list(bucket, limit ?? DEFAULT_LINK_PAGE, cursor);
      const now = Date.now();
      const visible = bucket === undefined ? page.links : page.links.filter((link) => mayUse(request, link));
      return { links: visible.map((link) => linkJson(link, now)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/links/:id',
    {
      schema: {
        tags,
        summary: 'Read a share link',
        description: 'A link the caller may not use answers 404, exactly as an unknown id does.',
        params: LinkParams,
        response: { 200: LinkInfo, ...errorResponses(404) },
      },
    },
    async (request) => linkJson(await visibleLink(service, request, request.params.id), Date.now()),
  );

  app.delete(
    '/links/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a share link',
        description: 'At once, on every instance; revoking twice is no error. A link the caller may not use answers 404, as an unknown id does. The record stays (S3GATE_LINKS_KEEP_ENDED_MS, a day by default), so a use says "link revoked"; then the sweep removes it.',
        params: LinkParams,
        response: { 204: { ...NoBody, description: 'Revoked' }, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const link = await visibleLink(service, request, request.params.id);
      await service.revoke(link.id);
      return reply.code(204).send();
    },
  );

  allowOnly(app, '/links', ['GET', 'POST']);
  allowOnly(app, '/links/:id', ['GET', 'DELETE']);
}
