/**
 * The platform secret, from which every chain's RPC credentials are derived. Read only when an
 * operation needs it, from the environment or a 0600 file, never from the platform file, and
 * registered for redaction as soon as it is read.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { DokomodoError } from '../core/errors.ts';
import type { SystemHost } from '../core/host.ts';
import { registerSecret } from '../core/redact.ts';
import type { Platform, SecretSource } from './model.ts';

export const MIN_SECRET_LENGTH = 16;

/** How a secret is named in messages, and what to do when it is missing. */
export interface SecretLabel {
  /** e.g. "the platform secret", "the token of alert channel ops" */
  what: string;
  /** Diagnostic code when it is absent. */
  missingCode: string;
  envHint: (variable: string) => string;
  fileHint: (path: string) => string;
}

const PLATFORM_SECRET: SecretLabel = {
  what: 'the platform secret',
  missingCode: 'secret-missing',
  envHint: (v) =>
    `export ${v}=$(head -c 32 /dev/urandom | base64) once and keep it safe; every host must use the same value`,
  fileHint: (p) => `create it with: head -c 32 /dev/urandom | base64 > ${p} && chmod 600 ${p}`,
};

/**
 * A secret from `{ env }` or `{ file }` (relative to the platform file; refused unless 0600),
 * registered for redaction as soon as it is read. Every secret dokomodo reads comes through here.
 */
export function readSecretSource(
  platform: Platform,
  host: SystemHost,
  src: SecretSource,
  label: SecretLabel,
): string {
  let value: string;
  if ('env' in src) {
    const v = host.env[src.env];
    if (v === undefined || v === '') {
      throw new DokomodoError(
        label.missingCode,
        `${label.what} is not set: environment variable ${src.env} is empty`,
        {
          hint: label.envHint(src.env),
        },
      );
    }
    value = v;
  } else {
    const path = isAbsolute(src.file) ? src.file : resolve(dirname(platform.file), src.file);
    const mode = host.mode(path);
    if (mode === undefined) {
      throw new DokomodoError(label.missingCode, `${label.what} file ${path} does not exist`, {
        hint: label.fileHint(path),
      });
    }
    if ((mode & 0o077) !== 0) {
      throw new DokomodoError(
        'secret-file-mode',
        `${label.what} file ${path} is readable by others (mode ${(mode & 0o777).toString(8)})`,
        { hint: `chmod 600 ${path}` },
      );
    }
    const got = host.read(path);
    if ('error' in got)
      throw new DokomodoError(label.missingCode, `${label.what} file ${path}: ${got.error}`);
    value = got.text.replace(/\r?\n$/, '');
  }
  registerSecret(value);
  return value;
}

export function readSecret(platform: Platform, host: SystemHost): string {
  const value = readSecretSource(platform, host, platform.secret, PLATFORM_SECRET);
  if (value.length < MIN_SECRET_LENGTH) {
    throw new DokomodoError(
      'secret-too-short',
      `the platform secret has ${value.length} characters; at least ${MIN_SECRET_LENGTH} are needed`,
      {
        hint: 'generate one with: head -c 32 /dev/urandom | base64',
      },
    );
  }
  return value;
}
