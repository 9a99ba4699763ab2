/**
 * Builds the one frozen Config from its sources, later wins: defaults, a JSON config file,
 * S3GATE_* environment variables, command-line flags. Nothing here runs at import time.
 */
import { closest, distance } from 'fastest-levenshtein';
import { protectedModeProblem } from './protected.js';
import { AUTH_ENV_SETTINGS, mergeKeysFile, redactedAuth } from './auth.js';
import { NETWORK_ENV_SETTINGS } from './network.js';
import { FS_ENV_SETTINGS } from './fs.js';
import { OPS_ENV_SETTINGS } from './ops.js';
import { S3API_ENV_SETTINGS } from './s3api.js';
import { redactedSse, SSE_ENV_SETTINGS } from './sse.js';
import { readJsonFile } from './json-file.js';
import { exposedSecretsProblem } from './private-file.js';
import { configSchema, type Config } from './schema.js';

/** Environment variable → setting path. The names are a contract with operators. */
export const ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_HOST: 'host',
  S3GATE_PORT: 'port',
  S3GATE_STORE: 'store',
  S3GATE_DATA_DIR: 'dataDir',
  S3GATE_MAX_OBJECT_SIZE: 'maxObjectSize',
  S3GATE_LOG_LEVEL: 'logLevel',
  S3GATE_ALLOW_ANONYMOUS: 'allowAnonymous',
  S3GATE_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  S3GATE_S3_ENDPOINT: 's3.endpoint',
  S3GATE_S3_REGION: 's3.region',
  S3GATE_S3_FORCE_PATH_STYLE: 's3.forcePathStyle',
  S3GATE_S3_ACCESS_KEY_ID: 's3.accessKeyId',
  S3GATE_S3_SECRET_ACCESS_KEY: 's3.secretAccessKey',
  S3GATE_S3_SESSION_TOKEN: 's3.sessionToken',
  S3GATE_S3_CA_FILE: 's3.caFile',
  S3GATE_S3_CHECKSUM: 's3.checksum',
  S3GATE_S3_CONNECT_TIMEOUT_MS: 's3.connectTimeoutMs',
  S3GATE_S3_REQUEST_TIMEOUT_MS: 's3.requestTimeoutMs',
  S3GATE_S3_IDLE_TIMEOUT_MS: 's3.idleTimeoutMs',
  S3GATE_S3_MAX_ATTEMPTS: 's3.maxAttempts',
  S3GATE_S3_PART_SIZE: 's3.partSize',
  S3GATE_S3_QUEUE_SIZE: 's3.queueSize',
  S3GATE_S3_CHECKSUMS: 's3.checksums',
  S3GATE_S3_COPY_THRESHOLD: 's3.copyThreshold',
  S3GATE_S3_COPY_PART_SIZE: 's3.copyPartSize',
  S3GATE_LINKS_SYSTEM_BUCKET: 'links.systemBucket',
  S3GATE_LINKS_PUBLIC_URL: 'links.publicUrl',
  S3GATE_LINKS_SWEEP_INTERVAL_MS: 'links.sweepIntervalMs',
  S3GATE_LINKS_KEEP_ENDED_MS: 'links.keepEndedMs',
  ...FS_ENV_SETTINGS,
  ...OPS_ENV_SETTINGS,
  ...NETWORK_ENV_SETTINGS,
  ...S3API_ENV_SETTINGS,
  ...AUTH_ENV_SETTINGS,
  ...SSE_ENV_SETTINGS,
};

/** Where the config file is named: this variable or the --config flag. */
export const CONFIG_FILE_ENV = 'S3GATE_CONFIG';

/** S3GATE_* variables that are not service settings: the config file, and the command-line client's. */
const OTHER_VARIABLES = [CONFIG_FILE_ENV, 'S3GATE_ENDPOINT', 'S3GATE_TOKEN'];

/** Prefixes of the variables the project's own test scripts use (scripts/start-radosgw.sh, the tests). */
const TEST_VARIABLE_PREFIXES = ['S3GATE_TEST_', 'S3GATE_RGW_'];

/**
 * A warning for each S3GATE_* variable that names no setting (a typo is otherwise silently ignored), with
 * the closest real name when one is near: "S3GATE_PROT is not a setting (ignored); did you mean S3GATE_PORT?".
 */
export function unknownEnvironmentSettings(env: NodeJS.ProcessEnv): string[] {
  const known = [...Object.keys(ENV_SETTINGS), ...OTHER_VARIABLES];
  return Object.keys(env)
    .filter((name) => name.startsWith('S3GATE_') && !known.includes(name) && !TEST_VARIABLE_PREFIXES.some((p) => name.startsWith(p)))
    .sort()
    .map((name) => {
      const near = closest(name, known);
      // a suggestion only when it is plausibly the same word: at most a third of it different
      const hint = distance(name, near) <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean ${near}?` : '';
      return `${name} is not a setting (ignored)${hint}`;
    });
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file (overrides S3GATE_CONFIG). */
  file?: string | undefined;
  /** Settings from flags, by setting path ("port", "s3.endpoint"); undefined values are ignored. */
  flags?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    node = (node[part] = typeof child === 'object' && child !== null ? child : {}) as Tree;
  }
  node[parts[parts.length - 1] as string] = value;
}

function readConfigFile(path: string, problems: string[]): Tree {
  try {
    const parsed = readJsonFile(path);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Tree;
    problems.push(`config file ${path}: must hold a JSON object`);
  } catch (err) {
    problems.push(`config file ${path}: ${(err as Error).message}`);
  }
  return {};
}

/** Loads, validates and freezes the configuration; throws ConfigError listing every problem. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const problems: string[] = [];
  const file = sources.file ?? env[CONFIG_FILE_ENV];
  const tree: Tree = file ? readConfigFile(file, problems) : {};
  const fileKeys = (tree['auth'] as Tree | undefined)?.['keys'];
  const exposed = file ? exposedSecretsProblem(file, `config file ${file}`, fileKeys) : undefined;
  if (exposed) problems.push(exposed);

  for (const [name, path] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(tree, path, value);
  }
  for (const [path, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) setPath(tree, path, value);
  }

  const before = problems.length;
  mergeKeysFile(tree, problems);
  const keysFileFailed = problems.length > before;

  const result = configSchema.safeParse(tree);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      const envName = Object.keys(ENV_SETTINGS).find((k) => ENV_SETTINGS[k] === path);
      problems.push(`${path || '(root)'}${envName ? ` (${envName})` : ''}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const config = result.data;
  // not when the keys file failed to load: the key list is then empty for that reason, and "no access keys"
  // would be a false second problem
  const refusal = keysFileFailed ? undefined : protectedModeProblem(config);
  if (refusal) problems.push(refusal);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}

/** The configuration as it may be logged: secrets replaced. */
export function redactedConfig(config: Config): unknown {
  return {
    ...config,
    s3: {
      ...config.s3,
      secretAccessKey: config.s3.secretAccessKey ? '[redacted]' : undefined,
      sessionToken: config.s3.sessionToken ? '[redacted]' : undefined,
    },
    auth: redactedAuth(config.auth),
    sse: redactedSse(config.sse),
  };
}
