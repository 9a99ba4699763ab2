/** Share-link settings (src/links/): where their state lives on the s3 store, and the base of the URLs handed out. */
import { z } from 'zod';
import { bucketNameProblem } from '../storage/names.js';

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
      }),
    /** Base URL of the links handed out (https://files.example.com); default: the origin the request came to. */
    publicUrl: z.url().optional(),
  })
  .strict();
