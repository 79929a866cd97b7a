/**
 * Errors the CLI turns into one line and an exit code, with a stable code users and tests can
 * match on. Anything else is a bug and keeps its stack trace.
 */

/** The user asked for something invalid: exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly code: string = 'USAGE',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** This machine lacks something the command needs (Ruby, the lab build, root...): exit 2. */
export class EnvironmentError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly code: string = 'ENVIRONMENT',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvironmentError';
  }
}

export function isUserFacing(e: unknown): e is UsageError | EnvironmentError {
  return e instanceof UsageError || e instanceof EnvironmentError;
}
