/**
 * `npm run bench`: every benchmark, one table. Each figure is shown beside its ceiling or peer measured in
 * this same run, as a ratio, with the target it should meet (the machines are shared and noisy: absolute
 * figures drift, ratios much less).
 *
 *   node dist/bench/run.js [--large-gib 1] [--seconds 4]
 */
import { cpus } from 'node:os';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { tempDir } from '../test/helpers/server.js';
import { benchLargeTransfer } from './large-transfer.js';
import { benchListing } from './listing.js';
import { benchS3Large, benchS3Listing, benchS3Small } from './s3-face.js';
import { benchS3Store } from './s3-store.js';
import { benchSmallObjects } from './small-objects.js';

const { values } = parseArgs({
  options: { 'large-gib': { type: 'string', default: '1' }, seconds: { type: 'string', default: '4' } },
});
const largeBytes = Math.round(Number(values['large-gib']) * 1024 ** 3);
const durationMs = Number(values.seconds) * 1000;

type Row = [what: string, value: string, reference: string, ratio: string, target: string, met: string];
const rows: Row[] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A row comparing `value` to `reference`: the ratio must be at least `atLeast` (or at most `atMost`). */
function compare(
  what: string,
  value: number,
  reference: number,
  unit: string,
  refName: string,
  goal: { atLeast?: number; atMost?: number },
  digits = 0,
) {
  const ratio = value / reference;
  const met = goal.atLeast !== undefined ? ratio >= goal.atLeast : ratio <= (goal.atMost ?? Infinity);
  const target = goal.atLeast !== undefined ? `≥ ${goal.atLeast}×` : `≤ ${goal.atMost}×`;
  rows.push([what, `${fmt(value, digits)} ${unit}`, `${fmt(reference, digits)} ${unit} (${refName})`, `${fmt(ratio, 2)}×`, target, met ? 'yes' : 'NO']);
}

const dir = await tempDir('bench');
try {
  const small = await benchSmallObjects(dir, durationMs);
  const [gate, raw, s3rver] = small;
  if (!gate || !raw || !s3rver) throw new Error('small-object benchmark incomplete');
  for (const r of small) {
    if (r.put.errors + r.get.errors > 0) console.warn(`${r.name}: ${r.put.errors + r.get.errors} errors, first: ${r.put.firstError ?? r.get.firstError}`);
  }
  compare('4 KiB PUT, 32 concurrent', gate.put.opsPerSec, raw.put.opsPerSec, 'ops/s', 'minimal Node file server, fsync', { atLeast: 0.5 });
  compare('4 KiB GET, 32 concurrent', gate.get.opsPerSec, raw.get.opsPerSec, 'ops/s', 'minimal Node file server', { atLeast: 0.5 });
  compare('4 KiB PUT vs s3rver', gate.put.opsPerSec, s3rver.put.opsPerSec, 'ops/s', 's3rver 3.7', { atLeast: 3 });
  compare('4 KiB GET vs s3rver', gate.get.opsPerSec, s3rver.get.opsPerSec, 'ops/s', 's3rver 3.7', { atLeast: 3 });

  const large = await benchLargeTransfer(dir, largeBytes);
  const gib = `${fmt(largeBytes / 1024 ** 3, 1)} GiB`;
  compare(`${gib} PUT`, large.gate.put / 1e6, large.raw.put / 1e6, 'MB/s', 'raw file streaming', { atLeast: 0.8 });
  compare(`${gib} GET`, large.gate.get / 1e6, large.raw.get / 1e6, 'MB/s', 'raw file streaming', { atLeast: 0.8 });
  const peakMb = large.gate.peakRss / 1e6;
  rows.push([`peak RSS during ${gib} PUT+GET`, `${fmt(peakMb)} MB`, `idle ${fmt(large.gate.idleRss / 1e6)} MB`, '', '≤ 150 MB', peakMb <= 150 ? 'yes' : 'NO']);

  const listing = await benchListing(dir);
  const first = listing[0];
  if (!first) throw new Error('listing benchmark incomplete');
  for (const l of listing) {
    compare(`list a 1,000-key page, ${fmt(l.keys)} keys`, l.pageMs, first.pageMs, 'ms', `the page at ${fmt(first.keys)} keys`, { atMost: 3 }, 2);
    rows.push([`  same, 1,000 folders with delimiter`, `${fmt(l.folderPageMs, 2)} ms`, `bare index scan ${fmt(l.ceilingMs, 2)} ms`, '', '', '']);
  }

  const face = await benchS3Small(dir, durationMs);
  compare('S3 API 4 KiB PUT, SigV4', face.s3.put.opsPerSec, face.v1.put.opsPerSec, 'ops/s', 'v1 with a bearer token', { atLeast: 0.8 });
  compare('S3 API 4 KiB GET, SigV4', face.s3.get.opsPerSec, face.v1.get.opsPerSec, 'ops/s', 'v1 with a bearer token', { atLeast: 0.8 });
  compare('S3 API 4 KiB PUT vs s3rver', face.s3.put.opsPerSec, face.s3rver.put.opsPerSec, 'ops/s', 's3rver 3.7, same client', { atLeast: 4 });
  compare('S3 API 4 KiB GET vs s3rver', face.s3.get.opsPerSec, face.s3rver.get.opsPerSec, 'ops/s', 's3rver 3.7, same client', { atLeast: 4 });
  if ('skipped' in face.rgw) rows.push(['S3 API 4 KiB vs Ceph RGW', 'skipped', face.rgw.skipped, '', '≥ 3×', '?']);
  else {
    compare('S3 API 4 KiB PUT vs Ceph RGW', face.s3.put.opsPerSec, face.rgw.put.opsPerSec, 'ops/s', 'Ceph RGW 16, same client', { atLeast: 3 });
    compare('S3 API 4 KiB GET vs Ceph RGW', face.s3.get.opsPerSec, face.rgw.get.opsPerSec, 'ops/s', 'Ceph RGW 16, same client', { atLeast: 3 });
  }
  const faceLarge = await benchS3Large(dir, largeBytes);
  compare(`S3 API ${gib} PUT, signed chunks`, faceLarge.s3.put / 1e6, faceLarge.v1.put / 1e6, 'MB/s', `v1 ${gib} PUT`, { atLeast: 0.7 });
  const rssGrowth = (faceLarge.s3.peakRss - faceLarge.v1.peakRss) / 1e6;
  rows.push([`  peak RSS of that PUT`, `${fmt(faceLarge.s3.peakRss / 1e6)} MB`, `v1's ${fmt(faceLarge.v1.peakRss / 1e6)} MB`, '', '≤ v1 + 16 MB', rssGrowth <= 16 ? 'yes' : 'NO']);
  const faceListing = await benchS3Listing(dir);
  compare('S3 API ListObjectsV2, 1,000 keys', faceListing.s3PageMs, faceListing.v1PageMs, 'ms', 'v1 listing page', { atMost: 1.5 }, 2);

  const s3 = await benchS3Store();
  if ('skipped' in s3) rows.push(['s3 store, 64 MiB', 'skipped', s3.skipped, '', '≥ 0.8×', '?']);
  else {
    compare('s3 store, 64 MiB PUT', s3.gate.put / 1e6, s3.direct.put / 1e6, 'MB/s', 'AWS SDK direct to the same RGW', { atLeast: 0.8 });
    compare('s3 store, 64 MiB GET', s3.gate.get / 1e6, s3.direct.get / 1e6, 'MB/s', 'AWS SDK direct to the same RGW', { atLeast: 0.8 });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const cpu = cpus();
console.log(`\ns3gate benchmarks, ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, node ${process.version}, loopback\n`);
console.log('| benchmark | s3gate | ceiling or peer (same run) | ratio | target | met |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
