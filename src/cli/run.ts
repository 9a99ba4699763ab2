/** Runs a commander program and turns every way it can end into one of the documented exit codes. */
import { type Command, CommanderError } from 'commander';
import { CliError, EXIT, UnreachableError, networkErrorCode } from './errors.js';

/** Every command in the tree throws instead of exiting, so that usage errors get exit code 2. */
function throwOnExit(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnExit(sub);
}

function fail(message: string, code: number): void {
  process.stderr.write(`s3gate: ${message}\n`);
  process.exitCode = code;
}

export async function runProgram(program: Command, argv: string[]): Promise<void> {
  throwOnExit(program);
  // `s3gate object ls big | head` closes our stdout early: that is not a failure
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw err;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the help or the error; help and --version are not failures
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof CliError) {
      fail(err.message, err.exitCode);
    } else if (networkErrorCode(err) !== undefined) {
      fail(new UnreachableError('the service', String(networkErrorCode(err))).message, EXIT.unreachable);
    } else {
      fail(err instanceof Error ? err.message : String(err), EXIT.service);
    }
  }
}
