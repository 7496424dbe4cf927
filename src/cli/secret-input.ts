/**
 * Reading the wallet passphrase (or a WIF): from standard input with --passphrase-stdin, from
 * DOKOMODO_PASSPHRASE, or from a hidden prompt on the terminal. Never from argv, never echoed;
 * registered for redaction the moment it is read.
 */
import { DokomodoError, ExitCode } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';

export const PASSPHRASE_ENV = 'DOKOMODO_PASSPHRASE';

export interface SecretInputOptions {
  /** Read from standard input (the whole input, one line). */
  stdin?: boolean;
  /** What is being read, for prompts and messages: "passphrase", "WIF". */
  what?: string;
  /** Environment variable to read when not from stdin; none when undefined. */
  envVar?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  input?: NodeJS.ReadStream;
  prompt?: NodeJS.WriteStream;
}

export async function readSecretInput(opts: SecretInputOptions = {}): Promise<string> {
  const what = opts.what ?? 'passphrase';
  const input = opts.input ?? process.stdin;
  const env = opts.env ?? process.env;
  let value: string;
  if (opts.stdin) {
    if (input.isTTY) {
      value = await hiddenPrompt(input, opts.prompt ?? process.stderr, `${what}: `);
    } else {
      value = oneLine(await readAll(input), what);
    }
  } else if (opts.envVar && env[opts.envVar] !== undefined) {
    value = env[opts.envVar]!;
    if (value === '')
      throw bad('passphrase-empty', `${opts.envVar} is set but empty`, `unset it, or put the ${what} in it`);
  } else if (input.isTTY) {
    value = await hiddenPrompt(input, opts.prompt ?? process.stderr, `${what}: `);
  } else {
    throw bad(
      'passphrase-missing',
      `no ${what} given and there is no terminal to ask on`,
      `pipe it in with --passphrase-stdin${opts.envVar ? ` or set ${opts.envVar}` : ''}; it is never taken from the command line`,
    );
  }
  if (value.includes('\0'))
    throw bad('passphrase-invalid', `the ${what} contains a NUL byte`, 'check the input');
  if (value.length === 0) throw bad('passphrase-empty', `the ${what} is empty`, `type or pipe the ${what}`);
  registerSecret(value);
  return value;
}

function bad(code: string, message: string, hint: string): DokomodoError {
  return new DokomodoError(code, message, { hint, exitCode: ExitCode.usage });
}

/** Input read from a pipe: exactly one line; a trailing newline (LF or CRLF) is not part of it. */
function oneLine(text: string, what: string): string {
  const body = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(body)) {
    throw bad(
      `passphrase-multiline`,
      `standard input holds more than one line; the ${what} must be a single line`,
      'pipe in only the one line',
    );
  }
  return body;
}

async function readAll(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > 64 * 1024)
      throw bad('passphrase-invalid', 'standard input is larger than 64 KiB', 'pipe in only the one line');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from a TTY in raw mode without echoing it. Ctrl-C aborts, backspace edits. */
function hiddenPrompt(input: NodeJS.ReadStream, prompt: NodeJS.WriteStream, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const wasRaw = input.isRaw;
    // Echo off before the prompt shows, so nothing typed after it can be echoed.
    input.setRawMode(true);
    prompt.write(label);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.setRawMode(wasRaw);
      input.pause();
      input.removeListener('data', onData);
      prompt.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(bad('aborted', 'aborted at the prompt', 'nothing was changed'));
        if (ch === '\u0004') return done();
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else if (ch >= ' ') buf += ch;
      }
    };
    input.on('data', onData);
  });
}
