/** /metrics: Prometheus text whose counters follow the requests, labelled by route pattern, with store timings. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { bearer, keyOf } from '../auth/support.js';
import { scrape, settledScrape, total, type Sample } from '../helpers/metrics.js';
import { opsServer, type OpsServer } from './harness.js';

const OBJECT_ROUTE = '/v1/buckets/:bucket/objects/*';

describe('/metrics on the main listener', () => {
  let server: OpsServer;
  let other: OpsServer;
  before(async () => {
    [server, other] = await Promise.all([opsServer(), opsServer()]);
  });
  after(() => Promise.all([server.close(), other.close()]));

  async function call(method: 'GET' | 'PUT', path: string, body?: Buffer): Promise<number> {
    const res = await request(`${server.url}${path}`, { method, body });
    await res.body.dump();
    return res.statusCode;
  }

  it('serves the Prometheus text format with process metrics', async () => {
    const res = await request(`${server.url}/metrics`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = await res.body.text();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.match(text, new RegExp(`^${name} `, 'm'), name);
    }
    assert.match(text, /^# TYPE s3gate_http_request_duration_seconds histogram$/m);
  });

  it('counts requests, latency and bytes by method, route pattern and status', async () => {
    const before = await scrape(`${server.url}/metrics`);
    const body = Buffer.alloc(50_000, 'm');
    assert.equal(await call('PUT', '/v1/buckets/metered'), 201);
    for (let i = 0; i < 3; i++) assert.equal(await call('PUT', `/v1/buckets/metered/objects/k${i}.bin`, body), 201);
    assert.equal(await call('GET', '/v1/buckets/metered/objects/k0.bin'), 200);
    assert.equal(await call('GET', '/v1/buckets/metered/objects/nothing-here'), 404);
    const after = await settledScrape(`${server.url}/metrics`);
    const moved = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);

    const put = { method: 'PUT', route: OBJECT_ROUTE, status: '201' };
    assert.equal(moved('s3gate_http_requests_total', put), 3);
    assert.equal(moved('s3gate_http_request_duration_seconds_count', put), 3);
    assert.ok(moved('s3gate_http_request_duration_seconds_sum', put) > 0);
    assert.equal(moved('s3gate_http_requests_total', { method: 'GET', route: OBJECT_ROUTE, status: '404' }), 1);
    assert.ok(moved('s3gate_http_request_bytes_total', { method: 'PUT', route: OBJECT_ROUTE }) > 3 * body.length);
    assert.ok(moved('s3gate_http_response_bytes_total', { method: 'GET', route: OBJECT_ROUTE }) > body.length);
    assert.equal(total(after, 's3gate_http_requests_in_flight'), 1, 'the scrape itself');

    const routes = new Set(after.filter((s) => s.labels['route'] !== undefined).map((s) => s.labels['route']));
    for (const route of routes) assert.doesNotMatch(String(route), /metered|k0|nothing-here/, 'labels are patterns, not URLs');
  });

  it('times store operations and counts their errors by code', async () => {
    assert.equal(await call('PUT', '/v1/buckets/timed'), 201);
    assert.equal(await call('PUT', '/v1/buckets/timed/objects/a.txt', Buffer.from('a')), 201);
    assert.equal(await call('GET', '/v1/buckets/timed/objects/missing.txt'), 404);
    assert.equal(await call('GET', '/v1/buckets/no-such-bucket/objects/a.txt'), 404);
    const samples = await scrape(`${server.url}/metrics`);

    assert.ok(total(samples, 's3gate_store_operation_duration_seconds_count', { operation: 'createBucket', result: 'ok' }) >= 1);
    assert.ok(total(samples, 's3gate_store_operation_duration_seconds_count', { operation: 'putObject', result: 'ok' }) >= 1);
    assert.ok(total(samples, 's3gate_store_operation_duration_seconds_bucket', { operation: 'putObject', le: '+Inf' }) >= 1);
    const errors = (code: string) => total(samples, 's3gate_store_errors_total', { code });
    assert.ok(errors('NoSuchKey') >= 1, 'a missing key');
    assert.ok(errors('NoSuchBucket') >= 1, 'a missing bucket');
    assert.ok(total(samples, 's3gate_store_operation_duration_seconds_count', { result: 'error' }) >= 2);
  });

  it('keeps each app’s counts apart in one process', async () => {
    const mine = await scrape(`${server.url}/metrics`);
    const theirs: Sample[] = await scrape(`${other.url}/metrics`);
    assert.ok(total(mine, 's3gate_http_requests_total') > 5);
    assert.equal(total(theirs, 's3gate_http_requests_total'), 0, 'the other app served only its scrapes so far');
    assert.ok(total(theirs, 'process_cpu_user_seconds_total') > 0, 'process metrics in both');
  });
});

describe('/metrics with access keys', () => {
  let server: OpsServer;
  before(async () => {
    const keys = [
      keyOf('ops', [{ bucket: '*', actions: ['admin'] }]),
      keyOf('scraper', [{ bucket: '*', actions: ['metrics'] }]),
      keyOf('app', [{ bucket: '*', actions: ['read', 'list', 'write'] }]),
      keyOf('photos-admin', [{ bucket: 'photos', actions: ['admin'] }]),
    ];
    server = await opsServer({ auth: { keys } });
    const made = await request(`${server.url}/v1/buckets/photos`, { method: 'PUT', headers: bearer('ops') });
    assert.equal(made.statusCode, 201, await made.body.text());
    const put = await request(`${server.url}/v1/buckets/photos/objects/a.txt`, { method: 'PUT', body: 'private', headers: bearer('ops') });
    assert.equal(put.statusCode, 201, await put.body.text());
  });
  after(() => server.close());

  for (const [who, headers, status] of [
    ['no key', {}, 401],
    ['a key that may read every object but not the metrics', bearer('app'), 403],
    ["a bucket's admin (metrics are the service's)", bearer('photos-admin'), 403],
    ['a metrics-only key', bearer('scraper'), 200],
    ['an admin key on "*"', bearer('ops'), 200],
  ] as const) {
    it(`answers ${status} to ${who}`, async () => {
      const res = await request(`${server.url}/metrics`, { headers });
      const text = await res.body.text();
      assert.equal(res.statusCode, status, text);
      if (status === 200) assert.match(text, /^s3gate_http_requests_total\{/m);
      if (status === 403) assert.match(text, /may not read the service metrics/);
      // refused in the service's own shape (the text of the root face), not the framework's JSON
      if (status !== 200) assert.match(String(res.headers['content-type']), /^text\/plain/, text);
      if (status !== 200) assert.doesNotMatch(text, /"statusCode"/);
    });
  }

  it('gives a metrics-only key nothing else: 403 on reading, listing and writing objects', async () => {
    for (const [method, path] of [
      ['GET', '/v1/buckets/photos/objects/a.txt'],
      ['GET', '/v1/buckets/photos/objects'],
      ['GET', '/v1/buckets'],
      ['PUT', '/v1/buckets/photos/objects/b.txt'],
      ['GET', '/amazons3/imageStore/photos/a.txt'],
    ] as const) {
      const res = await request(`${server.url}${path}`, { method, headers: bearer('scraper'), body: method === 'PUT' ? 'x' : undefined });
      assert.equal(res.statusCode, 403, `${method} ${path}: ${await res.body.text()}`);
    }
  });
});

describe('/metrics on its own port', () => {
  let server: OpsServer;
  let metricsUrl: string;
  before(async () => {
    server = await opsServer({ metrics: { port: 0 } });
    const line = await server.log.until((l) => typeof l['metricsAddress'] === 'string');
    metricsUrl = line['metricsAddress'] as string;
  });
  after(() => server.close());

  it('listens on loopback and leaves /metrics off the main listener', async () => {
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.equal(new URL(metricsUrl).port === new URL(server.url).port, false);
    const main = await request(`${server.url}/metrics`);
    await main.body.dump();
    assert.equal(main.statusCode, 404);
  });

  it('counts the main listener’s requests', async () => {
    await (await request(`${server.url}/healthz`)).body.dump();
    await (await request(`${server.url}/healthz`)).body.dump();
    await server.log.until((l) => l['route'] === '/healthz');
    const samples = await scrape(metricsUrl);
    assert.ok(total(samples, 's3gate_http_requests_total', { route: '/healthz', status: '200' }) >= 1);
    assert.equal(total(samples, 's3gate_http_requests_in_flight'), 0, 'scrapes here are not the service’s requests');
    const other = await request(metricsUrl.replace(/\/metrics$/, '/other'));
    assert.equal(other.statusCode, 404);
    await other.body.dump();
  });

  it('closes with the app', async () => {
    const app = await opsServer({ metrics: { port: 0 } });
    const url = (await app.log.until((l) => typeof l['metricsAddress'] === 'string'))['metricsAddress'] as string;
    await app.close();
    await assert.rejects(request(url), /ECONNREFUSED/);
  });
});
