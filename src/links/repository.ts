/**
 * Link records in the system bucket:
 *
 *   share-links/links/<id>.json          the record (record.ts)
 *   share-links/by-bucket/<bucket>/<id>  an empty marker, so a bucket's links list without reading all others
 *
 * The marker is written before the record: a crash between leaves a marker without a record, which listings
 * skip, never a link that its bucket's listing misses. Every change to a record is a compare-and-swap on its
 * ETag, retried with a growing random pause when another request or instance changed it first.
 *
 * Removal (the sweep, sweep.ts) goes the other way, marker first: a crash between leaves a record without
 * its marker, which the next sweep finds and removes, never a marker that nothing would ever remove.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isServiceError, ServiceError } from '../errors/codes.js';
import { type LinkRecord, LinkRecordSchema, newRevision } from './record.js';
import type { SystemArea } from './system-area.js';

const RECORDS = 'share-links/links/';
const BY_BUCKET = 'share-links/by-bucket/';
const RECORD_SUFFIX = '.json';

/** Compare-and-swap attempts before giving up with 503 (each one lost means another change landed). */
const MAX_ATTEMPTS = 40;
const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 200;

const recordKey = (id: string) => `${RECORDS}${id}${RECORD_SUFFIX}`;
const markerPrefix = (bucket: string) => `${BY_BUCKET}${bucket}/`;

/** A record with the store's time of its last write. */
export interface StoredLink {
  link: LinkRecord;
  lastModified: Date;
}

export class LinkRepository {
  constructor(private readonly area: SystemArea) {}

  async create(link: LinkRecord): Promise<void> {
    await this.area.write(`${markerPrefix(link.bucket)}${link.id}`, {}, { ifNoneMatch: '*' });
    await this.area.write(recordKey(link.id), link, { ifNoneMatch: '*' });
  }

  async get(id: string): Promise<LinkRecord | undefined> {
    return (await this.read(id))?.link;
  }

  async getStored(id: string): Promise<StoredLink | undefined> {
    return this.read(id);
  }

  /** Deletes the link's marker and record; whether the record was still there (another sweep may be first). */
  async remove(link: LinkRecord): Promise<boolean> {
    await this.area.delete(`${markerPrefix(link.bucket)}${link.id}`);
    return this.area.delete(recordKey(link.id));
  }

  /**
   * Applies `change` to the current record until the write lands on the version it read; `change` may throw
   * (the change is refused) and is called again on each attempt, with the record as it is then.
   */
  async update(id: string, change: (link: LinkRecord) => LinkRecord): Promise<LinkRecord> {
    let pause = FIRST_PAUSE_MS;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.read(id);
      if (!current) throw new ServiceError('NotFound', `There is no share link with the id ${id}.`);
      const next = { ...change(current.link), rev: newRevision() };
      try {
        await this.area.write(recordKey(id), next, { ifMatch: current.etag });
        return next;
      } catch (err) {
        if (!(isServiceError(err) && err.code === 'PreconditionFailed')) throw err;
      }
      await sleep(Math.random() * pause); // full jitter: contenders spread out instead of colliding again
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
    throw new ServiceError('ServiceUnavailable', `The share link ${id} is changing too often to update; try again.`);
  }

  /** Link ids of one bucket, or of all buckets, a page at a time. */
  async listIds(bucket: string | undefined, limit: number, cursor?: string): Promise<{ ids: string[]; nextCursor?: string | undefined }> {
    const prefix = bucket === undefined ? RECORDS : markerPrefix(bucket);
    const page = await this.area.list(prefix, limit, cursor);
    const ids = page.keys.map((key) => key.slice(prefix.length)).map((name) => (bucket === undefined ? name.slice(0, -RECORD_SUFFIX.length) : name));
    return { ids, nextCursor: page.nextCursor };
  }

  private async read(id: string): Promise<(StoredLink & { etag: string }) | undefined> {
    const found = await this.area.read(recordKey(id));
    if (!found) return undefined;
    const parsed = LinkRecordSchema.safeParse(found.value);
    if (!parsed.success) throw new ServiceError('InternalError', `The record of the share link ${id} is damaged.`);
    return { link: parsed.data, etag: found.etag, lastModified: found.lastModified };
  }
}
