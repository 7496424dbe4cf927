/** `dokomodo relay cert`: the platform's relay CA (made once) and one relay's certificate. */
import { ExitCode, usageError } from '../../../core/errors.ts';
import { expandUserPath } from '../../../core/local.ts';
import { makeCerts } from '../../../relay/certs.ts';
import type { Context } from '../../context.ts';
import { printJson } from '../../output.ts';
import { usableDir } from '../../paths.ts';

export interface RelayCertOptions {
  out: string;
  san: string;
  days?: number;
}

export async function relayCert(ctx: Context, opts: RelayCertOptions): Promise<number> {
  // --name is the relay command's own option (`relay --name NAME cert` or `relay cert --name NAME`)
  const name = (ctx.opts as { name?: string }).name;
  if (name === undefined)
    throw usageError('bad-option', 'relay cert needs --name NAME (the relay, usually its host)');
  const dir = expandUserPath(opts.out);
  usableDir('--out', dir);
  const names = opts.san
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const made = await makeCerts({ dir, name: name, names, ...(opts.days ? { days: opts.days } : {}) });
  if (ctx.opts.json) printJson(ctx.out, made);
  else {
    const o = ctx.out;
    o.stdout(
      `${made.newCa ? 'made the CA' : 'used the CA'} ${made.files.ca} (key ${made.files.caKey}, 0600)\n`,
    );
    o.stdout(`made ${made.files.cert} for ${names.join(', ')} (key ${made.files.key}, 0600)\n`);
    o.stdout(`pin   sha256:${made.fingerprint}\n`);
    o.stdout(
      'copy ca.pem and this relay’s two files to its host; keep ca-key.pem on the machine that makes certificates\n',
    );
  }
  return ExitCode.ok;
}
