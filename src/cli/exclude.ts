/**
 * `--exclude <glob>` patterns (picomatch syntax: `*`, `**`, `?`, `[abc]`, `{a,b}`), matched against a path
 * relative to the synced folder or prefix, `/`-separated, dot files included:
 * - a pattern without `/` matches a name at any depth: `*.tmp`, `.DS_Store`, `node_modules`;
 * - a pattern with `/` matches the path from the top: `cache/**`, `logs/*.log`; a leading `/` anchors a
 *   name to the top (`/build`); a trailing `/` is dropped.
 * A path is excluded when it or any folder above it matches: `node_modules` excludes everything below
 * every node_modules folder.
 */
import picomatch from 'picomatch';
import { UsageError } from './errors.js';

export type Excluded = (relative: string) => boolean;

const never: Excluded = () => false;

function matcher(patterns: string[]): Excluded {
  return patterns.length === 0 ? never : picomatch(patterns, { dot: true });
}

export function excluder(patterns: readonly string[]): Excluded {
  if (patterns.length === 0) return never;
  const names: string[] = [];
  const paths: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.replace(/\/+$/, '');
    if (pattern === '' || pattern === '/') throw new UsageError(`--exclude: an empty pattern ("${raw}") would exclude nothing or everything`);
    if (pattern.includes('/')) paths.push(pattern.replace(/^\/+/, ''));
    else names.push(pattern);
  }
  const byName = matcher(names);
  const byPath = matcher(paths);
  return (relative) => {
    // the path itself, then each folder above it: a/b/c.txt, a/b, a
    for (let end = relative.length; end > 0; end = relative.lastIndexOf('/', end - 1)) {
      const path = relative.slice(0, end);
      if (byPath(path) || byName(path.slice(path.lastIndexOf('/') + 1))) return true;
    }
    return false;
  };
}
