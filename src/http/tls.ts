/**
 * HTTPS for the main listener: the certificate and key are read and checked at start (a bad pair stops
 * the start with the reason), and re-read on SIGHUP without dropping a connection (a bad new pair is
 * logged and the old one kept). Only the certificate is ever logged, never the key.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { TlsSettings } from '../config/network.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** What the log says about the certificate. */
  summary: CertificateSummary;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltName: string | undefined;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** Warn at start and on reload when the certificate ends sooner than this. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000;

export function tlsFilesOf(settings: TlsSettings): TlsFiles | undefined {
  const { certFile, keyFile } = settings;
  return certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`TLS: cannot read the ${what} file "${path}" (${reason})`, { cause: err });
  }
}

/** Reads both files and checks that they hold a certificate and its own private key; throws with the reason. */
export function loadTlsPair(files: TlsFiles): TlsPair {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`TLS: "${files.certFile}" holds no PEM certificate (${(err as Error).message})`, { cause: err });
  }
  try {
    // the same check a handshake would make: the key parses and belongs to the certificate
    tls.createSecureContext({ cert, key });
  } catch (err) {
    const reason = (err as Error).message;
    const hint = /mismatch/i.test(reason) ? 'the key does not belong to the certificate' : 'not a usable private key';
    throw new Error(`TLS: "${files.keyFile}": ${hint} (${reason})`, { cause: err });
  }
  return {
    cert,
    key,
    summary: {
      subject: x509.subject.replaceAll('\n', ', '),
      issuer: x509.issuer.replaceAll('\n', ', '),
      subjectAltName: x509.subjectAltName,
      validFrom: new Date(x509.validFrom).toISOString(),
      validTo: new Date(x509.validTo).toISOString(),
      fingerprint256: x509.fingerprint256,
    },
  };
}

/** Logs the certificate in use, with a warning when it has expired or soon will. */
export function logCertificate(logger: Logger, summary: CertificateSummary, message: string): void {
  logger.info({ certificate: summary }, `${message}: ${summary.subject}, valid until ${summary.validTo}`);
  const left = Date.parse(summary.validTo) - Date.now();
  if (left <= 0) logger.warn({ validTo: summary.validTo }, 'TLS certificate has EXPIRED: clients will refuse it');
  else if (left < EXPIRY_WARNING_MS) logger.warn({ validTo: summary.validTo }, 'TLS certificate expires in less than 14 days');
}

/**
 * SIGHUP: re-reads the pair and hands it to the listener for new handshakes; connections already open keep
 * theirs. Returns whether the new pair is in use.
 */
export function reloadTls(server: Server, settings: TlsSettings, logger: Logger): boolean {
  const files = tlsFilesOf(settings);
  if (!files || !(server instanceof tls.Server)) {
    logger.info('SIGHUP: no TLS certificate configured, nothing to reload');
    return false;
  }
  let pair: TlsPair;
  try {
    pair = loadTlsPair(files);
  } catch (err) {
    logger.error({ err: { message: (err as Error).message } }, 'SIGHUP: TLS reload failed, still serving the previous certificate');
    return false;
  }
  server.setSecureContext({ cert: pair.cert, key: pair.key });
  logCertificate(logger, pair.summary, 'SIGHUP: TLS certificate reloaded');
  return true;
}
