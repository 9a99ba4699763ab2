/** The request headers (and the query) an object read or write takes, as validation schemas every face shares. */
import { Type } from 'typebox';

export const ReadHeaders = Type.Object({
  range: Type.Optional(Type.String({ description: 'bytes=a-b, bytes=a- or bytes=-n (one range)' })),
  'if-match': Type.Optional(Type.String()),
  'if-none-match': Type.Optional(Type.String()),
  'if-modified-since': Type.Optional(Type.String()),
  'if-unmodified-since': Type.Optional(Type.String()),
  'if-range': Type.Optional(Type.String()),
});

export const ReadQuery = Type.Object({
  download: Type.Optional(
    Type.String({ maxLength: 1024, description: 'Present: answer as an attachment, named by the value or by the key' }),
  ),
});

export const WriteHeaders = Type.Object({
  'content-type': Type.Optional(Type.String({ description: 'Kept and served back (default application/octet-stream)' })),
  'cache-control': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-disposition': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-encoding': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-md5': Type.Optional(Type.String({ description: 'Base64 MD5 of the body: 400 BadDigest and nothing stored on mismatch' })),
  'if-none-match': Type.Optional(Type.Literal('*', { description: '*: store only if the key does not exist yet' })),
  'if-match': Type.Optional(Type.String({ description: 'One quoted ETag or *: store only over that object' })),
});
