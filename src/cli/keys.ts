/**
 * `keys create | hash`: access keys for the service's configuration. Offline: nothing is sent anywhere.
 * The secret is printed once, with the config entry that holds only its hash.
 */
import { text } from 'node:stream/consumers';
import { Command, InvalidArgumentError } from 'commander';
import { ACTIONS } from '../auth/grants.js';
import { accessKeySchema } from '../config/auth.js';
import { generateKeyId, generateSecret, hashSecret } from '../auth/keys.js';
import { formatToken } from '../auth/token.js';
import { UsageError } from './errors.js';
import { printJson, printLine } from './output.js';

interface RawGrant {
  bucket: string;
  prefix: string;
  actions: string[];
}

const actionList = (list: string) => list.split(',').map((a) => a.trim()).filter((a) => a !== '');

/** `bucket[/prefix]=actions`: `photos/2026/=read,list`, `*=admin`. The last "=" splits (a prefix may hold one). */
function parseGrant(spec: string): RawGrant {
  const at = spec.lastIndexOf('=');
  if (at <= 0) throw new InvalidArgumentError('a grant is bucket[/prefix]=actions, e.g. photos/2026/=read,list or *=admin');
  const target = spec.slice(0, at);
  const slash = target.indexOf('/');
  return {
    bucket: slash < 0 ? target : target.slice(0, slash),
    prefix: slash < 0 ? '' : target.slice(slash + 1),
    actions: actionList(spec.slice(at + 1)),
  };
}

interface CreateOptions {
  id?: string;
  description?: string;
  bucket?: string;
  prefix?: string;
  actions?: string;
  grant?: RawGrant[];
  json?: boolean;
  s3?: boolean;
}

function grantsOf(opts: CreateOptions): RawGrant[] {
  const grants = [...(opts.grant ?? [])];
  if (opts.bucket !== undefined || opts.actions !== undefined || opts.prefix !== undefined) {
    if (opts.bucket === undefined || opts.actions === undefined) throw new UsageError('--bucket and --actions go together');
    grants.push({ bucket: opts.bucket, prefix: opts.prefix ?? '', actions: actionList(opts.actions) });
  }
  if (grants.length === 0) throw new UsageError('a key needs a grant: --bucket <name|*> --actions <list>, or --grant bucket[/prefix]=actions');
  return grants;
}

function createCommand(): Command {
  return new Command('create')
    .description('make an access key: prints its secret once, and the config entry (with the hash only)')
    .option('--bucket <name>', 'the bucket of one grant, or * for every bucket')
    .option('--prefix <prefix>', 'only keys that start with this (default: the whole bucket)')
    .option('--actions <list>', `comma-separated: ${ACTIONS.join(', ')} (metrics: only with --bucket "*")`)
    .option('--grant <bucket[/prefix]=actions>', 'a grant in one word; repeatable', (v: string, prev: RawGrant[] | undefined) => [...(prev ?? []), parseGrant(v)])
    .option('--id <id>', 'the key id (default: a new random one)')
    .option('--description <text>', 'a note kept with the key in the config')
    .option('--s3', 'a key that also signs S3 requests: its entry keeps the secret itself (put it in a file only its owner can read)')
    .option('--json', 'one JSON object: {"id","secret","token","key"}')
    .addHelpText('after', '\nExamples:\n  s3gate keys create --bucket photos --prefix 2026/ --actions read,list\n  s3gate keys create --grant photos=read,list,write --grant archive=read\n  s3gate keys create --bucket "*" --actions admin      # every bucket, every action\n  s3gate keys create --bucket "*" --actions metrics    # /metrics only, for a scraper\n  s3gate keys create --s3 --bucket photos --actions read,list,write   # for aws, rclone, s3cmd too')
    .action((opts: CreateOptions) => {
      const secret = generateSecret();
      // SigV4 is an HMAC keyed by the secret: a key that signs S3 requests keeps it, others only its hash
      const stored = opts.s3 ? { secret } : { secretHash: hashSecret(secret) };
      const candidate = { id: opts.id ?? generateKeyId(), description: opts.description, ...stored, grants: grantsOf(opts) };
      const checked = accessKeySchema.safeParse(candidate);
      if (!checked.success) {
        throw new UsageError(checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const key = checked.data;
      const token = formatToken(key.id, secret);
      if (opts.json) return printJson({ id: key.id, secret, token, key });
      printLine(`Access key ${key.id} created. Its secret is shown only now: keep it safe.\n`);
      printLine(`  id:     ${key.id}`);
      printLine(`  secret: ${secret}`);
      printLine(`  token:  ${token}`);
      printLine('          send it as "Authorization: Bearer <token>" (the s3gate CLI: S3GATE_TOKEN or --token)\n');
      if (opts.s3) {
        printLine(`  S3 clients: access key id ${key.id}, secret access key ${secret}\n`);
        printLine('This entry holds the secret itself: keep it in a file only its owner can read (chmod 600);');
        printLine('the service refuses a config or keys file with secrets that its group or others may read.\n');
      }
      printLine('Add this entry to "auth.keys" in the config file, or to the array in S3GATE_KEYS_FILE:\n');
      printLine(JSON.stringify(key, null, 2));
    });
}

function hashCommand(): Command {
  return new Command('hash')
    .description('print the secretHash of an existing secret (read from stdin when not given, to keep it out of shell history)')
    .argument('[secret]', 'the secret; - or nothing reads it from stdin')
    .action(async (given: string | undefined) => {
      const secret = given === undefined || given === '-' ? (await text(process.stdin)).replace(/\r?\n$/, '') : given;
      if (secret === '') throw new UsageError('an empty secret');
      printLine(hashSecret(secret));
    });
}

export function keysCommand(): Command {
  return new Command('keys')
    .description('make access keys for the service (offline: prints config entries)')
    .addCommand(createCommand())
    .addCommand(hashCommand());
}
