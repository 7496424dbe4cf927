/**
 * The platform secret, from which every chain's RPC credentials are derived. Read only when an
 * operation needs it, from the environment or a 0600 file, never from the platform file, and
 * registered for redaction as soon as it is read.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { DokomodoError } from '../core/errors.ts';
import type { SystemHost } from '../core/host.ts';
import { registerSecret } from '../core/redact.ts';
import type { Platform } from './model.ts';

export const MIN_SECRET_LENGTH = 16;

export function readSecret(platform: Platform, host: SystemHost): string {
  const src = platform.secret;
  let value: string;
  if ('env' in src) {
    const v = host.env[src.env];
    if (v === undefined || v === '') {
      throw new DokomodoError(
        'secret-missing',
        `the platform secret is not set: environment variable ${src.env} is empty`,
        {
          hint: `export ${src.env}=$(head -c 32 /dev/urandom | base64) once and keep it safe; every host must use the same value`,
        },
      );
    }
    value = v;
  } else {
    const path = isAbsolute(src.file) ? src.file : resolve(dirname(platform.file), src.file);
    const mode = host.mode(path);
    if (mode === undefined) {
      throw new DokomodoError('secret-missing', `the platform secret file ${path} does not exist`, {
        hint: `create it with: head -c 32 /dev/urandom | base64 > ${path} && chmod 600 ${path}`,
      });
    }
    if ((mode & 0o077) !== 0) {
      throw new DokomodoError(
        'secret-file-mode',
        `the platform secret file ${path} is readable by others (mode ${(mode & 0o777).toString(8)})`,
        {
          hint: `chmod 600 ${path}`,
        },
      );
    }
    const got = host.read(path);
    if ('error' in got) {
      throw new DokomodoError('secret-missing', `the platform secret file ${path}: ${got.error}`);
    }
    value = got.text.replace(/\r?\n$/, '');
  }
  registerSecret(value);
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
