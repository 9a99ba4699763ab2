/** JSON schemas of the share-link routes of v1 (links.ts); docs/api-v1.md "Share links" is their contract. */
import { type TSchema, Type } from 'typebox';
import { BucketName } from './schemas.js';

/** Longest expiry that can be asked for: 100 years, which is "never" for any practical purpose. */
export const MAX_EXPIRES_IN_SECONDS = 100 * 365 * 24 * 3600;
export const MAX_LINK_USES = 1_000_000_000;
export const DEFAULT_LINK_PAGE = 100;

const IsoDate = Type.String({ format: 'date-time', description: 'ISO-8601' });
const orNull = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

const LinkId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'The link id (32 hex digits); not the token' });
const LinkKind = Type.Union(
  [Type.Literal('download'), Type.Literal('upload')],
  { description: 'download: GET/HEAD of the object; upload: PUT of the object', examples: ['download'] },
);

export const LinkParams = Type.Object({ id: LinkId });

export const CreateLinkBody = Type.Object(
  {
    bucket: BucketName,
    key: Type.String({ minLength: 1, description: 'Object key (need not exist yet)', examples: ['photos/cat.png'] }),
    kind: LinkKind,
    expiresIn: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_EXPIRES_IN_SECONDS, description: 'Seconds from now' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'A moment in the future (or give expiresIn; neither: never expires)' })),
    maxUses: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_LINK_USES, description: 'Downloads or uploads allowed; default: unlimited downloads, one upload' }),
    ),
  },
  { additionalProperties: false },
);

const linkProperties = {
  id: LinkId,
  bucket: Type.String(),
  key: Type.String(),
  kind: LinkKind,
  state: Type.Union(
    [Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired'), Type.Literal('used-up')],
    { description: 'What a use would get now' },
  ),
  createdAt: IsoDate,
  createdBy: orNull(Type.String(), 'The access key that created it (null without keys)'),
  expiresAt: orNull(IsoDate, 'null: never expires'),
  maxUses: orNull(Type.Integer({ minimum: 1 }), 'null: unlimited'),
  uses: Type.Integer({ minimum: 0, description: 'Uses so far (counted for links with maxUses)' }),
  revokedAt: orNull(IsoDate, 'null: not revoked'),
};

export const LinkInfo = Type.Object(linkProperties, { description: 'A share link (without its token)' });

export const CreatedLink = Type.Object(
  {
    ...linkProperties,
    token: Type.String({ description: 'The credential; shown only in this answer' }),
    url: Type.String({ description: 'The link to hand out: <base>/s/<token>' }),
  },
  { description: 'The new share link, with its token' },
);

export const ListLinksQuery = Type.Object({
  bucket: Type.Optional(BucketName),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_LINK_PAGE })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: '`nextCursor` of the previous page' })),
});

export const LinkList = Type.Object(
  {
    links: Type.Array(LinkInfo),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page; only when there is one' })),
  },
  { description: 'One page of share links' },
);
