/**
 * Dates from request bodies (RFC 3339 date-time, the JSON schemas' "date-time" format). The schema's check
 * lets through what JavaScript's Date cannot hold (a leap second, 23:59:60) or silently moves (February 30 →
 * March 2), so every date the code uses passes here too: a refusal is a 400, never a RangeError (a 500).
 */
import { ServiceError } from '../errors/codes.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Why `text` is not a date-time the service can use, or undefined when it is one. */
function problemOf(text: string): string | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return 'is not an RFC 3339 date-time such as 2026-12-31T23:59:59Z';
  const [year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((n) => Number(n ?? 0));
  if (second === 60) return 'is a leap second, which the service cannot place in time: use :59 or the next minute';
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== (month ?? 1) - 1 || calendar.getUTCDate() !== day) {
    return 'names a day that does not exist';
  }
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return 'names a time of day that does not exist';
  }
  return Number.isNaN(Date.parse(text)) ? 'is not a date-time the service can read' : undefined;
}

/** The instant `text` names; InvalidArgument naming `field` when it is not one the service can use. */
export function checkedDateTime(field: string, text: string): Date {
  const problem = problemOf(text);
  if (problem !== undefined) throw new ServiceError('InvalidArgument', `${field} ${JSON.stringify(text)} ${problem}.`);
  return new Date(text);
}
