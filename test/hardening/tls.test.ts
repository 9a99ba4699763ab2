/**
 * HTTPS on the main listener: a bad pair stops the start with the reason, a round trip over TLS, and
 * SIGHUP swapping in a new certificate (a bad one is refused) while open connections carry on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from '../helpers/suites.js';
import { Agent, request } from 'undici';
import { loadTlsPair } from '../../src/http/tls.js';
import { MAIN, cleanEnv, spawnServer, untilOutput } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { fsServers, makeCertificate, type Certificate } from './support.js';

/** The fingerprint of the certificate a new TLS connection to `url` is given (verified against `ca`). */
function peerFingerprint(url: string, ca: Buffer[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** One HTTP/1.1 request on an open TLS connection (kept alive); resolves with the status line. */
function askOn(socket: tls.TLSSocket, path: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString('latin1').split('\r\n')[0] ?? ''));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

describe('TLS', () => {
  let dir: string;
  let first: Certificate;
  let second: Certificate;

  before(async () => {
    dir = await tempDir('tls');
    first = makeCertificate(dir, 'first');
    second = makeCertificate(dir, 'second');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks the pair before serving: readable, a certificate, a key that belongs to it', async () => {
    const missing = join(dir, 'missing.crt');
    assert.throws(() => loadTlsPair({ certFile: missing, keyFile: first.keyFile }), (err: Error) => {
      assert.ok(err.message.includes(missing) && /cannot read the certificate file.*ENOENT/.test(err.message), err.message);
      return true;
    });
    const junk = join(dir, 'junk.crt');
    await writeFile(junk, 'not a certificate\n');
    assert.throws(() => loadTlsPair({ certFile: junk, keyFile: first.keyFile }), /holds no PEM certificate/);
    assert.throws(() => loadTlsPair({ certFile: first.certFile, keyFile: second.keyFile }), /the key does not belong to the certificate/);
    assert.throws(() => loadTlsPair({ certFile: first.certFile, keyFile: first.certFile }), /not a usable private key/);
    const pair = loadTlsPair(first);
    assert.match(pair.summary.subject, /CN=first/);
    assert.ok(Date.parse(pair.summary.validTo) > Date.now());
  });

  it('serves both faces over HTTPS (round trip), and only HTTPS', async () => {
    const fx = fsServers();
    await fx.open();
    const server = await fx.serve({ tls: { certFile: first.certFile, keyFile: first.keyFile } });
    const url = server.url.replace('http:', 'https:');
    const dispatcher = new Agent({ connect: { ca: first.cert } });
    try {
      const created = await request(`${url}/v1/buckets/secure`, { method: 'PUT', dispatcher });
      assert.equal(created.statusCode, 201, await created.body.text());
      const body = Buffer.from('over TLS, both ways');
      const put = await request(`${url}/amazons3/imageStore/secure/a.txt`, { method: 'POST', body, dispatcher });
      assert.equal(put.statusCode, 200, await put.body.text());
      const got = await request(`${url}/v1/buckets/secure/objects/a.txt`, { dispatcher });
      assert.deepEqual(Buffer.from(await got.body.arrayBuffer()), body);
      assert.equal(await peerFingerprint(url, [first.cert]), loadTlsPair(first).summary.fingerprint256);
      await assert.rejects(request(`${server.url}/healthz`), 'plain HTTP is not served on the TLS port');
    } finally {
      await dispatcher.close();
      await fx.close();
    }
  });

  it('refuses to start with a key that does not match, saying why', async () => {
    const proc = spawn(process.execPath, [MAIN], {
      env: cleanEnv({ S3GATE_PORT: '0', S3GATE_DATA_DIR: join(dir, 'data-bad'), S3GATE_TLS_CERT_FILE: first.certFile, S3GATE_TLS_KEY_FILE: second.keyFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    assert.equal(await new Promise((resolve) => proc.on('exit', resolve)), 1);
    assert.match(stderr, /failed to start: TLS: .*the key does not belong to the certificate/);
  });

  it('keeps serving plain HTTP on SIGHUP when no certificate is configured', async () => {
    const server = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'data-plain') });
    try {
      const mark = server.output().length;
      server.proc.kill('SIGHUP');
      await untilOutput(server, /nothing to reload/, mark);
      const res = await request(`${server.url}/healthz`);
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
    }
  });

  it('takes the certificate and key from --tls-cert-file and --tls-key-file too', async () => {
    const server = await spawnServer(
      { S3GATE_DATA_DIR: join(dir, 'data-flags') },
      { args: ['--tls-cert-file', first.certFile, '--tls-key-file', first.keyFile] },
    );
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await peerFingerprint(server.url, [first.cert]), loadTlsPair(first).summary.fingerprint256);
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
    }
  });

  it('reloads the certificate on SIGHUP without dropping connections, and keeps it when the new pair is bad', async () => {
    const certFile = join(dir, 'live.crt');
    const keyFile = join(dir, 'live.key');
    await copyFile(first.certFile, certFile);
    await copyFile(first.keyFile, keyFile);
    const server = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'data'), S3GATE_TLS_CERT_FILE: certFile, S3GATE_TLS_KEY_FILE: keyFile });
    const ca = [first.cert, second.cert];
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(server.output(), /CN=first, valid until/, 'the start log names the certificate');
      assert.doesNotMatch(server.output(), /PRIVATE KEY/);
      assert.equal(await peerFingerprint(server.url, ca), loadTlsPair(first).summary.fingerprint256);

      // a connection opened before the reload
      const { port } = new URL(server.url);
      const open = tls.connect({ host: '127.0.0.1', port: Number(port), ca });
      await new Promise((resolve) => open.once('secureConnect', resolve));
      assert.match(await askOn(open, '/healthz'), /^HTTP\/1\.1 200/);

      await copyFile(second.certFile, certFile);
      await copyFile(second.keyFile, keyFile);
      let mark = server.output().length;
      server.proc.kill('SIGHUP');
      await untilOutput(server, /TLS certificate reloaded: CN=second/, mark);
      assert.equal(await peerFingerprint(server.url, ca), loadTlsPair(second).summary.fingerprint256);
      assert.match(await askOn(open, '/healthz'), /^HTTP\/1\.1 200/, 'the open connection carries on');

      await writeFile(keyFile, 'garbage\n');
      mark = server.output().length;
      server.proc.kill('SIGHUP');
      await untilOutput(server, /TLS reload failed, still serving the previous certificate/, mark);
      assert.equal(await peerFingerprint(server.url, ca), loadTlsPair(second).summary.fingerprint256);
      open.end();
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
    }
  });
});
