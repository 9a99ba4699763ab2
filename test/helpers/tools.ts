/**
 * The real S3 client tools the client tests drive (aws CLI v2, boto3, rclone, s3cmd), found on PATH.
 *
 *   const aws = await findTool(AWS_CLI);
 *   describe('...', 'skip' in aws ? { skip: aws.skip } : {}, () => { ... aws.tool.path ... });
 *
 * Each PATH entry is probed in order and the first that answers as wanted is taken: a PATH may hold an
 * older tool first (pyenv's aws CLI v1 before Debian's v2). A tool that is absent skips its tests loudly on
 * a developer's machine; under CI (CI set) it throws instead, as .ci/run installs them all.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export interface ToolSpec {
  /** What the tests call it. */
  name: string;
  /** The executable looked for on PATH. */
  command: string;
  /** Arguments that make it tell its version (and prove it works). */
  probe: string[];
  /** Whether the probe's output names a version the tests support. */
  accepts: RegExp;
  /** The Debian package that brings it. */
  debianPackage: string;
}

export interface Tool {
  name: string;
  /** Absolute path of the executable. */
  path: string;
  /** The probe's first line: what version ran the tests. */
  version: string;
}

export const AWS_CLI: ToolSpec = { name: 'aws CLI v2', command: 'aws', probe: ['--version'], accepts: /^aws-cli\/2\./, debianPackage: 'awscli' };
export const BOTO3: ToolSpec = {
  name: 'boto3',
  command: 'python3',
  probe: ['-c', 'import boto3; print("boto3", boto3.__version__)'],
  accepts: /^boto3 1\./,
  debianPackage: 'python3-boto3',
};
export const RCLONE: ToolSpec = { name: 'rclone', command: 'rclone', probe: ['version'], accepts: /^rclone v1\./, debianPackage: 'rclone' };
export const S3CMD: ToolSpec = { name: 's3cmd', command: 's3cmd', probe: ['--version'], accepts: /^s3cmd version 2\./, debianPackage: 's3cmd' };

const run = promisify(execFile);

async function probe(spec: ToolSpec, path: string): Promise<Tool | undefined> {
  try {
    await access(path, constants.X_OK);
    // a clean environment but PATH: a shim or wrapper may need it; HOME unset so no user config is read
    const { stdout, stderr } = await run(path, spec.probe, { env: { PATH: process.env['PATH'] }, timeout: 15_000 });
    const version = `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
    return spec.accepts.test(version) ? { name: spec.name, path, version } : undefined;
  } catch {
    return undefined; // not there, not runnable, or a version that does not start: try the next entry
  }
}

export async function findTool(spec: ToolSpec, env: NodeJS.ProcessEnv = process.env): Promise<{ tool: Tool } | { skip: string }> {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of [...new Set(dirs)]) {
    const tool = await probe(spec, join(dir, spec.command));
    if (tool) return { tool };
  }
  const why = `no ${spec.command} on PATH answers \`${spec.command} ${spec.probe.join(' ')}\` as ${spec.accepts}; install it: apt-get install ${spec.debianPackage}`;
  if (env['CI']) throw new Error(`CI must provide ${spec.name} for the S3 client tests: ${why}`);
  const skip = `${spec.name} tests skipped: ${why}`;
  console.warn(`\n*** ${skip} ***\n`);
  return { skip };
}

/** ", <version>" for a suite's name ("aws-cli/2.9.19", "rclone v1.60.1"): which tool it tested; "" when skipped. */
export function toolVersion(found: { tool: Tool } | { skip: string }): string {
  if (!('tool' in found)) return '';
  const words = found.tool.version.split(' ');
  const upTo = words.findIndex((word) => /\d+\.\d+/.test(word));
  return `, ${words.slice(0, upTo + 1 || words.length).join(' ')}`;
}
