/**
 * Share links: a download link or an upload link to one object, with an optional expiry
 * and an optional use limit, revocable and listable. All state is in the store (repository.ts, secret.ts),
 * none in the process, so links survive restarts and work the same on every instance over one S3 backend.
 *
 * Uses: a use is reserved (counted) before it happens and given back when an upload fails, so a link with
 * N uses never serves more than N, even to concurrent requests on several instances, as far as the store's
 * compare-and-swap holds (system-area.ts). Permissions are the HTTP layer's business (who may create,
 * list or revoke); this decides only what a token allows.
 */
import { assertBucketName, assertObjectKey } from '../storage/names.js';
import { type LinkKind, type LinkRecord, newRevision, refusalOf } from './record.js';
import { LinkRepository } from './repository.js';
import { denied, noSuchLink } from './refusals.js';
import { LinkSecret } from './secret.js';
import type { SystemArea } from './system-area.js';
import { idOfToken, isLinkId, newLinkId, tokenFor, tokenIsGenuine } from './tokens.js';

export interface NewLink {
  bucket: string;
  key: string;
  kind: LinkKind;
  expiresAt: Date | null;
  maxUses: number | null;
  createdBy: string | null;
}

/** How many records a listing reads from the store at once. */
const LIST_READS = 16;


export class LinkService {
  private readonly links: LinkRepository;
  private readonly secret: LinkSecret;

  constructor(
    area: SystemArea,
    private readonly now: () => number = Date.now,
  ) {
    this.links = new LinkRepository(area);
    this.secret = new LinkSecret(area);
  }

  /** The new link and its token: the only time the token is handed out. */
  async create(spec: NewLink): Promise<{ link: LinkRecord; token: string }> {
    assertBucketName(spec.bucket);
    assertObjectKey(spec.key);
    const secret = await this.secret.getOrCreate();
    const link: LinkRecord = {
      v: 1,
      id: newLinkId(),
      bucket: spec.bucket,
      key: spec.key,
      kind: spec.kind,
      createdAt: new Date(this.now()).toISOString(),
      createdBy: spec.createdBy,
      expiresAt: spec.expiresAt?.toISOString() ?? null,
      maxUses: spec.maxUses,
      uses: 0,
      revokedAt: null,
      rev: newRevision(),
    };
    await this.links.create(link);
    return { link, token: tokenFor(secret, link.id) };
  }

  async get(id: string): Promise<LinkRecord> {
    const link = isLinkId(id) ? await this.links.get(id) : undefined;
    if (!link) throw noSuchLink(id);
    return link;
  }

  /** One page of links, of a bucket or of all; records gone missing (a half-made link) are skipped. */
  async list(bucket: string | undefined, limit: number, cursor?: string): Promise<{ links: LinkRecord[]; nextCursor?: string | undefined }> {
    if (bucket !== undefined) assertBucketName(bucket);
    const page = await this.links.listIds(bucket, limit, cursor);
    const links: LinkRecord[] = [];
    for (let i = 0; i < page.ids.length; i += LIST_READS) {
      const batch = await Promise.all(page.ids.slice(i, i + LIST_READS).map((id) => this.links.get(id)));
      for (const link of batch) if (link) links.push(link);
    }
    return { links, nextCursor: page.nextCursor };
  }

  /** Revokes at once, on every instance: each use reads the record. Revoking twice is not an error. */
  async revoke(id: string): Promise<LinkRecord> {
    if (!isLinkId(id)) throw noSuchLink(id);
    return this.links.update(id, (link) => (link.revokedAt === null ? { ...link, revokedAt: new Date(this.now()).toISOString() } : link));
  }

  /** The link a token grants for `kind`, or AccessDenied saying why not. Nothing is counted yet. */
  async resolve(token: string, kind: LinkKind): Promise<LinkRecord> {
    const link = await this.genuineLink(token);
    if (!link) throw denied('not a valid link');
    const refusal = refusalOf(link, this.now());
    if (refusal) throw denied(refusal);
    if (link.kind !== kind) throw denied(`link is for ${link.kind}s only`);
    return link;
  }

  /** The record a token names, when its MAC is right and the record exists. */
  private async genuineLink(token: string): Promise<LinkRecord | undefined> {
    const id = idOfToken(token);
    if (id === undefined) return undefined;
    const secret = await this.secret.get();
    if (!secret || !tokenIsGenuine(secret, token)) return undefined;
    return this.links.get(id);
  }

  /** Counts one use; AccessDenied when the link was used up, revoked or expired since it was resolved. */
  async reserveUse(link: LinkRecord): Promise<void> {
    if (link.maxUses === null) return;
    await this.links.update(link.id, (current) => {
      const refusal = refusalOf(current, this.now());
      if (refusal) throw denied(refusal);
      return { ...current, uses: current.uses + 1 };
    });
  }

  /** Gives back a use reserved for something that did not happen (a failed upload). */
  async releaseUse(link: LinkRecord): Promise<void> {
    if (link.maxUses === null) return;
    await this.links.update(link.id, (current) => ({ ...current, uses: Math.max(0, current.uses - 1) }));
  }
}
