/** `dokomodo keys convert`: a WIF of one coin as the WIF and address of the others. */
import { DokomodoError, ExitCode, usageError } from '../../../core/errors.ts';
import { registerSecret } from '../../../core/redact.ts';
import { COINS, coinInfo } from '../../../komodo/coins.ts';
import { convertWif, decodeWif, KeyError } from '../../../komodo/keys.ts';
import type { Context } from '../../context.ts';
import { readSecretInput } from '../../secret-input.ts';

export async function convert(
  ctx: Context,
  wifArg: string | undefined,
  opts: { to: string },
): Promise<number> {
  const target = coinInfo(opts.to.toUpperCase());
  if (!target) {
    throw usageError(
      'unknown-coin',
      `unknown coin \`${opts.to}\``,
      `known coins: ${Object.keys(COINS).join(', ')}`,
    );
  }
  const wif =
    wifArg === undefined || wifArg === '-'
      ? await readSecretInput({
          stdin: !process.stdin.isTTY || wifArg === '-',
          what: 'WIF',
          envVar: undefined,
        })
      : wifArg;
  registerSecret(wif);
  let converted: string;
  try {
    decodeWif(wif);
    converted = convertWif(wif, target.wiftype);
  } catch (e) {
    if (e instanceof KeyError) {
      throw new DokomodoError(e.code, `the WIF is not valid: ${e.message}`, {
        hint: 'check that it was copied whole (51 or 52 base58 characters)',
        exitCode: ExitCode.usage,
      });
    }
    throw e;
  }
  if (ctx.opts.json) process.stdout.write(`${JSON.stringify({ coin: target.symbol, wif: converted })}\n`);
  else process.stdout.write(`${converted}\n`);
  return 0;
}
