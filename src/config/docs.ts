/**
 * Every setting that has an S3GATE_* variable, described for people (`s3gate serve --help`): the variable
 * comes from the loader's own table (load.ts), the meaning from the schema's `.describe()`, the default from
 * the schema itself. Nothing here is written twice, so the help cannot drift from what the loader reads.
 */
import { z } from 'zod';
import { bool, size } from './fields.js';
import { ENV_SETTINGS } from './load.js';
import { configSchema } from './schema.js';

export type SettingKind = 'bool' | 'size' | 'value';

export interface SettingDoc {
  env: string;
  /** Path in the config file: "port", "s3.endpoint". */
  path: string;
  help: string | undefined;
  kind: SettingKind;
  /** The default as a person would write it ("5GiB", "true", "127.0.0.1"); undefined when there is none. */
  defaultText: string | undefined;
}

/** One level less of wrapping (default, prefault, optional, transform), or undefined at the core. */
function inner(schema: z.ZodType): z.ZodType | undefined {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) return schema.unwrap() as z.ZodType;
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  return undefined;
}

/** Every wrapping of a field, outermost first (a description sits on the one `.describe()` was called on). */
function layers(schema: z.ZodType): z.ZodType[] {
  const out: z.ZodType[] = [];
  for (let at: z.ZodType | undefined = schema; at; at = inner(at)) out.push(at);
  return out;
}

function fieldAt(path: string): z.ZodType | undefined {
  let schema: z.ZodType | undefined = configSchema;
  for (const part of path.split('.')) {
    const object: z.ZodType | undefined = schema && layers(schema).find((layer) => layer instanceof z.ZodObject);
    schema = object instanceof z.ZodObject ? (object.shape as Record<string, z.ZodType>)[part] : undefined;
  }
  return schema;
}

const BINARY_UNITS: Array<[string, number]> = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

export function formatSize(bytes: number): string {
  const unit = BINARY_UNITS.find(([, factor]) => bytes >= factor && bytes % factor === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : String(bytes);
}

function valueAt(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

function formatDefault(value: unknown, kind: SettingKind): string | undefined {
  if (value === undefined) return undefined;
  if (kind === 'size' && typeof value === 'number') return formatSize(value);
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  return String(value);
}

export function settingDocs(): SettingDoc[] {
  const defaults = configSchema.parse({});
  return Object.entries(ENV_SETTINGS).map(([env, path]) => {
    const field = fieldAt(path);
    const all = field ? layers(field) : [];
    const kind: SettingKind = all.includes(bool) ? 'bool' : all.includes(size) ? 'size' : 'value';
    const help = all.map((layer) => layer.description).find((text) => text !== undefined);
    return { env, path, help, kind, defaultText: formatDefault(valueAt(defaults, path), kind) };
  });
}

/** The settings as help text: one line each, "S3GATE_PORT   port to listen on (default 9090)". */
export function settingsHelp(): string {
  const docs = settingDocs();
  const width = Math.max(...docs.map((d) => d.env.length)) + 2;
  const lines = docs.map((d) => `  ${d.env.padEnd(width)}${d.help ?? ''}${d.defaultText === undefined ? '' : ` (default ${d.defaultText})`}`);
  return lines.join('\n');
}
