/**
 * Reading a JSON settings file (the config file, the keys file) with errors that never quote it: V8's
 * JSON errors may show a piece of the text, and these files hold secrets that must not reach a log.
 */
import { readFileSync } from 'node:fs';

/** The parsed file; throws an Error that names what is wrong, and where, but not the content. */
export function readJsonFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const position = /at position (\d+)/.exec((err as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new Error(`not valid JSON${line === undefined ? '' : ` (line ${line})`}`, { cause: err });
  }
}
