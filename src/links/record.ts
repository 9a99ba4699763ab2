/**
 * A share link as stored (one JSON document per link, see repository.ts), and what it allows right now.
 * Dates are ISO-8601 strings; `null` means "none" (no expiry, no use limit, not revoked).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const LINK_KINDS = ['download', 'upload'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const LinkRecordSchema = z.object({
  v: z.literal(1),
  id: z.string(),
  bucket: z.string(),
  key: z.string(),
  kind: z.enum(LINK_KINDS),
  createdAt: z.string(),
  /** The access key that created it; null when the service has no keys. */
  createdBy: z.string().nullable(),
  expiresAt: z.string().nullable(),
  maxUses: z.number().int().positive().nullable(),
  /** Counted only when maxUses is set: a use is a write to the store, not worth paying for unlimited links. */
  uses: z.number().int().nonnegative(),
  revokedAt: z.string().nullable(),
  /** Random for every write: each version gets its own ETag, which compare-and-swap relies on. */
  rev: z.string(),
});

export type LinkRecord = z.infer<typeof LinkRecordSchema>;

export type LinkState = 'active' | 'revoked' | 'expired' | 'used-up';

export function newRevision(): string {
  return randomBytes(8).toString('hex');
}

export function stateOf(link: LinkRecord, now: number): LinkState {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt !== null && now >= Date.parse(link.expiresAt)) return 'expired';
  if (link.maxUses !== null && link.uses >= link.maxUses) return 'used-up';
  return 'active';
}

/**
 * When the link stopped working for good (ms since the epoch), or undefined while it works or may work
 * again. Revocation and expiry are final. Used up is not quite: a failed upload gives its use back
 * (service.ts), so it counts from `lastWritten`, the store's time of the record's last change (the use
 * that spent it), and only a record left alone that long is taken as ended.
 */
export function endedAt(link: LinkRecord, lastWritten: number, now: number): number | undefined {
  const ends: number[] = [];
  if (link.revokedAt !== null) ends.push(Date.parse(link.revokedAt));
  if (link.expiresAt !== null && now >= Date.parse(link.expiresAt)) ends.push(Date.parse(link.expiresAt));
  if (link.maxUses !== null && link.uses >= link.maxUses) ends.push(lastWritten);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}

/** Why the link cannot be used now, in the words its 403 answer gives; undefined when it can. */
export function refusalOf(link: LinkRecord, now: number): string | undefined {
  switch (stateOf(link, now)) {
    case 'active':
      return undefined;
    case 'revoked':
      return 'link revoked';
    case 'expired':
      return `link expired at ${link.expiresAt ?? ''}`;
    case 'used-up':
      return `link used up (${link.maxUses ?? 0} of ${link.maxUses ?? 0} uses)`;
  }
}
