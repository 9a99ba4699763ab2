/** The errors share links answer with, in one place for the service, the creator check and the faces. */
import { ServiceError } from '../errors/codes.js';

/** A link that exists but may not be used (or may not be told apart from one that does not). */
export function denied(reason: string): ServiceError {
  return new ServiceError('AccessDenied', `Share link refused: ${reason}.`);
}

export function noSuchLink(id: string): ServiceError {
  return new ServiceError('NotFound', `There is no share link with the id ${id}.`);
}
