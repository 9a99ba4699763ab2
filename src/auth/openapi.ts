/** How the OpenAPI document describes the token scheme (token.ts): one bearer scheme, required by every v1 route. */
export const SECURITY_SCHEMES = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: '<keyId>.<secret>',
    description:
      'An access key as `Authorization: Bearer <keyId>.<secret>` (`<keyId>:<secret>` works too), made by `s3gate keys create`. ' +
      'Needed when the service has access keys configured: 401 without a valid one, 403 AccessDenied when the key may not do the request.',
  },
} as const;

/** Every operation needs the token, unless it says otherwise (`security: []`). */
export const SECURITY = [{ bearer: [] }];

/** For the operations anyone may call (health, readiness). */
export const NO_SECURITY: never[] = [];
