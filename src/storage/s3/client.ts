/**
 * Builds the one S3Client an s3 store uses: endpoint, region, path-style, credentials (explicit keys or the
 * SDK's default chain), an extra CA bundle, keep-alive sockets with time limits (exchange-limits.ts), retries
 * and checksum mode. Signing is the SDK's; nothing here touches SigV4.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { S3Client } from '@aws-sdk/client-s3';
import { LimitedHttpHandler } from './exchange-limits.js';
import type { S3StoreOptions } from './options.js';

/** Sockets kept open per agent; lib-storage uploads queueSize parts at once per upload. */
const MAX_SOCKETS = 64;

/** Reads the CA bundle now, so a wrong path fails at start-up rather than at the first request. */
export function readCaBundle(caFile: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(caFile);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`s3 store: cannot read the CA file "${caFile}" (${reason})`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`s3 store: the CA file "${caFile}" holds no PEM certificate`);
  }
  return pem;
}

function credentialsOf(opts: S3StoreOptions) {
  const { accessKeyId, secretAccessKey, sessionToken } = opts;
  if (!accessKeyId && !secretAccessKey) return undefined; // the SDK's default chain
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('s3 store: give both an access key id and a secret access key, or neither');
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export function createS3Client(opts: S3StoreOptions): S3Client {
  const credentials = credentialsOf(opts);
  const extraCa = opts.caFile ? readCaBundle(opts.caFile) : undefined;
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  const requestHandler = new LimitedHttpHandler(
    {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(extraCa ? { ...agentOptions, ca: [...rootCertificates, extraCa] } : agentOptions),
    },
    { connectTimeoutMs: opts.connectTimeoutMs, firstByteTimeoutMs: opts.requestTimeoutMs, idleTimeoutMs: opts.idleTimeoutMs },
  );
  return new S3Client({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    region: opts.region,
    forcePathStyle: opts.forcePathStyle,
    ...(credentials ? { credentials } : {}),
    maxAttempts: opts.maxAttempts,
    requestChecksumCalculation: opts.checksum,
    responseChecksumValidation: opts.checksum,
    // Our agents are our own, so the handler would not wait for "100 Continue" anyway: don't ask for it.
    expectContinueHeader: false,
    requestHandler,
  });
}
