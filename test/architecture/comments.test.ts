/**
 * Comments explain the code where it stands: none points at a design document kept outside the repository
 * or at an issue number, which a reader of the repository cannot follow.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from '../helpers/suites.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const THIS_FILE = 'test/architecture/comments.test.ts';
const OUTSIDE = /\bDESIGN\.md\b|\bissue #?\d+\b|\(#\d+\)/i;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return files(path);
    return /\.(ts|tsx|sh|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('comments', () => {
  it('never cite a document outside the repository or an issue number', () => {
    const all = ['src', 'test', 'bench', 'scripts', '.ci'].flatMap(files).filter((file) => file !== THIS_FILE);
    assert.ok(all.length > 150, `files read (${all.length})`);
    const citing = all.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${relative('.', file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(citing, []);
  });
});
