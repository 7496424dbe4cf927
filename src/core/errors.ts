/**
 * The small error taxonomy for failures that are not platform-file diagnostics: bad command-line
 * input, unreachable daemons, refused writes. Each carries a stable code, a hint and the exit code
 * the CLI uses. Messages must already be redacted when constructed from anything secret.
 */
export const ExitCode = {
  ok: 0,
  /** Some targets failed, drift found (`--check`), or validation errors. */
  failure: 1,
  /** Bad usage: unknown option, missing argument, unreadable input. */
  usage: 2,
  /** Internal error: a bug in dokomodo. */
  internal: 70,
} as const;

export class DokomodoError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(
    code: string,
    message: string,
    opts: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DokomodoError';
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? ExitCode.failure;
  }
}

export function usageError(code: string, message: string, hint?: string): DokomodoError {
  return new DokomodoError(
    code,
    message,
    hint === undefined ? { exitCode: ExitCode.usage } : { hint, exitCode: ExitCode.usage },
  );
}
