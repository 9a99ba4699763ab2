/** Errors as S3 words them: `<Error><Code/><Message/><Resource/><RequestId/></Error>`. */
import type { ErrorShape } from '../../errors.js';
import { xmlDocument } from './xml.js';

export const XML_ERRORS: ErrorShape = {
  body(code, message, requestId, resource) {
    const text = xmlDocument('Error', { Code: code, Message: message, Resource: resource, RequestId: requestId }, false);
    return { contentType: 'application/xml', text };
  },
};
