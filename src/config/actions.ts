/** The actions a key's grant may name (auth/grants.ts says what each covers). */
export const ACTIONS = ['read', 'list', 'write', 'delete', 'admin', 'metrics'] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions on the service itself, never on a bucket. */
export const SERVICE_ACTIONS: readonly Action[] = ['metrics'];
