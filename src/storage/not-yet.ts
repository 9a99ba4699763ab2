import { ServiceError } from '../errors/codes.js';

/** For a contract operation this store does not carry out yet: a clear 501, never a silent success. */
export function notYet(operation: string): ServiceError {
  return new ServiceError('NotImplemented', `${operation} is not implemented by this store yet.`);
}
