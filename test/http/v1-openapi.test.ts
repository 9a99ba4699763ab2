/**
 * The OpenAPI 3.1 document at /openapi.json: valid against the OpenAPI schema, only the v1 and health
 * routes, and every operation it lists answered by a route (never "no route", never a 5xx). /docs is
 * Swagger UI served from the package's own assets.
 */
import assert from 'node:assert/strict';
import { before, it } from '../helpers/suites.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { v1Suite } from './v1-support.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  examples?: unknown[];
  default?: unknown;
}

interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** A value that satisfies a (simple) schema: its example, its default, or the least of its type. */
function sample(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.examples?.[0] !== undefined) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, sample(schema.properties?.[name])]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () => sample(schema.items));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      return 'sample';
  }
}

const ORDER = ['put', 'post', 'get', 'head', 'delete'];

v1Suite('v1 OpenAPI document', (fx) => {
  let doc: OpenApiDocument;

  before(async () => {
    const res = await fx.call('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json<OpenApiDocument>();
  });

  it('is OpenAPI 3.1 and valid', async () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
  });

  it('documents the v1 and health routes, and only those', () => {
    const paths = Object.keys(doc.paths);
    assert.ok(paths.every((p) => p.startsWith('/v1/') || p === '/healthz' || p === '/readyz'), paths.join(' '));
    const operations = paths.flatMap((p) => Object.keys(doc.paths[p] ?? {}).map((m) => `${m.toUpperCase()} ${p}`));
    for (const expected of [
      'GET /v1/buckets',
      'PUT /v1/buckets/{bucket}',
      'GET /v1/buckets/{bucket}',
      'HEAD /v1/buckets/{bucket}',
      'DELETE /v1/buckets/{bucket}',
      'GET /v1/buckets/{bucket}/objects',
      'DELETE /v1/buckets/{bucket}/objects',
      'PUT /v1/buckets/{bucket}/objects/{key}',
      'GET /v1/buckets/{bucket}/objects/{key}',
      'HEAD /v1/buckets/{bucket}/objects/{key}',
      'DELETE /v1/buckets/{bucket}/objects/{key}',
      'POST /v1/buckets/{bucket}/delete',
      'POST /v1/copy',
    ]) {
      assert.ok(operations.includes(expected), `${expected} is documented`);
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (path.startsWith('/v1/')) assert.ok(op.responses['400'], `${method} ${path} documents its errors`);
      }
    }
  });

  it('has a route behind every operation it lists: no "no route", no 5xx', async () => {
    await fx.call('PUT', fx.objectPath('doc/sample.txt'), { body: 'sample' });
    const operations = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
      .sort((a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method));
    assert.ok(operations.length >= 15);
    for (const { path, method, op } of operations) {
      const params = op.parameters ?? [];
      const pathValues: Record<string, string> = { bucket: fx.bucket, key: 'doc/sample.txt' };
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? String(sample(undefined)));
      const query = new URLSearchParams(
        params.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, String(sample(p.schema))]),
      );
      const content = op.requestBody?.content ?? {};
      const init = content['application/json']
        ? { json: sample(content['application/json'].schema) }
        : content['*/*']
          ? { body: 'bytes', headers: { 'content-type': 'application/octet-stream' } }
          : {};
      const res = await fx.call(method.toUpperCase(), `${url}${query.size > 0 ? `?${query}` : ''}`, init);
      const what = `${method.toUpperCase()} ${url}: ${res.status} ${res.text}`;
      assert.ok(res.status < 500, what);
      // a HEAD answer has no body to tell "no route" from "no such key": its bucket and key exist, so 200
      if (method === 'head') assert.equal(res.status, 200, what);
      else if (res.status === 404) assert.notEqual(res.json<{ error: { code: string } }>().error.code, 'NotFound', what);
    }
  });

  it('serves Swagger UI at /docs, with its assets from the package (no CDN)', async () => {
    const page = await fx.call('GET', '/docs');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.text, /swagger-ui/i);
    assert.doesNotMatch(page.text, /https?:\/\//, 'nothing loaded from elsewhere');
    for (const asset of ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css']) {
      assert.equal((await fx.call('GET', asset)).status, 200, asset);
    }
    const spec = await fx.call('GET', '/docs/json'); // what the page loads: the same document
    assert.equal(spec.json<OpenApiDocument>().openapi, doc.openapi);
  });
});
