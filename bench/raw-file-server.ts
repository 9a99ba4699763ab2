/**
 * The ceiling for large transfers: a minimal Node http server that streams PUT bodies into a file (fsync
 * at the end, like the service) and GETs out of it, with the same 1 MiB buffers. No names, no metadata.
 *
 *   node dist/bench/raw-file-server.js <dir>     prints {"port": N} when listening
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const BUFFER = 1024 * 1024;
const dir = process.argv[2] ?? '';
if (!dir) throw new Error('usage: raw-file-server <dir>');

const server = http.createServer((req, res) => {
  const path = join(dir, 'object.bin');
  const fail = (err: unknown) => {
    res.statusCode = 500;
    res.end(String(err));
  };
  if (req.method === 'PUT') {
    pipeline(req, createWriteStream(path, { highWaterMark: BUFFER }))
      .then(async () => {
        const fh = await open(path, 'r+');
        await fh.datasync();
        await fh.close();
        res.end('ok');
      })
      .catch(fail);
    return;
  }
  stat(path)
    .then((info) => {
      res.setHeader('content-length', info.size);
      return pipeline(createReadStream(path, { highWaterMark: BUFFER }), res);
    })
    .catch(fail);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
