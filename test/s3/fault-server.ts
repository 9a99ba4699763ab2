/**
 * A loopback TCP server that plays a failing S3 backend, for the s3 store's fault tests: it accepts and
 * never writes (a black hole), accepts and resets, or answers like a tiny S3 (just enough XML for
 * ListBuckets, HeadBucket, GetObject and PutObject, whose bodies it stores in memory). The mode applies to
 * connections accepted from then on; connections it swallowed stay silent.
 */
import http from 'node:http';
import net from 'node:net';

export type FaultMode = 'blackhole' | 'reset' | 'answer';

export const FAKE_BUCKET = 'fault-bucket';

const LIST_BUCKETS =
  '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>fake</ID></Owner><Buckets>' +
  `<Bucket><Name>${FAKE_BUCKET}</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket>` +
  '</Buckets></ListAllMyBucketsResult>';

export class FaultServer {
  mode: FaultMode;
  /** Connections accepted so far, whatever the mode. */
  connections = 0;
  readonly objects = new Map<string, Buffer>();
  readonly #tcp: net.Server;
  readonly #s3 = http.createServer((req, res) => this.#answer(req, res));
  readonly #sockets = new Set<net.Socket>();

  constructor(mode: FaultMode) {
    this.mode = mode;
    this.#tcp = net.createServer((socket) => this.#accept(socket));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#tcp.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#tcp.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#tcp.close(resolve));
  }

  #accept(socket: net.Socket): void {
    this.connections += 1;
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    if (this.mode === 'reset') socket.resetAndDestroy();
    else if (this.mode === 'answer') this.#s3.emit('connection', socket);
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const key = path.slice(`/${FAKE_BUCKET}/`.length);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(LIST_BUCKETS);
    } else if (path === `/${FAKE_BUCKET}` || path === `/${FAKE_BUCKET}/`) {
      res.writeHead(200).end();
    } else if (req.method === 'PUT' && path.startsWith(`/${FAKE_BUCKET}/`)) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.objects.set(key, Buffer.concat(chunks));
        res.writeHead(200, { etag: '"fake-etag"' }).end();
      });
    } else if ((req.method === 'GET' || req.method === 'HEAD') && this.objects.has(key)) {
      const body = this.objects.get(key) ?? Buffer.alloc(0);
      res.writeHead(200, { 'content-length': body.length, etag: '"fake-etag"', 'last-modified': new Date(0).toUTCString() });
      res.end(req.method === 'GET' ? body : undefined);
    } else {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end(`<Error><Code>NoSuchKey</Code><Message>no such key</Message><Key>${key}</Key></Error>`);
    }
  }
}
