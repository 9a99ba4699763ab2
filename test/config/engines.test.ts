/**
 * The Node versions package.json claims are ones every installed package supports, and include the lines
 * CI tests (20 and the current LTS, 24): a dependency that moves to a newer Node fails here, not at a user's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { ROOT } from '../helpers/repo.js';
import { describe, it } from '../helpers/suites.js';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

const ours = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

describe('supported Node versions', () => {
  it('include the tested lines and the one running the tests', () => {
    for (const version of ['20.19.0', '24.0.0', process.versions.node]) {
      assert.ok(semver.satisfies(version, ours), `${version} is within engines.node (${ours})`);
    }
  });

  it('are supported by every installed package', () => {
    const narrower: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      checked++;
      if (!semver.subset(ours, range)) narrower.push(`${path}@${entry.version ?? '?'} wants node ${range}`);
    }
    assert.ok(checked > 50, `engines read from the lock file (${checked})`);
    assert.deepEqual(narrower, [], `engines.node is ${ours}`);
  });
});
