/** Shared by the hardening tests: throwaway certificates, and raw sockets that send at a chosen pace. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { ObjectStore } from '../../src/storage/types.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';

export interface Certificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
}

/** A self-signed EC certificate for 127.0.0.1, valid one day, made with openssl (present on these machines). */
export function makeCertificate(dir: string, name: string): Certificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Like sleep, but does not keep the process alive (for waits that a close may cut short). */
const idle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export interface RawOutcome {
  /** Everything the server sent. */
  response: string;
  /** When the server closed the connection, in ms after it was opened. */
  closedAfterMs: number;
  /** Bytes of `parts` written before the close. */
  sent: number;
}

/**
 * Opens a plain TCP connection to `url`'s host and port and writes `parts` one after another, `gapMs`
 * apart, until they are all sent or the server closes the connection; resolves once it is closed
 * (the client never closes first: the test is whether the server does).
 */
export function sendPaced(url: string, parts: Array<string | Buffer>, gapMs: number): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = Date.now();
  let response = '';
  let sent = 0;
  let closed = false;
  socket.setEncoding('latin1').on('data', (d: string) => (response += d));
  socket.on('error', () => {}); // a reset is one of the ways a server cuts a client off
  const done = new Promise<RawOutcome>((resolve) => {
    socket.on('close', () => {
      closed = true;
      resolve({ response, closedAfterMs: Date.now() - opened, sent });
    });
  });
  void (async () => {
    await new Promise((resolve) => socket.once('connect', resolve));
    for (const part of parts) {
      if (closed) return;
      socket.write(part);
      sent += Buffer.byteLength(part);
      await Promise.race([idle(gapMs), done]);
    }
  })();
  return done;
}

/** The bytes of `text` one at a time. */
export function bytewise(text: string): string[] {
  return [...Buffer.from(text, 'latin1')].map((b) => String.fromCharCode(b));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The first HTTP/1.1 answer in `text` (as sendPaced collects it). */
export function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete answer in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/**
 * An fs store in a temporary folder and servers over it, all closed by close():
 *   const fx = fsServers(); before(() => fx.open()); after(() => fx.close());
 */
export function fsServers() {
  const fs = storesUnderTest()[0]!;
  let opened: { store: ObjectStore; cleanup(): Promise<void> } | undefined;
  const servers: TestServer[] = [];
  return {
    async open(): Promise<void> {
      opened = await fs.open();
    },
    get store(): ObjectStore {
      if (!opened) throw new Error('fsServers: open() first');
      return opened.store;
    },
    async serve(settings: Record<string, unknown> = {}, store?: ObjectStore): Promise<TestServer> {
      const server = await startServer(store ?? this.store, settings);
      servers.push(server);
      return server;
    },
    async close(): Promise<void> {
      for (const server of servers.splice(0)) await server.close();
      await opened?.cleanup();
    },
  };
}
