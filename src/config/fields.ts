/**
 * Field types shared by the configuration schemas. Values from the environment and flags arrive as
 * strings; these coerce them.
 */
import { z } from 'zod';
import { parseSize } from './sizes.js';

/** A byte size: a number, or a string with a unit ("5GiB", "16KiB", "1048576"). */
export const size = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : parseSize(value);
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes < 0) {
    ctx.addIssue({ code: 'custom', message: `not a byte size: "${String(value)}" (try 5GiB or 1048576)` });
    return z.NEVER;
  }
  return bytes;
});

export const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A list: a JSON array in a config file, or comma-separated text from the environment ("a, b"). */
export const list = z.union([
  z.array(z.string()),
  z.string().transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item !== '')),
]);
