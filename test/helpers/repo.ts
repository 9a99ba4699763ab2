/** The repository the tests run from (its sources, not the build), for tests that read the tree itself. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (the tests run from dist/test/<area>/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every file below `dir` (repository-relative, "src") whose name matches `name`, as repository-relative paths. */
export function repoFiles(dir: string, name: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return repoFiles(path, name);
    return name.test(entry.name) ? [path] : [];
  });
}
