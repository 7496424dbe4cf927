import { describe, expect, it } from 'vitest';
import { DokomodoError } from '../../src/core/errors.ts';
import { launchArgs, parseLaunchArgs } from '../../src/komodo/args.ts';

describe('launchArgs', () => {
  it('KMD has no -ac_name', () => {
    expect(launchArgs('KMD', {})).toEqual([]);
    expect(launchArgs('', {}, { pubkey: '02ab' })).toEqual(['-pubkey=02ab']);
  });

  it('writes name, params, args, managed options and addnodes in that order', () => {
    const argv = launchArgs(
      'THC',
      { ac_supply: '251253103', ac_reward: '360000000,300000000', ac_sapling: '1' },
      {
        args: { addressindex: '1', earlytxid: 'abc' },
        addnode: ['1.2.3.4', 'seed.example:1234'],
        pubkey: '02aa',
        datadir: '/data/THC',
        conf: 'THC.conf',
        port: 36789,
        rpcport: 36790,
      },
    );
    expect(argv).toEqual([
      '-ac_name=THC',
      '-ac_supply=251253103',
      '-ac_reward=360000000,300000000',
      '-ac_sapling=1',
      '-addressindex=1',
      '-earlytxid=abc',
      '-pubkey=02aa',
      '-datadir=/data/THC',
      '-conf=THC.conf',
      '-port=36789',
      '-rpcport=36790',
      '-addnode=1.2.3.4',
      '-addnode=seed.example:1234',
    ]);
  });

  it('never writes an option without a value', () => {
    expect(() => launchArgs('X', { ac_public: '' })).toThrow(DokomodoError);
    expect(() => launchArgs('X', {}, { args: { gen: '' } })).toThrow(/empty value/);
    expect(() => launchArgs('X', {}, { addnode: [''] })).toThrow(DokomodoError);
  });

  it('refuses keys that are not option names and non-ac keys in params', () => {
    expect(() => launchArgs('X', {}, { args: { '-gen': '1' } })).toThrow(/option name/);
    expect(() => launchArgs('X', {}, { args: { 'a=b': '1' } })).toThrow(DokomodoError);
    expect(() => launchArgs('X', { supply: '5' })).toThrow(/assetchain parameter/);
    expect(() => launchArgs('X', { ac_name: 'Y' })).toThrow(DokomodoError);
    expect(() => launchArgs('X', {}, { port: 70000 })).toThrow(/TCP port/);
  });

  it('errors carry a stable code', () => {
    try {
      launchArgs('X', { ac_cc: '' });
    } catch (e) {
      expect((e as DokomodoError).code).toBe('bad-launch-arg');
      return;
    }
    throw new Error('expected an error');
  });
});

describe('parseLaunchArgs', () => {
  it('round-trips launchArgs', () => {
    const params = { ac_supply: '10', ac_reward: '1,2', ac_cc: '2' };
    const argv = launchArgs('DOC', params, {
      args: { addressindex: '1' },
      addnode: ['a', 'b'],
      pubkey: '02ff',
      rpcport: 1,
    });
    expect(parseLaunchArgs(argv)).toEqual({
      name: 'DOC',
      params,
      options: { addressindex: '1', pubkey: '02ff', rpcport: '1' },
      addnode: ['a', 'b'],
    });
  });

  it('follows komodod: missing value is empty, last wins, --x is -x, stops at the first non-option', () => {
    const r = parseLaunchArgs([
      '-ac_name=A',
      '-ac_public',
      '--ac_supply=5',
      '-ac_supply=7',
      '-gen',
      '-ac_name=B',
      '-x=a=b',
      'getinfo',
      '-ac_cc=2',
    ]);
    expect(r).toEqual({
      name: 'B',
      params: { ac_public: '', ac_supply: '7' },
      options: { gen: '', x: 'a=b' },
      addnode: [],
    });
  });

  it('KMD argv has no name', () => {
    expect(parseLaunchArgs(['-pubkey=02ab', '-addnode=1.1.1.1']).name).toBe('');
    expect(parseLaunchArgs([])).toEqual({ name: '', params: {}, options: {}, addnode: [] });
    expect(parseLaunchArgs(['', '-a=1']).options).toEqual({});
  });
});
