/**
 * Content-Disposition for `?download` (RFC 6266 with RFC 8187/5987 parameters): a plain ASCII
 * `filename` for old clients, and `filename*` carrying the exact UTF-8 name for the rest.
 */

/** RFC 8187 attr-char: the bytes that may appear unencoded in an ext-value. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

function extValue(name: string): string {
  let out = "UTF-8''";
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The quoted-string fallback: printable ASCII only, and none of `"` and `\` (which would need escapes
 * that clients handle unevenly) nor `%` (which some browsers decode).
 */
function asciiFallback(name: string): string {
  const plain = [...name].map((c) => (/^[\x20-\x7e]$/.test(c) && !/["\\%]/.test(c) ? c : '_')).join('');
  return plain.trim() === '' ? 'download' : plain;
}

/** The file name to offer: the one asked for, else the last non-empty segment of the key. */
export function downloadName(key: string, asked: string | undefined): string {
  if (asked) return asked.toWellFormed();
  const segments = key.split('/').filter((s) => s !== '');
  return segments.at(-1) ?? 'download';
}

export function attachment(filename: string): string {
  return `attachment; filename="${asciiFallback(filename)}"; filename*=${extValue(filename)}`;
}
