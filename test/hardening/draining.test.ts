/**
 * While the service drains (close() called, in-flight requests finishing), a request that still arrives on an
 * open connection gets 503 with Retry-After, in its face's error shape, and the connection is closed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { request } from 'undici';
import { after, before, describe, it } from '../helpers/suites.js';
import { fsServers } from './support.js';

/** Sends `head` and part of a body, then (after `between`) the rest and a pipelined request; resolves with all it read. */
async function pipelined(url: string, first: string, rest: string, next: string, between: () => Promise<void>): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8').on('data', (d: string) => (received += d));
  const ended = new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(first);
  await between();
  socket.write(rest + next);
  await ended;
  return received;
}

describe('draining', () => {
  const fx = fsServers();
  before(() => fx.open());
  after(() => fx.close());

  for (const [face, path, shape] of [
    ['v1', '/v1/buckets', /content-type: application\/json[\s\S]*"code":"ServiceUnavailable"/i],
    ['tutorial', '/amazons3/imageStore', /content-type: text\/plain[\s\S]*\r\n\r\nThe service is shutting down/i],
  ] as const) {
    it(`refuses a request arriving during the drain with 503 and Retry-After (${face} shape)`, async () => {
      const server = await fx.serve({});
      const made = await request(`${server.url}/v1/buckets/drain-${face}`, { method: 'PUT' });
      assert.equal(made.statusCode, 201, await made.body.text());
      let closing: Promise<void> | undefined;
      const text = await pipelined(
        server.url,
        `PUT /v1/buckets/drain-${face}/objects/k HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n12345`,
        '67890',
        `GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 200)); // the upload is in flight
          closing = server.close();
        },
      );
      await closing;
      const answers = text.split(/(?=HTTP\/1\.1 )/);
      assert.equal(answers.length, 2, text);
      assert.match(answers[0] ?? '', /^HTTP\/1\.1 201 /, 'the in-flight upload finishes');
      const refusal = answers[1] ?? '';
      assert.match(refusal, /^HTTP\/1\.1 503 /);
      assert.match(refusal, /\r\nretry-after: 5\r\n/i);
      assert.match(refusal, /\r\nconnection: close\r\n/i);
      assert.match(refusal, shape);
    });
  }
});
