/**
 * Share-link settings (src/links/): where their state lives on the s3 store, the base of the URLs handed
 * out, and the sweep that removes ended links' records (src/links/sweep.ts).
 */
import { z } from 'zod';
import { bucketNameProblem } from '../storage/names.js';
import { int } from './fields.js';

const DAY_MS = 86_400_000;

export const DEFAULT_SYSTEM_BUCKET = 's3gate-system';

export const linksSchema = z
  .object({
    /** s3 store only: the bucket that holds the links and their signing secret (created on first use). */
    systemBucket: z
      .string()
      .default(DEFAULT_SYSTEM_BUCKET)
      .superRefine((name, ctx) => {
        const problem = bucketNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: `not a bucket name: it ${problem}` });
      })
      .describe('s3 store: the bucket that holds the share links (created with the first link)'),
    /** Base URL of the links handed out (https://files.example.com); default: the origin the request came to. */
    publicUrl: z.url().optional().describe('base URL of the share links handed out (default: the origin of the request)'),
    /** How often ended links are swept from the store (the first sweep at start); 0 = never. */
    sweepIntervalMs: int(0, 7 * DAY_MS).default(3_600_000).describe('how often ended share links are swept (ms); 0 = never'),
    /**
     * How long an ended link (expired, revoked, used up) is kept before a sweep removes it: meanwhile a use
     * is told why it ended and listings show it; afterwards its token is "not a valid link" and its id 404.
     */
    keepEndedMs: int(0, 365 * DAY_MS).default(DAY_MS).describe('how long an ended share link is kept before the sweep removes it (ms)'),
  })
  .strict();
