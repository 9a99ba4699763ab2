/**
 * s3rver, the Node.js S3 peer, as a benchmark target: one bucket, listening on a free loopback port.
 *   node --openssl-legacy-provider dist/bench/s3rver-server.js <dir> <bucket>   prints {"port": N}
 * (s3rver 3.7 lists with HTTP 500 on Node ≥ 17 without that flag; GET/PUT do not need it, listing might.)
 */
import S3rver from 's3rver';

const [dir, bucket] = process.argv.slice(2);
if (!dir || !bucket) throw new Error('usage: s3rver-server <dir> <bucket>');

const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
