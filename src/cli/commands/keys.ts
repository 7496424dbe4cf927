import { bytesToHex } from '@noble/hashes/utils.js';
import { DokomodoError, ExitCode, usageError } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';
import { COINS, type CoinInfo, coinInfo } from '../../komodo/coins.ts';
import { convertWif, decodeWif, deriveKeys, KeyError } from '../../komodo/keys.ts';
import type { Context } from '../context.ts';
import { paint, table } from '../output.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../secret-input.ts';

function resolveCoins(list: string | undefined): CoinInfo[] {
  if (!list) return Object.values(COINS);
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((sym) => {
      const info = coinInfo(sym.toUpperCase());
      if (!info) {
        throw usageError(
          'unknown-coin',
          `unknown coin \`${sym}\``,
          `known coins: ${Object.keys(COINS).join(', ')}; assetchains use KMD's`,
        );
      }
      return info;
    });
}

export async function derive(
  ctx: Context,
  opts: { coins?: string; passphraseStdin?: boolean; showSecrets?: boolean },
): Promise<number> {
  const coins = resolveCoins(opts.coins);
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  const keys = deriveKeys(passphrase, coins);
  const privHex = bytesToHex(keys.privkey);
  if (opts.showSecrets) {
    // Deliberately shown: lift these values out of the redaction set for this output only.
    return printKeys(ctx, keys, privHex, true);
  }
  for (const c of Object.values(keys.coins)) registerSecret(c.wif);
  registerSecret(privHex);
  return printKeys(ctx, keys, privHex, false);
}

function printKeys(
  ctx: Context,
  keys: ReturnType<typeof deriveKeys>,
  privHex: string,
  secrets: boolean,
): number {
  const write = secrets ? (s: string) => process.stdout.write(s) : (s: string) => ctx.out.stdout(s);
  if (ctx.opts.json) {
    const coins = Object.fromEntries(
      Object.entries(keys.coins).map(([sym, c]) => [
        sym,
        secrets ? { address: c.address, wif: c.wif } : { address: c.address },
      ]),
    );
    write(
      `${JSON.stringify({ pubkey: keys.pubkey, ...(secrets ? { privkey: privHex } : {}), coins }, null, 2)}\n`,
    );
    return 0;
  }
  write(`pubkey  ${keys.pubkey}\n`);
  if (secrets) write(`privkey ${privHex}\n`);
  write('\n');
  const rows = Object.entries(keys.coins).map(([sym, c]) =>
    secrets ? [sym, c.address, c.wif] : [sym, c.address],
  );
  write(table(secrets ? ['COIN', 'ADDRESS', 'WIF'] : ['COIN', 'ADDRESS'], rows));
  if (!secrets)
    ctx.out.stderr(paint(ctx.out, 'dim', 'WIFs and the private key are shown only with --show-secrets\n'));
  return 0;
}

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
