/**
 * A dPoW checkout → the text of a platform file. Every chain's parameters come from the checkout
 * (or, for third-party assetchains, from komodo/third-party.ts) and are checked against the
 * checkout's own coin files: netmagic, p2p and rpc as komodod computes them, data directory and
 * conf name. Pure: the same checkout gives the same bytes.
 */
import { join } from 'node:path';
import { codeFrame, type Diagnostic, diagnostic } from '../core/diagnostics.ts';
import { coinInfo, KMD } from '../komodo/coins.ts';
import { chainIdentity } from '../komodo/magic.ts';
import { AC_PARAMS, type Rules } from '../komodo/params.ts';
import { builtinSeason, type Season, type SeasonSet, SEASONS } from '../komodo/seasons.ts';
import { THIRD_PARTY_CHAINS } from '../komodo/third-party.ts';
import type { CheckoutReader, DpowAddcoin, DpowCheckout, DpowElected, DpowInstance } from './dpow-read.ts';
import { isCoinSymbol } from './dpow-read.ts';
import { flowList, flowMap, key, scalar } from './yaml-text.ts';

export interface ImportOptions {
  /** Address of the main notary server. Default 203.0.113.10 (documentation range). */
  hostMain?: string;
  /** Address of the third-party server. Default 203.0.113.11. */
  host3p?: string;
}

interface ChainSpec {
  name: string;
  host: string;
  coin?: string;
  rules?: Rules;
  params: Array<[string, string]>;
  args: Array<[string, string]>;
  addnode: string[];
  datadir?: string;
  ports?: { p2p: number; rpc: number };
  daemon?: { binary: string; cli: string };
  notarized: boolean;
}

export interface ImportResult {
  text: string | undefined;
  diagnostics: Diagnostic[];
}

/**
 * dPoW's notes start both KMDs with these fees (doc/update079.md: main `-gen -genproclimit=1 …
 * -notary=.litecoin/litecoin.conf`, 3P `… -notary`); -pubkey and -notary come from
 * defaults.pubkey, mining is the operator's choice.
 */
const KMD_ARGS: Array<[string, string]> = [
  ['minrelaytxfee', '0.000035'],
  ['opretmintxfee', '0.004'],
];
const KMD_NOTE = 'fees as dPoW doc/update079.md starts KMD (-pubkey and -notary follow defaults.pubkey)';

const HOST_MAIN = 'nn-main';
const HOST_3P = 'nn-3p';

export function dpowPlatformText(
  dir: string,
  checkout: DpowCheckout,
  reader: CheckoutReader,
  opts: ImportOptions = {},
): ImportResult {
  const diags: Diagnostic[] = [];
  const hostMain = opts.hostMain ?? '203.0.113.10';
  const host3p = opts.host3p ?? '203.0.113.11';
  if (hostMain === host3p) {
    diags.push(
      diagnostic('dpow-same-host', `--host-main and --host-3p are both ${hostMain}`, {
        hint: "dPoW's m_notary_3rdparty runs the third-party KMD on 7770/7771 in ~/.komodo like the main one: give the third-party server its own address",
      }),
    );
    return { text: undefined, diagnostics: diags };
  }
  const at = (c: DpowAddcoin, field: string, code: string, message: string, hint?: string) => {
    const { line, col } = c.locate(field);
    const file = join(dir, c.file);
    const d = diagnostic(code, message, { pos: { file, line, col }, ...(hint ? { hint } : {}) });
    const got = reader.read(file);
    if ('text' in got) d.frame = codeFrame(got.text, line, col);
    diags.push(d);
  };

  const chains: ChainSpec[] = [];
  const instances: Array<{ inst: DpowInstance; host: string; coins: string[] }> = [];
  for (const [inst, host] of [
    [checkout.main, HOST_MAIN],
    [checkout.thirdParty, HOST_3P],
  ] as const) {
    const coins: string[] = [];
    const dpowed = new Set(inst.dpow.map((d) => d.symbol));
    for (const c of inst.addcoins) {
      const spec = chainFor(c, inst, host);
      if (!spec) continue;
      if (coins.includes(spec.name)) {
        at(c, 'newcoin', 'dpow-duplicate-chain', `${c.symbol} is added twice to the ${label(inst)} Iguana`);
        continue;
      }
      // KMD and LTC are destinations (3P chains into KMD, KMD into LTC): dPoW runs no `dpow` for them
      // there, yet they need notarization UTXOs.
      spec.notarized = dpowed.has(c.symbol) || spec.coin === 'LTC' || c.symbol === 'KMD';
      coins.push(spec.name);
      chains.push(spec);
    }
    for (const d of inst.dpow) {
      if (!inst.addcoins.some((c) => c.symbol === d.symbol)) {
        const file = join(dir, d.file);
        const diag = diagnostic(
          'dpow-unknown-coin',
          `${d.file} runs dpow for ${d.symbol}, which the ${label(inst)} Iguana never adds`,
          { pos: { file, line: d.line, col: d.col }, hint: 'its coins file (addcoin) must run before dpow' },
        );
        const got = reader.read(file);
        if ('text' in got) diag.frame = codeFrame(got.text, d.line, d.col);
        diags.push(diag);
      }
    }
    instances.push({ inst, host, coins });
  }

  function chainFor(c: DpowAddcoin, inst: DpowInstance, host: string): ChainSpec | undefined {
    const p = c.payload;
    const base: ChainSpec = { name: c.symbol, host, params: [], args: [], addnode: [], notarized: true };
    const check = (
      want: { netmagic?: string | undefined; p2p?: number | undefined; rpc?: number | undefined },
      why: string,
    ) => {
      let ok = true;
      for (const f of ['netmagic', 'p2p', 'rpc'] as const) {
        const w = want[f];
        if (w === undefined) continue;
        if (p[f] !== w) {
          at(
            c,
            f,
            'dpow-coin-mismatch',
            `${c.file}: ${c.symbol} has ${f} ${JSON.stringify(p[f])}, but ${why} give ${JSON.stringify(w)}`,
            'the coins file and the launch parameters describe different networks: one of them is wrong upstream',
          );
          ok = false;
        }
      }
      return ok;
    };
    const checkPath = (want: string, conf: string) => {
      let ok = true;
      if (c.path !== undefined && c.path !== want) {
        at(
          c,
          'path',
          'dpow-coin-mismatch',
          `${c.file}: ${c.symbol} has path ${c.path}, but the chain's data directory is ${want}`,
        );
        ok = false;
      }
      if (p['conf'] !== undefined && p['conf'] !== conf) {
        at(
          c,
          'conf',
          'dpow-coin-mismatch',
          `${c.file}: ${c.symbol} has conf ${String(p['conf'])}, but the daemon writes ${conf}`,
        );
        ok = false;
      }
      return ok;
    };
    if (c.symbol === 'KMD') {
      const spec: ChainSpec = { ...base, name: inst.mode === 'main' ? 'KMD' : 'KMD_3P' };
      if (inst.mode !== 'main') spec.coin = 'KMD';
      const ok = check({ netmagic: KMD.netmagic, p2p: KMD.p2p, rpc: KMD.rpc }, 'KMD constants');
      if (c.path !== undefined && c.path !== '~/.komodo') spec.datadir = c.path;
      return ok ? spec : undefined;
    }
    if (isCoinSymbol(c.symbol)) {
      const info = coinInfo(c.symbol)!;
      const spec: ChainSpec = { ...base, coin: c.symbol };
      // Third-party coin files carry stale netmagic strings (LTC's is deadbeef); ports are what Iguana uses.
      const ok = check({ p2p: info.p2p, rpc: info.rpc }, `${c.symbol}'s defaults`);
      if (c.path !== undefined && c.path !== `~/${info.dataDir}`) spec.datadir = c.path;
      return ok ? spec : undefined;
    }
    const main = inst.mode === 'main' ? checkout.assetchains.find((a) => a.name === c.symbol) : undefined;
    const tp = inst.mode === '3p' ? THIRD_PARTY_CHAINS[c.symbol] : undefined;
    if (main) {
      const spec: ChainSpec = {
        ...base,
        params: [
          ...(main.acName !== main.name ? [['ac_name', main.acName] as [string, string]] : []),
          ...main.params,
        ],
        args: main.args,
        addnode: main.addnode,
      };
      const id = chainIdentity(main.acName, Object.fromEntries(main.params));
      const ok1 = check(id, 'the parameters of iguana/assetchains.json');
      const datadir = main.datadir ?? `~/.komodo/${main.acName}`;
      if (main.datadir !== undefined && main.datadir !== `~/.komodo/${main.acName}`)
        spec.datadir = main.datadir;
      const ok2 = checkPath(datadir, `${main.acName}.conf`);
      spec.ports = { p2p: id.p2p, rpc: id.rpc };
      return ok1 && ok2 ? spec : undefined;
    }
    if (tp) {
      const spec: ChainSpec = {
        ...base,
        rules: tp.rules,
        params: Object.entries(tp.params),
        args: Object.entries(tp.args),
        addnode: typeof p['seedipaddr'] === 'string' ? [p['seedipaddr']] : [],
        daemon: tp.daemon,
      };
      const id = chainIdentity(c.symbol, tp.params, tp.rules);
      const ok1 = check(id, `the parameters of ${tp.source}`);
      const ok2 = checkPath(`~/.komodo/${c.symbol}`, `${c.symbol}.conf`);
      spec.ports = { p2p: id.p2p, rpc: id.rpc };
      return ok1 && ok2 ? spec : undefined;
    }
    at(
      c,
      'newcoin',
      'dpow-unknown-coin',
      `${c.file} adds ${c.symbol} to the ${label(inst)} Iguana, but ${
        inst.mode === 'main'
          ? 'iguana/assetchains.json has no such chain'
          : 'dokomodo does not know the launch parameters of this third-party chain'
      }`,
      inst.mode === 'main'
        ? 'add it to iguana/assetchains.json, or remove the coins file from the launch scripts'
        : 'add its parameters to src/komodo/third-party.ts (from the dPoW update notes) or write the chain by hand',
    );
    return undefined;
  }

  // Notary lists: a built-in season when the file is one, else the file's content inline.
  const lists: Array<{ name: string; body: string }> = [];
  const listOf = new Map<DpowInstance, string>();
  for (const { inst } of instances) {
    const e = checkout.elected[inst.electedFile];
    if (!e) continue;
    const set: SeasonSet = inst.mode === 'main' ? 'main' : '3p';
    const { name, body } = notaryList(e, set, inst.electedFile);
    listOf.set(inst, name);
    if (!lists.some((l) => l.name === name)) lists.push({ name, body });
  }

  if (diags.some((d) => d.severity === 'error')) return { text: undefined, diagnostics: diags };

  // ---- the text
  const binaries: Array<[string, string]> = [
    ['komodod', '~/komodo/src/komodod'],
    ['komodo-cli', '~/komodo/src/komodo-cli'],
  ];
  for (const c of chains) {
    if (c.coin && c.coin !== 'KMD') {
      const info = coinInfo(c.coin)!;
      for (const b of [info.daemon, info.cli]) {
        if (!binaries.some(([k]) => k === b))
          binaries.push([
            b,
            `~/${c.coin.toLowerCase() === 'ltc' ? 'litecoin' : c.coin.toLowerCase()}/src/${b}`,
          ]);
      }
    }
    if (c.daemon) {
      const tp = THIRD_PARTY_CHAINS[c.name]!;
      if (!binaries.some(([k]) => k === c.daemon!.binary)) binaries.push([c.daemon.binary, tp.paths.binary]);
      if (!binaries.some(([k]) => k === c.daemon!.cli)) binaries.push([c.daemon.cli, tp.paths.cli]);
    }
  }
  // m_notary_* start `../agents/iguana` from dPoW/iguana.
  binaries.push(['iguana', '~/dPoW/agents/iguana']);

  const from = checkout.commit ? `KomodoPlatform/dPoW ${checkout.commit}` : 'a KomodoPlatform/dPoW checkout';
  const L: string[] = [];
  L.push(
    `# Generated by dokomodo import dpow from ${from}${checkout.version ? ` (iguana/version ${checkout.version})` : ''}.`,
  );
  L.push(
    '# After a dPoW update: `dokomodo import dpow DIR --diff -f THIS_FILE` shows what changed upstream.',
  );
  L.push(
    `# ${HOST_MAIN}: KMD, LTC and the assetchains of iguana/assetchains.json, notarized by the main Iguana`,
  );
  L.push(`#   (m_notary_main, port ${checkout.main.port}, elected file ${checkout.main.electedFile}).`);
  L.push(`# ${HOST_3P}: its own KMD and the third-party chains, notarized by the third-party Iguana`);
  L.push(
    `#   (m_notary_3rdparty, port ${checkout.thirdParty.port}, elected file ${checkout.thirdParty.electedFile}).`,
  );
  L.push("# Declared ports are the coin files' values; dokomodo checks them against the parameters.");
  L.push('version: 1');
  L.push('secret: { env: DOKOMODO_SECRET }');
  L.push('');
  L.push('defaults:');
  L.push('  datadir: ~/.komodo');
  L.push(
    '  # pubkey: 02…   # your notary pubkey (`dokomodo keys derive`): -pubkey on every Komodo daemon, -notary on KMD',
  );
  L.push('  binaries:');
  for (const [k, v] of binaries) L.push(`    ${key(k)}: ${scalar(v)}`);
  // dokomodo's own settings for a notary node: komodod writes rpcworkqueue=256, and KMD with
  // its assetchains can take minutes to answer after a restart.
  L.push('  rpc: { bind: 127.0.0.1, allowip: [127.0.0.1], workqueue: 256 }');
  L.push('  start: { concurrency: 4, timeout: 600s }');
  L.push('');
  L.push('hosts:');
  L.push(
    `  ${HOST_MAIN}: { address: ${scalar(hostMain)}, ssh: { user: notary }, roles: [chains, iguana, monitor] }`,
  );
  L.push(`  ${HOST_3P}: { address: ${scalar(host3p)}, ssh: { user: notary }, roles: [chains, iguana] }`);
  L.push('');
  L.push('chains:');
  let lastHost = '';
  for (const c of chains) {
    if (c.host !== lastHost && lastHost !== '')
      L.push(`  # ${c.host === HOST_3P ? 'third-party server' : 'main server'}`);
    lastHost = c.host;
    L.push(`  ${key(c.name)}:`);
    L.push(`    host: ${c.host}`);
    if (c.coin) L.push(`    coin: ${c.coin}`);
    if (c.name === 'KMD' || c.coin === 'KMD') {
      L.push(`    # ${KMD_NOTE}`);
      L.push(`    args: ${flowMap(KMD_ARGS)}`);
    }
    if (c.daemon)
      L.push(
        `    daemon: ${flowMap([
          ['binary', c.daemon.binary],
          ['cli', c.daemon.cli],
        ])}`,
      );
    if (c.rules && c.rules !== 'komodo') L.push(`    rules: ${c.rules}`);
    if (c.params.length) {
      L.push('    params:');
      for (const [k, v] of c.params) L.push(`      ${key(k)}: ${paramValue(k, v)}`);
    }
    if (c.args.length) L.push(`    args: ${flowMap(c.args.map(([k, v]) => [k, v]))}`);
    if (c.addnode.length) {
      // Flow when it fits the formatter's 110 columns (biome rewraps longer ones), else a block list.
      const flow = `    addnode: ${flowList(c.addnode)}`;
      if (flow.length <= 110) L.push(flow);
      else L.push('    addnode:', ...c.addnode.map((a) => `      - ${scalar(a)}`));
    }
    if (c.datadir) L.push(`    datadir: ${scalar(c.datadir)}`);
    if (c.ports) L.push(`    ports: { p2p: ${c.ports.p2p}, rpc: ${c.ports.rpc} }`);
    if (!c.notarized) L.push('    notarization: { enabled: false }');
  }
  L.push('');
  L.push('iguana:');
  for (const { inst, host, coins } of instances) {
    L.push(`  ${inst.mode === 'main' ? 'main' : '3p'}:`);
    L.push(`    host: ${host}`);
    if (inst.mode === '3p') L.push('    mode: 3p');
    L.push(`    port: ${inst.port}`);
    L.push(`    coins: ${flowList(coins)}`);
    L.push(`    notaries: ${listOf.get(inst)}`);
  }
  L.push('');
  L.push('notaries:');
  for (const l of lists) L.push(`  ${key(l.name)}:${l.body}`);
  L.push('');
  L.push('environments:');
  L.push('  production: { chains: all }');
  L.push(`  main: { hosts: [${HOST_MAIN}] }`);
  L.push(`  third-party: { hosts: [${HOST_3P}] }`);
  return { text: `${L.join('\n')}\n`, diagnostics: diags };
}

function label(inst: DpowInstance): string {
  return inst.mode === 'main' ? 'main' : 'third-party';
}

/** A list `-ac_*` value: numbers stay numbers, comma lists become YAML lists. */
function paramValue(k: string, v: string): string {
  const kind = AC_PARAMS[k]?.kind;
  if (kind === 'list' && /^\d+(,\d+)+$/.test(v)) return flowList(v.split(','));
  // Text parameters must stay text: the loader refuses a number where a hex string belongs.
  return scalar(v, { text: k === 'ac_name' || (kind !== undefined && kind !== 'int' && kind !== 'list') });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function notaryList(e: DpowElected, set: SeasonSet, file: string): { name: string; body: string } {
  const season = Object.keys(SEASONS)
    .map((s) => [s, builtinSeason(s, set)] as const)
    .find(
      ([, s]) =>
        s !== undefined &&
        sameList(
          s.notaries.map((n) => `${n.name}=${n.pubkey}`),
          e.notaries.map(([n, k]) => `${n}=${k}`),
        ),
    ) as readonly [string, Season] | undefined;
  // Block style, so that the formatter (110 columns) leaves the file as written.
  const seedLines = e.seeds.length
    ? ['    seeds:', ...e.seeds.map((x) => `      - ${scalar(x)}`)]
    : ['    seeds: []'];
  if (season) {
    const [n, s] = season;
    const name = `season${n}${set === '3p' ? '_3p' : ''}`;
    const parts: Array<[string, string]> = [['season', n]];
    if (set === '3p') parts.push(['set', '3p']);
    if (s.port !== e.port) parts.push(['port', String(e.port)]);
    if (s.minsigs !== e.minsigs) parts.push(['minsigs', String(e.minsigs)]);
    if (s.BTCminsigs !== e.BTCminsigs) parts.push(['BTCminsigs', String(e.BTCminsigs)]);
    const sameSeeds = sameList(s.seeds, e.seeds);
    if (sameSeeds) return { name, body: ` { ${parts.map(([k, v]) => `${k}: ${v}`).join(', ')} }` };
    const lines = [
      `    # iguana/${file}: ${s.label} with other seeds`,
      ...parts.map(([k, v]) => `    ${k}: ${v}`),
    ];
    return { name, body: `\n${[...lines, ...seedLines].join('\n')}` };
  }
  const lines = [`    # iguana/${file}: not a season dokomodo has built in`];
  for (const [k, v] of [
    ['port', e.port],
    ['minsigs', e.minsigs],
    ['BTCminsigs', e.BTCminsigs],
  ] as const)
    lines.push(`    ${k}: ${v}`);
  lines.push(...seedLines);
  lines.push('    list:');
  for (const [n, k] of e.notaries)
    lines.push(
      `      - ${flowMap([
        ['name', n],
        ['pubkey', k],
      ])}`,
    );
  return {
    name: file === 'elected' ? 'elected' : file.replace(/[^A-Za-z0-9_-]/g, '_'),
    body: `\n${lines.join('\n')}`,
  };
}
