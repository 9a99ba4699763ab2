/**
 * `s3gate serve --help` lists every S3GATE_* setting the loader reads, with its meaning and its real
 * default; boolean flags take no value; --print-config shows what the sources make; a misspelt variable
 * is named with the closest real one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { settingDocs } from '../../src/config/docs.js';
import { ENV_SETTINGS, unknownEnvironmentSettings } from '../../src/config/load.js';
import { MAIN, cleanEnv } from '../helpers/child-server.js';
import { describe, it } from '../helpers/suites.js';

const run = async (args: string[], env: Record<string, string> = {}) =>
  (await promisify(execFile)(process.execPath, [MAIN, ...args], { env: cleanEnv(env) })).stdout;

describe('serve --help and the settings table', () => {
  it('lists every variable the loader reads, each with a meaning and the schema default', async () => {
    const help = await run(['--help']);
    for (const name of Object.keys(ENV_SETTINGS)) assert.match(help, new RegExp(`^  ${name} +\\S`, 'm'), `${name} is listed with a meaning`);
    for (const doc of settingDocs()) assert.ok(doc.help && doc.help.length > 5, `${doc.env} has no description`);
    assert.match(help, /^ {2}S3GATE_PORT +port to listen on \(default 9090\)$/m);
    assert.match(help, /^ {2}S3GATE_MAX_OBJECT_SIZE +.*\(default 5GiB\)$/m);
    assert.match(help, /^ {2}S3GATE_RATE_LIMIT_PER_ADDRESS +.*\(default 6000\)$/m);
    const unwrapped = help.replace(/\s+/g, ' '); // the flags' texts wrap at the terminal's width
    assert.match(unwrapped, /--s3-force-path-style [^-]+\(S3GATE_S3_FORCE_PATH_STYLE, default false\)/);
  });

  it('takes boolean flags bare, with --no- forms that win over the environment', async () => {
    const config = async (args: string[], env: Record<string, string> = {}) =>
      JSON.parse(await run(['--print-config', ...args], env)) as { s3: { forcePathStyle: boolean }; port: number; auth: unknown };
    assert.equal((await config([])).s3.forcePathStyle, false);
    assert.equal((await config(['--s3-force-path-style'])).s3.forcePathStyle, true);
    assert.equal((await config(['--no-s3-force-path-style'], { S3GATE_S3_FORCE_PATH_STYLE: 'true' })).s3.forcePathStyle, false);
    assert.equal((await config(['--port', '9191'])).port, 9191, 'a valued flag next to it still takes its value');
  });

  it('prints the configuration without secrets, and does not start', async () => {
    const out = await run(['--print-config'], { S3GATE_S3_SECRET_ACCESS_KEY: 'very-secret-value', S3GATE_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' });
    assert.doesNotMatch(out, /very-secret-value/);
    assert.match(out, /"secretAccessKey": "\[redacted\]"/);
    assert.doesNotMatch(out, /listening/);
  });

  it('names the closest setting for a misspelt variable, and leaves the client and test variables alone', () => {
    const warnings = unknownEnvironmentSettings({
      S3GATE_PROT: '1',
      S3GATE_DATADIR: './x',
      S3GATE_S3_FORCE_PATHSTYLE: 'true',
      S3GATE_SOMETHING_ELSE_ENTIRELY: '1',
      S3GATE_ENDPOINT: 'http://127.0.0.1:9090',
      S3GATE_TOKEN: 'a.b',
      S3GATE_CONFIG: 'c.json',
      S3GATE_TEST_S3_ENDPOINT: 'http://127.0.0.1:19010',
      S3GATE_PORT: '9090',
      HOME: '/root',
    });
    assert.deepEqual(warnings, [
      'S3GATE_DATADIR is not a setting (ignored); did you mean S3GATE_DATA_DIR?',
      'S3GATE_PROT is not a setting (ignored); did you mean S3GATE_PORT?',
      'S3GATE_S3_FORCE_PATHSTYLE is not a setting (ignored); did you mean S3GATE_S3_FORCE_PATH_STYLE?',
      'S3GATE_SOMETHING_ELSE_ENTIRELY is not a setting (ignored)',
    ]);
  });
});
