/**
 * The ceiling for small objects: a minimal Node http server that writes each PUT body to its own file
 * with the same durability as the fs store (temporary file, fdatasync, rename, folder fsync) and serves GETs
 * from the file. No metadata, no names beyond a hash, no listing.
 *
 *   node dist/bench/raw-small-server.js <dir>     prints {"port": N} when listening
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const dir = process.argv[2] ?? '';
if (!dir) throw new Error('usage: raw-small-server <dir>');
const fileOf = (url: string) => join(dir, createHash('sha1').update(url).digest('hex'));

async function put(req: http.IncomingMessage): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const temp = join(dir, `.${randomUUID()}`);
  const fh = await open(temp, 'w');
  await fh.writeFile(Buffer.concat(chunks));
  await fh.datasync();
  await fh.close();
  await rename(temp, fileOf(req.url ?? '/'));
  const folder = await open(dir, 'r'); // the rename is durable once the folder is synced
  await folder.sync();
  await folder.close();
}

const server = http.createServer((req, res) => {
  const done = (status: number, body: Buffer | string = '') => {
    res.statusCode = status;
    res.end(body);
  };
  if (req.method === 'PUT') put(req).then(() => done(200), (err: unknown) => done(500, String(err)));
  else readFile(fileOf(req.url ?? '/')).then((data) => done(200, data), () => done(404));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
