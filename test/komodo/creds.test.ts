import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { komodoUserPass, serializeConf } from '../../src/komodo/conf.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';

describe('rpcCredentials (dokomodo/v1)', () => {
  it('pinned values: the scheme is a deployed contract and must never change', () => {
    expect(rpcCredentials('correct horse battery staple', 'DOC')).toEqual({
      user: 'dkf678f7090bf36db5',
      password: 'da7c4cbebfc53f0f6429e456125186c57552667c2d0e395ac21aca5b0c3e1620',
    });
    expect(rpcCredentials('correct horse battery staple', 'KMD')).toEqual({
      user: 'dka125044777d360ac',
      password: '2ac0d427f792a02034128f4175ea52303ba6054ec2dc546834f0a665692320db',
    });
  });

  it('matches the documented formula computed independently', () => {
    const mac = (secret: string, msg: string) =>
      createHmac('sha256', Buffer.from(secret, 'utf8')).update(msg, 'utf8').digest('hex');
    for (const [secret, chain] of [
      ['s', 'DOC'],
      ['pässwörd', 'MARTY'],
      ['', 'x'],
    ] as const) {
      expect(rpcCredentials(secret, chain)).toEqual({
        user: `dk${mac(secret, `dokomodo/v1/rpcuser/${chain}`).slice(0, 16)}`,
        password: mac(secret, `dokomodo/v1/rpcpassword/${chain}`),
      });
    }
  });

  it('differs per chain and per secret', () => {
    const a = rpcCredentials('secret', 'DOC');
    const b = rpcCredentials('secret', 'MARTY');
    const c = rpcCredentials('secret2', 'DOC');
    expect(a.user).not.toBe(b.user);
    expect(a.password).not.toBe(b.password);
    expect(a.user).not.toBe(c.user);
    expect(a.password).not.toBe(c.password);
    expect(a.user).not.toBe(a.password.slice(0, 18));
  });

  it('shape: 18-char user, 64-hex password, safe for both conf readers', () => {
    const { user, password } = rpcCredentials('secret', 'DOC');
    expect(user).toMatch(/^dk[0-9a-f]{16}$/);
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    const text = serializeConf([
      { key: 'rpcuser', value: user },
      { key: 'rpcpassword', value: password },
    ]);
    expect(komodoUserPass(text)).toEqual({ user, password });
  });
});
