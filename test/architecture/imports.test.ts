/**
 * The import rule: arrows point down. Faces (the tutorial API, v1, share links, health) translate HTTP to
 * calls below them and never import one another; only the app that puts them together imports them;
 * storage/ sees only itself and errors/, config/ only itself, errors/ and storage/ (for the stores'
 * defaults), errors/ nothing; and no face reaches around the core: the services the core builds once
 * (stores, share links and their sweep, keys, metrics) are only types to a face, never constructed there.
 * Read from the sources, so a new import that breaks the rule fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoFiles, ROOT } from '../helpers/repo.js';
import { describe, it } from '../helpers/suites.js';

const IMPORT = /(?:^|\n)\s*(import type|import|export)\s(?:[^'";]*?\sfrom\s)?'([^']+)'|import\('([^']+)'\)/g;

interface Import {
  /** Repository-relative .ts path. */
  target: string;
  /** `import type`: erased at build, no code of the target runs. */
  typeOnly: boolean;
}

/** The project files `file` imports (static, re-exports and dynamic). */
function importListOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const target = match[2] ?? match[3];
    if (!target?.startsWith('.')) continue; // packages and node: builtins
    found.push({ target: relative(ROOT, resolve(ROOT, dirname(file), target)).replace(/\.js$/, '.ts'), typeOnly: match[1] === 'import type' });
  }
  return found;
}

const importsOf = (file: string): string[] => importListOf(file).map((i) => i.target);

/** Modules of what the core builds once: a face sees their types, never their code. */
const CORE_BUILT = [
  /^src\/core\//,
  /^src\/storage\/(fs|s3)\//,
  /^src\/links\/(service|sweep|repository|system-area|hidden-store)\.ts$/,
  /^src\/auth\/(keys|reload)\.ts$/,
  /^src\/metrics\/registry\.ts$/,
];

/** Why a face's import reaches around the core, or undefined. */
function aroundTheCore(file: string, { target, typeOnly }: Import): string | undefined {
  if (faceOf(file) === undefined || typeOnly) return undefined;
  return CORE_BUILT.some((pattern) => pattern.test(target)) ? 'a face uses what the core builds, not its own copy' : undefined;
}

/** The face a file belongs to, or undefined. */
function faceOf(file: string): string | undefined {
  return /^src\/http\/routes\/([^/.]+)(?:\.ts$|\/)/.exec(file)?.[1];
}

/** The apps that put faces together, one per kind of listener. */
const APPS = ['src/app.ts', 'src/s3-app.ts'];

const under = (file: string, ...dirs: string[]) => dirs.some((dir) => file.startsWith(`src/${dir}/`));

/** What `file` may not import, in words, or undefined when the import is allowed. */
function broken(file: string, target: string): string | undefined {
  const from = faceOf(file);
  const to = faceOf(target);
  if (to !== undefined && from !== undefined && from !== to) return `the ${from} face imports the ${to} face`;
  if (to !== undefined && from === undefined && !APPS.includes(file)) return 'only the apps put the faces together';
  if (under(file, 'errors') && !under(target, 'errors')) return 'errors/ imports only itself';
  if (under(file, 'storage') && !under(target, 'storage', 'errors')) return 'storage/ imports only itself and errors/';
  if (under(file, 'config') && !under(target, 'config', 'errors', 'storage')) return 'config/ imports only itself, errors/ and storage/';
  return undefined;
}

describe('the import rule', () => {
  const files = repoFiles('src', /\.ts$/);

  it('reads the whole source tree and resolves every import to a file of it', () => {
    assert.ok(files.length > 100, `source files found (${files.length})`);
    const known = new Set(files);
    const unresolved = files.flatMap((file) => importsOf(file).filter((t) => !known.has(t)).map((t) => `${file} → ${t}`));
    assert.deepEqual(unresolved, []);
    assert.ok(files.some((file) => importsOf(file).includes('src/http/routes/v1/index.ts')), 'the app imports v1 (the parser sees imports)');
  });

  it('keeps every arrow pointing down', () => {
    const breaks = files.flatMap((file) =>
      importsOf(file).flatMap((target) => {
        const why = broken(file, target);
        return why ? [`${file} → ${target}: ${why}`] : [];
      }),
    );
    assert.deepEqual(breaks, []);
  });

  it('keeps every face from building what the core builds', () => {
    const breaks = files.flatMap((file) =>
      importListOf(file).flatMap((found) => {
        const why = aroundTheCore(file, found);
        return why ? [`${file} → ${found.target}: ${why}`] : [];
      }),
    );
    assert.deepEqual(breaks, []);
    assert.match(aroundTheCore('src/http/routes/share.ts', { target: 'src/links/service.ts', typeOnly: false }) ?? '', /core/);
    assert.equal(aroundTheCore('src/http/routes/share.ts', { target: 'src/links/service.ts', typeOnly: true }), undefined);
    assert.match(aroundTheCore('src/http/routes/v1/links.ts', { target: 'src/storage/fs/index.ts', typeOnly: false }) ?? '', /core/);
    assert.equal(aroundTheCore('src/core/core.ts', { target: 'src/links/service.ts', typeOnly: false }), undefined);
  });

  it('tells a broken rule apart from a kept one', () => {
    assert.match(broken('src/http/routes/share.ts', 'src/http/routes/v1/objects-read.ts') ?? '', /share face imports the v1 face/);
    assert.match(broken('src/config/auth.ts', 'src/auth/keys.ts') ?? '', /config/);
    assert.match(broken('src/storage/fs/store.ts', 'src/http/body.ts') ?? '', /storage/);
    assert.equal(broken('src/http/routes/v1/links.ts', 'src/http/routes/v1/schemas.ts'), undefined);
    assert.equal(broken('src/http/routes/share.ts', 'src/http/objects/send.ts'), undefined);
  });
});
