/**
 * The multipart/form-data body of a browser upload (POST Object), read with busboy as it streams: the fields
 * before the file are gathered (bounded, as S3 bounds them), the file is handed on as a stream the moment it
 * starts, never gathered. Fields after the file are ignored, as S3 ignores them.
 */
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { FastifyRequest } from 'fastify';
import { isServiceError, ServiceError } from '../../../errors/codes.js';

/** S3 refuses a form whose fields before the file pass 20 KB. */
export const MAX_FIELDS_BYTES = 20 * 1024;
/** More parts than this before the file is not a browser form. */
const MAX_PARTS = 1000;
const FILE_FIELD = 'file';

export interface BrowserForm {
  /** The fields before the file, names lower-cased (S3 reads them whatever their case). */
  fields: Map<string, string>;
  /**
   * The file's bytes as they arrive. It ends only once the whole form has been read well-formed, and errors
   * (with a ServiceError) when the form breaks off or goes wrong, so a store keeps nothing of a bad form.
   */
  file: Readable;
  /** The name the client gave the file ('' when none), for a key of `${filename}`. */
  filename: string;
}

function malformed(): ServiceError {
  return new ServiceError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
}

function tooLarge(): ServiceError {
  return new ServiceError('MaxPostPreDataLengthExceeded', `Your POST request fields preceding the upload file were too large (the limit is ${MAX_FIELDS_BYTES} bytes).`);
}

const asServiceError = (err: unknown): ServiceError => (isServiceError(err) ? err : malformed());

/** A part's text, refused past the fields' limit (what comes beyond it is read, not kept). */
function readText(stream: Readable): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_FIELDS_BYTES) chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => (length > MAX_FIELDS_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
  });
}

/** Starts reading `source` (the request body) as a form; resolves when the file part begins. */
export function readForm(request: FastifyRequest, source: Readable): Promise<BrowserForm> {
  let parser: busboy.Busboy;
  try {
    // every part is read here: busboy's own limits would cut silently where S3 refuses
    parser = busboy({ headers: request.headers, defParamCharset: 'utf8', limits: { fieldSize: MAX_FIELDS_BYTES + 1, fieldNameSize: 1024 } });
  } catch {
    return Promise.reject(malformed());
  }
  return new Promise<BrowserForm>((resolve, reject) => {
    const fields = new Map<string, string>();
    const file = new PassThrough({ highWaterMark: 64 * 1024 });
    // the handler may refuse the form before it reads the file: an error nobody awaits must not crash
    file.on('error', () => undefined);
    let budget = MAX_FIELDS_BYTES;
    let parts = 0;
    let fileSeen = false;
    let fileEnded = false;
    let parserClosed = false;
    let failed = false;
    // text parts sent as files (some clients send every field so) end after busboy moved on: the file waits for them
    const pending: Promise<void>[] = [];

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      const error = asServiceError(err);
      file.destroy(error); // a no-op for the caller until it holds the file
      reject(error);
    };
    const endWhenComplete = () => {
      if (fileEnded && parserClosed && !failed) file.end();
    };

    const addField = (name: string, value: string) => {
      budget -= Buffer.byteLength(name) + Buffer.byteLength(value);
      if (budget < 0) throw tooLarge();
      const lower = name.toLowerCase();
      if (fields.has(lower)) throw new ServiceError('InvalidArgument', `The form field "${name}" is given more than once.`);
      fields.set(lower, value);
    };
    const countPart = () => {
      parts += 1;
      if (parts > MAX_PARTS) throw tooLarge();
    };
    const begin = (filename: string) => {
      fileSeen = true;
      Promise.all(pending).then(() => resolve({ fields, file, filename }), fail);
    };

    parser.on('field', (name, value, info) => {
      if (failed || fileSeen) return;
      try {
        countPart();
        if (info.nameTruncated || info.valueTruncated) throw tooLarge();
        if (name.toLowerCase() !== FILE_FIELD) return addField(name, value);
        // the file sent as a plain field (curl -F file=text): its bytes are the value
        file.write(Buffer.from(value, 'utf8'));
        fileEnded = true;
        begin('');
      } catch (err) {
        fail(err);
      }
    });

    parser.on('file', (name, stream, info) => {
      if (failed || fileSeen) {
        stream.resume();
        return;
      }
      try {
        countPart();
      } catch (err) {
        stream.resume();
        return fail(err);
      }
      if (name.toLowerCase() !== FILE_FIELD) {
        const read = readText(stream).then((text) => addField(name, text));
        read.catch(fail); // at once: the file may never come to wait for it
        pending.push(read);
        return;
      }
      stream.on('error', fail);
      stream.on('end', () => {
        fileEnded = true;
        endWhenComplete();
      });
      stream.pipe(file, { end: false });
      begin(info.filename ?? '');
    });

    parser.on('error', fail);
    parser.on('close', () => {
      parserClosed = true;
      if (!fileSeen) fail(new ServiceError('InvalidArgument', 'POST requires exactly one file upload per request: the form has no field named "file".'));
      else endWhenComplete();
    });
    source.on('error', fail);
    source.pipe(parser);
  });
}
