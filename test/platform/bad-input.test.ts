/**
 * The bad-input suite: broken platform files, each asserting the diagnostic code and the exact
 * position of the offending YAML node. Loading never throws.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';

interface Case {
  name: string;
  yaml: string;
  code: string;
  line: number;
  col: number;
  /** A fragment the message or hint must contain. */
  says?: string;
}

const base = 'version: 1\n';
const cases: Case[] = [
  { name: 'empty file', yaml: '', code: 'empty-file', line: 1, col: 1 },
  { name: 'comments only', yaml: '# nothing here\n# at all\n', code: 'empty-file', line: 1, col: 1 },
  {
    name: 'bad indentation',
    yaml: 'version: 1\nchains:\n  KMD: {}\n   DOC: {}\n',
    code: 'yaml-syntax',
    line: 4,
    col: 1,
  },
  {
    name: 'unclosed flow mapping',
    yaml: 'version: 1\nchains: { KMD: {}\n',
    code: 'yaml-syntax',
    line: 3,
    col: 1,
  },
  { name: 'tab indentation', yaml: 'version: 1\nchains:\n\tKMD: {}\n', code: 'yaml-syntax', line: 3, col: 1 },
  {
    name: 'duplicate chain',
    yaml: `${base}chains:\n  KMD: {}\n  DOC: {}\n  DOC: {}\n`,
    code: 'duplicate-key',
    line: 5,
    col: 3,
  },
  {
    name: 'top level is a list',
    yaml: '- version: 1\n- chains: {}\n',
    code: 'not-a-mapping',
    line: 1,
    col: 1,
  },
  { name: 'top level is a scalar', yaml: 'hello\n', code: 'not-a-mapping', line: 1, col: 1 },
  { name: 'missing version', yaml: 'chains:\n  KMD: {}\n', code: 'unsupported-version', line: 1, col: 1 },
  {
    name: 'future version',
    yaml: 'version: 2\nchains:\n  KMD: {}\n',
    code: 'unsupported-version',
    line: 1,
    col: 10,
  },
  {
    name: 'missing chains',
    yaml: 'version: 1\nhosts: {}\n',
    code: 'missing-key',
    line: 1,
    col: 1,
    says: 'chains',
  },
  {
    name: 'unknown top-level key',
    yaml: `${base}chians:\n  KMD: {}\nchains:\n  KMD: {}\n`,
    code: 'unknown-key',
    line: 2,
    col: 1,
    says: 'did you mean `chains`',
  },
  {
    name: 'unknown chain key',
    yaml: `${base}chains:\n  DOC:\n    parms: { ac_supply: 1 }\n`,
    code: 'unknown-key',
    line: 4,
    col: 5,
    says: 'did you mean `params`',
  },
  {
    name: 'chains is a list',
    yaml: `${base}chains:\n  - KMD\n  - DOC\n`,
    code: 'wrong-type',
    line: 3,
    col: 3,
    says: 'mapping',
  },
  {
    name: 'params is a string',
    yaml: `${base}chains:\n  DOC:\n    params: ac_supply=1\n`,
    code: 'wrong-type',
    line: 4,
    col: 13,
  },
  {
    name: 'param value is a mapping',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_supply: { a: 1 }\n`,
    code: 'wrong-type',
    line: 5,
    col: 18,
  },
  {
    name: 'unknown ac_ param',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_suply: 1000\n`,
    code: 'unknown-param',
    line: 5,
    col: 7,
    says: 'did you mean `ac_supply`',
  },
  {
    name: 'non-ac param under params',
    yaml: `${base}chains:\n  DOC:\n    params:\n      addressindex: 1\n`,
    code: 'unknown-param',
    line: 5,
    col: 7,
    says: 'args',
  },
  {
    name: 'garbage int param',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_supply: lots\n`,
    code: 'bad-param-value',
    line: 5,
    col: 18,
  },
  {
    name: 'supply above 90 billion',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_supply: 90000000001\n`,
    code: 'param-refused',
    line: 5,
    col: 18,
  },
  {
    name: 'digits-only hex read as a number',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_script: 0012\n`,
    code: 'bad-param-value',
    line: 5,
    col: 18,
    says: 'quote',
  },
  {
    name: 'unsafe integer',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_timelockgte: 18446744073709551615\n`,
    code: 'unsafe-integer',
    line: 5,
    col: 23,
    says: 'quote',
  },
  {
    name: 'marmara param without rules',
    yaml: `${base}chains:\n  MCL:\n    params: { ac_supply: 2000000, ac_marmara: 1 }\n`,
    code: 'param-needs-rules',
    line: 4,
    col: 35,
  },
  {
    name: 'params on KMD',
    yaml: `${base}chains:\n  KMD:\n    params: { ac_supply: 5 }\n`,
    code: 'params-not-allowed',
    line: 4,
    col: 15,
  },
  {
    name: 'ac_ param under args',
    yaml: `${base}chains:\n  DOC:\n    args: { ac_cc: 2 }\n`,
    code: 'ac-param-in-args',
    line: 4,
    col: 13,
  },
  {
    name: 'managed arg',
    yaml: `${base}chains:\n  DOC:\n    args: { rpcport: 1234 }\n`,
    code: 'managed-arg',
    line: 4,
    col: 13,
  },
  { name: 'bad chain name', yaml: `${base}chains:\n  "DOC chain": {}\n`, code: 'bad-name', line: 3, col: 3 },
  {
    name: 'unknown coin',
    yaml: `${base}chains:\n  LTC:\n    coin: LTCC\n`,
    code: 'unknown-coin',
    line: 4,
    col: 11,
    says: 'did you mean `LTC`',
  },
  {
    name: 'undefined host',
    yaml: `${base}hosts:\n  nn-main: { address: 10.0.0.1 }\nchains:\n  KMD: { host: nn-mian }\n`,
    code: 'unknown-host',
    line: 5,
    col: 16,
    says: 'did you mean `nn-main`',
  },
  {
    name: 'missing host with two hosts',
    yaml: `${base}hosts:\n  a: { address: 10.0.0.1 }\n  b: { address: 10.0.0.2 }\nchains:\n  KMD: {}\n`,
    code: 'missing-host',
    line: 6,
    col: 3,
  },
  {
    name: 'declared port differs',
    yaml: `${base}chains:\n  ILN:\n    params: { ac_supply: 10000000000, ac_cc: 2 }\n    ports: { p2p: 12986 }\n`,
    code: 'port-mismatch',
    line: 5,
    col: 19,
    says: '12985',
  },
  {
    name: 'port clash on one host',
    yaml: `${base}chains:\n  KMD: {}\n  DOC:\n    params: { ac_supply: 1 }\n    ports: { p2p: 7770, override: true }\n`,
    code: 'port-clash',
    line: 4,
    col: 3,
    says: 'KMD',
  },
  {
    name: 'iguana port clash with a chain',
    yaml: `${base}chains:\n  KMD:\n    ports: { rpc: 7776, override: true }\niguana:\n  main: { coins: [KMD], notaries: s8 }\nnotaries:\n  s8: { season: 8, seeds: [198.51.100.1, 198.51.100.2, 198.51.100.3, 198.51.100.4, 198.51.100.5, 198.51.100.6, 198.51.100.7, 198.51.100.8] }\n`,
    code: 'port-clash',
    line: 6,
    col: 3,
    says: 'KMD (rpc)',
  },
  {
    name: 'iguana coin not defined',
    yaml: `${base}chains:\n  KMD: {}\n  DOC: {}\niguana:\n  main: { coins: [KMD, DCO], notaries: s8 }\nnotaries:\n  s8: { season: 8 }\n`,
    code: 'unknown-chain',
    line: 6,
    col: 24,
    says: 'did you mean `DOC`',
  },
  {
    name: 'iguana notaries not defined',
    yaml: `${base}chains:\n  KMD: {}\niguana:\n  main: { coins: [KMD], notaries: s9 }\nnotaries:\n  s8: { season: 8 }\n`,
    code: 'unknown-notaries',
    line: 5,
    col: 35,
  },
  {
    name: 'elected file with fewer than 8 seeds',
    yaml: `${base}chains:\n  KMD: {}\niguana:\n  main: { coins: [KMD], notaries: dev }\nnotaries:\n  dev:\n    seeds: [127.0.0.1, 127.0.0.1]\n    list: [{ name: a_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }]\n`,
    code: 'too-few-seeds',
    line: 8,
    col: 12,
    says: 'at least 8',
  },
  {
    name: 'iguana without KMD',
    yaml: `${base}chains:\n  DOC: {}\niguana:\n  main: { coins: [DOC], notaries: s8 }\nnotaries:\n  s8: { season: 8 }\n`,
    code: 'iguana-needs-kmd',
    line: 5,
    col: 18,
  },
  {
    name: 'iguana coins empty',
    yaml: `${base}chains:\n  KMD: {}\niguana:\n  main: { coins: [], notaries: s8 }\n`,
    code: 'out-of-range',
    line: 5,
    col: 18,
  },
  {
    name: 'bad notary pubkey',
    yaml: `${base}chains:\n  KMD: {}\nnotaries:\n  s:\n    list:\n      - { name: a_EU, pubkey: 04abcd }\n`,
    code: 'bad-format',
    line: 7,
    col: 31,
  },
  {
    name: 'two notary sources',
    yaml: `${base}chains:\n  KMD: {}\nnotaries:\n  s: { season: 8, list: [{ name: a_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }] }\n`,
    code: 'notaries-source',
    line: 5,
    col: 3,
  },
  {
    name: 'missing notary file',
    yaml: `${base}chains:\n  KMD: {}\nnotaries:\n  s: { file: nope.json }\n`,
    code: 'notaries-file',
    line: 5,
    col: 14,
  },
  {
    name: 'environment names unknown chain',
    yaml: `${base}chains:\n  KMD: {}\nenvironments:\n  dev: { chains: [KMD, RICK] }\n`,
    code: 'unknown-chain',
    line: 5,
    col: 24,
  },
  {
    name: 'secret given as a value',
    yaml: `${base}secret: hunter2hunter2\nchains:\n  KMD: {}\n`,
    code: 'wrong-type',
    line: 2,
    col: 9,
  },
  {
    name: 'secret source unknown key',
    yaml: `${base}secret: { envv: X }\nchains:\n  KMD: {}\n`,
    code: 'unknown-key',
    line: 2,
    col: 11,
    says: 'did you mean `env`',
  },
  {
    name: 'port out of range',
    yaml: `${base}chains:\n  KMD:\n    ports: { p2p: 70000, override: true }\n`,
    code: 'out-of-range',
    line: 4,
    col: 19,
  },
  {
    name: 'split target not above threshold',
    yaml: `${base}chains:\n  KMD:\n    notarization: { split_threshold: 50, split_target: 20 }\n`,
    code: 'bad-split',
    line: 4,
    col: 19,
  },
  {
    name: 'bad roles',
    yaml: `${base}hosts:\n  a: { address: 1.2.3.4, roles: [chain] }\nchains:\n  KMD: {}\n`,
    code: 'bad-value',
    line: 3,
    col: 34,
  },
  {
    name: 'null chain is fine but null host is not',
    yaml: `${base}hosts:\n  a:\nchains:\n  KMD:\n`,
    code: 'missing-key',
    line: 3,
    col: 3,
  },
  {
    name: 'two chains share a datadir',
    yaml: `${base}chains:\n  KMD: {}\n  DOC:\n    params: { ac_supply: 1 }\n    datadir: ~/.komodo\n`,
    code: 'datadir-clash',
    line: 4,
    col: 3,
  },
  {
    name: 'empty param value',
    yaml: `${base}chains:\n  DOC:\n    params:\n      ac_supply: ""\n`,
    code: 'bad-param-value',
    line: 5,
    col: 7,
  },
  {
    name: 'empty arg value',
    yaml: `${base}chains:\n  DOC:\n    args: { earlytxid: "" }\n`,
    code: 'bad-value',
    line: 4,
    col: 13,
  },
];

describe('bad platform files', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  it.each(cases)('$name → $code at $line:$col', (c) => {
    const r = loadPlatformText('bad.yaml', c.yaml);
    expect(r.platform).toBeUndefined();
    const d = r.diagnostics.find((x) => x.severity === 'error');
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect({ code: d!.code, line: d!.pos?.line, col: d!.pos?.col }).toEqual({
      code: c.code,
      line: c.line,
      col: c.col,
    });
    expect(d!.pos?.file).toBe('bad.yaml');
    expect(d!.message.length).toBeGreaterThan(10);
    if (c.says) expect(`${d!.message} ${d!.hint ?? ''}`).toContain(c.says);
    if (c.code !== 'empty-file') expect(d!.frame).toContain('>');
  });
});

describe('bad files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bad-'));
  it('binary garbage', () => {
    const f = join(dir, 'garbage.yaml');
    writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    const r = loadPlatformFile(f);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['not-text']);
  });
  it('invalid UTF-8 without NUL', () => {
    const f = join(dir, 'latin1.yaml');
    writeFileSync(f, Buffer.from('version: 1\nchains:\n  K\xc9MD: {}\n', 'latin1'));
    expect(loadPlatformFile(f).diagnostics.map((d) => d.code)).toEqual(['not-text']);
  });
  it('a 50 MB file is refused before parsing', () => {
    const f = join(dir, 'huge.yaml');
    const line = '# padding padding padding padding padding padding padding padding padding padding\n';
    writeFileSync(
      f,
      `version: 1\nchains:\n  KMD: {}\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}`,
    );
    const r = loadPlatformFile(f);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['file-too-large']);
    expect(r.diagnostics[0]!.message).toContain('MiB');
  });
  it('a missing file', () => {
    const r = loadPlatformFile(join(dir, 'nope.yaml'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['file-not-found']);
    expect(r.diagnostics[0]!.hint).toContain('-f');
  });
  it('a directory', () => {
    expect(loadPlatformFile(dir).diagnostics.map((d) => d.code)).toEqual(['not-a-file']);
  });
});
