/**
 * The key that signs share-link tokens: 256 random bits in the system bucket, created by whichever instance
 * first creates a link (a create-only write, so two instances racing agree on the one that landed), then
 * read and cached by every instance. Using a link never creates it: without it no link can exist.
 *
 * Deleting the document (with the service stopped) invalidates every link ever issued; a new key is made
 * with the next link.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isServiceError, ServiceError } from '../errors/codes.js';
import type { SystemArea } from './system-area.js';

export const SECRET_KEY = 'share-links/secret.json';

const SecretDocument = z.object({ v: z.literal(1), key: z.string().regex(/^[0-9a-f]{64}$/), createdAt: z.string() });

export class LinkSecret {
  private cached: Buffer | undefined;

  constructor(private readonly area: SystemArea) {}

  /** The key, or undefined when no link was ever created. */
  async get(): Promise<Buffer | undefined> {
    if (this.cached) return this.cached;
    const found = await this.area.read(SECRET_KEY);
    if (found === undefined) return undefined;
    const parsed = SecretDocument.safeParse(found.value);
    if (!parsed.success) throw new ServiceError('InternalError', `The share-link secret (${SECRET_KEY}) is damaged.`);
    this.cached = Buffer.from(parsed.data.key, 'hex');
    return this.cached;
  }

  /** The key, created when there is none yet. */
  async getOrCreate(): Promise<Buffer> {
    const existing = await this.get();
    if (existing) return existing;
    const document = { v: 1, key: randomBytes(32).toString('hex'), createdAt: new Date().toISOString() };
    try {
      await this.area.write(SECRET_KEY, document, { ifNoneMatch: '*' });
    } catch (err) {
      if (!(isServiceError(err) && err.code === 'PreconditionFailed')) throw err;
      // another instance (or request) created it first: use theirs
    }
    const stored = await this.get();
    if (!stored) throw new ServiceError('ServiceUnavailable', 'The share-link secret could not be stored; try again.');
    return stored;
  }
}
