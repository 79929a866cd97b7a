/**
 * `mirrord-regress`: does build X show the exec-hook bug, with which guard strategy, on which
 * runtime and platform, and why? Entry point: parses the command line, runs the command, turns
 * user-facing errors into one line and exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../version.ts';
import { bisectCommand } from './commands/bisect.ts';
import { doctorCommand } from './commands/doctor.ts';
import { imagesCommand } from './commands/images.ts';
import { labCommand } from './commands/lab.ts';
import { matrixCommand } from './commands/matrix.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { isUserFacing } from './errors.ts';

export function program(): Command {
  const root = new Command('mirrord-regress')
    .description('Reproducible regression harness for mirrord\'s exec hooks (the 3.112.0 vfork guard leak).')
    .version(TOOL_VERSION)
    .addCommand(runCommand())
    .addCommand(matrixCommand())
    .addCommand(reportCommand())
    .addCommand(bisectCommand())
    .addCommand(imagesCommand())
    .addCommand(doctorCommand())
    .addCommand(labCommand())
    .addHelpText('after', `
Start with:  npx mirrord-regress doctor
Main job:    npm run matrix   (the lab on this host, as root, against a cluster of network namespaces: no Kubernetes, no Docker)`);
  // Every (sub)command reports its own parse errors as one line and exit 2, not commander's default 1.
  const quiet = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    cmd.commands.forEach(quiet);
  };
  quiet(root);
  return root;
}

export async function main(argv: string[]): Promise<number> {
  process.exitCode = 0;
  try {
    await program().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      // commander puts its "(Did you mean --jobs?)" on a line of its own: one line, always.
      process.stderr.write(`mirrord-regress: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    if (isUserFacing(e)) {
      process.stderr.write(`mirrord-regress: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
