/**
 * The environment of a long-lived process dokomodo starts (a chain daemon, the detached devnet):
 * built from a short list, never inherited whole. dokomodo's own environment holds the wallet
 * passphrase and the platform secret, and a daemon keeps its environment readable in
 * /proc/PID/environ for its whole life.
 */
import { containsSecret } from './redact.ts';

/**
 * What a daemon may need from ours: where programs are, whose home (komodod's ~/.komodo and
 * ~/.zcash-params), the user, the locale and time zone, and the temporary directory.
 */
export const DAEMON_ENV_KEYS: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'LC_NUMERIC',
  'LC_TIME',
  'TZ',
  'TMPDIR',
];

/**
 * The listed variables of `from` (default this process's environment) plus `extra`. A value that
 * contains a registered secret is left out even when listed (a passphrase pasted into LANG is
 * still a passphrase).
 */
export function daemonEnv(
  extra: Record<string, string> = {},
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of DAEMON_ENV_KEYS) {
    const v = from[k];
    if (v !== undefined && !containsSecret(v)) env[k] = v;
  }
  if (env['PATH'] === undefined) env['PATH'] = '/usr/local/bin:/usr/bin:/bin';
  return { ...env, ...extra };
}
