// The tokens file: parsing, hashing, allow lists (wildcards never cover key-bearing calls).
import { describe, expect, it } from 'vitest';
import {
  allows,
  caseClash,
  findCertToken,
  findToken,
  hashToken,
  KEY_BEARING,
  methodName,
  newToken,
  parseTokens,
  tokenEntryYaml,
} from '../../src/relay/tokens.ts';

const entry = (allow: string[], extra = '') =>
  `tokens:\n  - id: t1\n    sha256: ${hashToken('secret-token')}\n    allow: [${allow.map((a) => `'${a}'`).join(', ')}]\n${extra}`;

describe('relay tokens', () => {
  it('finds a token by its hash only; the file never holds the token', () => {
    const text = entry(['dpow.*']);
    expect(text).not.toContain('secret-token');
    const list = parseTokens(text, 'f');
    expect(findToken(list, 'secret-token')?.id).toBe('t1');
    expect(findToken(list, 'secret-tokeN')).toBeUndefined();
    expect(findToken(list, '')).toBeUndefined();
  });

  it('allow: exact names, agent.* and *; key-bearing calls only by exact name', () => {
    const [star] = parseTokens(entry(['*']), 'f');
    const [dpow] = parseTokens(entry(['dpow.*', 'SuperNET.activehandle']), 'f');
    const [keys] = parseTokens(entry(['*', 'walletpassphrase']), 'f');
    expect(allows(star!, 'iguana.addcoin')).toBe(true);
    for (const k of KEY_BEARING) expect([k, allows(star!, k)]).toEqual([k, false]);
    expect(allows(star!, 'SuperNET.stop')).toBe(false);
    expect(allows(dpow!, 'dpow.ipaddrs')).toBe(true);
    expect(allows(dpow!, 'SuperNET.activehandle')).toBe(true);
    expect(allows(dpow!, 'SuperNET.myipaddr')).toBe(false);
    expect(allows(dpow!, 'iguana.dpow')).toBe(false);
    expect(allows(keys!, 'walletpassphrase')).toBe(true);
    expect(allows(keys!, 'importprivkey')).toBe(false);
    // SuperNET.* does not reach SuperNET.login
    const [sn] = parseTokens(entry(['SuperNET.*']), 'f');
    expect(allows(sn!, 'SuperNET.login')).toBe(false);
    expect(allows(sn!, 'SuperNET.help')).toBe(true);
  });

  it('compares names without case, as Iguana’s cJSON reads keys', () => {
    const [star] = parseTokens(entry(['*']), 'f');
    const [keys] = parseTokens(entry(['walletpassphrase', 'dpow.*']), 'f');
    expect(allows(star!, 'WalletPassphrase')).toBe(false);
    expect(allows(star!, 'superNET.LOGIN')).toBe(false);
    expect(allows(keys!, 'WALLETPASSPHRASE')).toBe(true);
    expect(allows(keys!, 'DPOW.ipaddrs')).toBe(true);
    // a key-bearing method under another agent is key-bearing too
    expect(allows(star!, 'iguana.walletpassphrase')).toBe(false);
    expect(allows(star!, 'anything.importprivkey')).toBe(false);
    expect(caseClash({ METHOD: 'walletpassphrase', method: 'ipaddrs', agent: 'dpow' })).toBe('method');
    expect(caseClash({ agent: 'dpow', method: 'ipaddrs' })).toBeUndefined();
  });

  it('method names as Iguana takes them', () => {
    expect(methodName({ agent: 'dpow', method: 'ipaddrs' })).toBe('dpow.ipaddrs');
    expect(methodName({ method: 'walletpassphrase', params: [] })).toBe('walletpassphrase');
    expect(methodName({ agent: '', method: 'getinfo' })).toBe('getinfo');
    expect(methodName({ agent: 'x' })).toBeUndefined();
    expect(methodName([{ method: 'x' }])).toBeUndefined();
  });

  it('expiry, rate and errors', () => {
    const [t] = parseTokens(entry(['*'], "    expires: '2030-01-01T00:00:00Z'\n    rate: 5\n"), 'f');
    expect(t!.expiresAt).toBe(Date.UTC(2030, 0, 1));
    expect(t!.rate).toBe(5);
    expect(() => parseTokens(entry(['*'], '    expires: soon\n'), 'f')).toThrow(/expires is not a date/);
    expect(() => parseTokens(`${entry(['*'])}${entry(['*']).replace('tokens:\n', '')}`, 'f')).toThrow(
      /appears twice/,
    );
    expect(() => parseTokens('tokens:\n  - id: x\n    allow: ["*"]\n', 'f')).toThrow(/relay|sha256/);
    expect(() => parseTokens(entry(['rm -rf']), 'f')).toThrow();
    expect(() => parseTokens('tokens: [', 'f')).toThrow();
    expect(parseTokens('tokens:\n', 'f')).toEqual([]);
    // a certificate entry instead of a token; not both, not neither
    const [c] = parseTokens('tokens:\n  - { id: l, cert: laptop, allow: ["*"] }\n', 'f');
    expect(findCertToken([c!], 'laptop')?.id).toBe('l');
    expect(findToken([c!], 'laptop')).toBeUndefined();
    expect(() =>
      parseTokens(`tokens:\n  - { id: l, cert: x, sha256: ${hashToken('t')}, allow: ["*"] }\n`, 'f'),
    ).toThrow(/either sha256/);
    expect(() => parseTokens('tokens:\n  - { id: l, allow: ["*"] }\n', 'f')).toThrow(/either sha256/);
  });

  it('entries written by relay token read back', () => {
    const tok = newToken();
    expect(tok).toMatch(/^dkr_[A-Za-z0-9_-]{43}$/);
    const text = `tokens:\n${tokenEntryYaml({ id: 'a', sha256: hashToken(tok), allow: ['*', 'walletpassphrase'], expires: '2030-01-01T00:00:00.000Z', rate: 2 })}`;
    const [t] = parseTokens(text, 'f');
    expect(findToken([t!], tok)?.allow).toEqual(['*', 'walletpassphrase']);
  });
});
