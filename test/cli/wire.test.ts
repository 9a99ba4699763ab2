/**
 * What the CLI sends and how it reads answers that are not the v1 service's: a recording stub stands in for
 * the service here (the real one cannot show the headers it received).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { describeRun, runCli } from './harness.js';

describe('s3gate on the wire', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url?.startsWith('/base/v1/buckets')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"buckets": []}');
      } else {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>\nmore');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('sends the token as a bearer credential, from --token or S3GATE_TOKEN, under the endpoint path', async () => {
    const byFlag = await runCli(['bucket', 'ls', '--token', 'flag-secret'], { endpoint: `${url}/base/` });
    assert.equal(byFlag.code, 0, describeRun(byFlag));
    assert.equal(seen.at(-1)?.url, '/base/v1/buckets');
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer flag-secret');
    const byEnv = await runCli(['bucket', 'ls'], { endpoint: `${url}/base`, env: { S3GATE_TOKEN: 'env-secret' } });
    assert.equal(byEnv.code, 0, describeRun(byEnv));
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer env-secret');
    await runCli(['bucket', 'ls'], { endpoint: `${url}/base` });
    assert.equal(seen.at(-1)?.headers.authorization, undefined, 'no token, no header');
  });

  it('reports an answer that is not a v1 error by its status and first line, exit 1', async () => {
    const run = await runCli(['bucket', 'ls'], { endpoint: url });
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.stderr, 's3gate: HTTP502: <html>Bad Gateway</html>\n');
  });
});
