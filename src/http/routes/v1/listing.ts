/** Listing a bucket's keys: prefix, delimiter (folders), startAfter, and cursor paging. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertAllowed } from '../../../auth/authorize.js';
import { requestSignal } from '../../request-signal.js';
import { BucketParams, errorResponses, Listing, ListingQuery } from './schemas.js';
import type { V1Options } from './types.js';

/** An empty query parameter (`?prefix=`) means the same as none. */
const given = (value: string | undefined) => (value === '' ? undefined : value);

export async function listingRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/buckets/:bucket/objects',
    {
      schema: {
        tags: ['objects'],
        summary: 'List objects',
        description: 'Keys in UTF-8 byte order, at most `limit` keys and folders a page; follow `nextCursor` while `isTruncated`.',
        params: BucketParams,
        querystring: ListingQuery,
        response: { 200: Listing, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      const { prefix, delimiter, startAfter, limit, cursor } = request.query;
      assertAllowed(request, 'list', bucket, prefix ?? '');
      const page = await store.listObjects({
        bucket,
        prefix: given(prefix),
        delimiter: given(delimiter),
        startAfter: given(startAfter),
        continuationToken: cursor,
        maxKeys: limit,
        signal: requestSignal(request, reply),
      });
      return {
        objects: page.objects.map((o) => ({
          key: o.key,
          size: o.size,
          etag: o.etag,
          lastModified: o.lastModified.toISOString(),
          storageClass: o.storageClass,
        })),
        folders: page.commonPrefixes,
        isTruncated: page.isTruncated,
        nextCursor: page.isTruncated ? page.nextContinuationToken : undefined,
      };
    },
  );
}
