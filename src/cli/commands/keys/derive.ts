/** `dokomodo keys derive`: the notary pubkey, and each coin’s address and WIF, from the passphrase. */
import { bytesToHex } from '@noble/hashes/utils.js';
import { usageError } from '../../../core/errors.ts';
import { registerSecret } from '../../../core/redact.ts';
import { COINS, type CoinInfo, coinInfo } from '../../../komodo/coins.ts';
import { deriveKeys } from '../../../komodo/keys.ts';
import type { Context } from '../../context.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../../secret-input.ts';
import { printKeys } from '../../views/keys.ts';

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
