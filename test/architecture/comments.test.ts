/**
 * Comments explain the code where it stands: none points at a design document kept outside the repository
 * or at an issue number, which a reader of the repository cannot follow.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoFiles, ROOT } from '../helpers/repo.js';
import { describe, it } from '../helpers/suites.js';

const THIS_FILE = 'test/architecture/comments.test.ts';
const OUTSIDE = /\bDESIGN\.md\b|\bissue #?\d+\b|\(#\d+\)/i;

describe('comments', () => {
  it('never cite a document outside the repository or an issue number', () => {
    const all = ['src', 'test', 'bench', 'scripts', '.ci'].flatMap((dir) => repoFiles(dir, /\.(ts|tsx|sh|mjs)$/)).filter((file) => file !== THIS_FILE);
    assert.ok(all.length > 150, `files read (${all.length})`);
    const citing = all.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(citing, []);
  });
});
