/**
 * Reads a KomodoPlatform/dPoW checkout the way its launch scripts use it: `iguana/m_notary_main`
 * and `iguana/m_notary_3rdparty` are followed line by line (the coin files they run, `add_coins`,
 * `dpowassets`, the loop over `listassetchains`), so the result is what a notary's Iguana adds and
 * notarizes, not a guess from file names. Never throws on bad input: every problem is a
 * diagnostic with the file and its line:col, and a checkout with errors yields no model.
 */
import { join } from 'node:path';
import { codeFrame, type Diagnostic, diagnostic } from '../core/diagnostics.ts';
import { coinInfo } from '../komodo/coins.ts';
import { PlatformSource } from '../platform/source.ts';

/** What the importer reads the checkout's files through (the node host, or memory in tests). */
export interface CheckoutReader {
  read(path: string): { text: string } | { error: string };
}

export interface DpowAssetchain {
  /** Platform name: the ac_name, or the data directory's name when that differs (GLEEC_OLD). */
  name: string;
  acName: string;
  /** -ac_* parameters in file order, without ac_name. */
  params: Array<[string, string]>;
  /** Other options (addressindex, earlytxid, …) in file order. */
  args: Array<[string, string]>;
  addnode: string[];
  /** `~/…` form, when the entry names one. */
  datadir: string | undefined;
}

/** One `addcoin` call of a launch script. */
export interface DpowAddcoin {
  symbol: string;
  /** Where it was found, relative to the checkout (`iguana/coins/ltc_7776`). */
  file: string;
  payload: Record<string, unknown>;
  /** The payload's `path` with `~` for the home directory. */
  path: string | undefined;
  /** line:col of `"key"` in the file (of the payload's start when the key is absent). */
  locate(key: string): { line: number; col: number };
}

export interface DpowInstance {
  mode: 'main' | '3p';
  /** The launch script, relative to the checkout. */
  script: string;
  port: number;
  /** The elected file Iguana is started with (`elected` for `iguana notary`), and where. */
  electedFile: string;
  startedAt: { line: number; col: number };
  addcoins: DpowAddcoin[];
  /** Symbols of the `dpow` calls, in order, with where each is. */
  dpow: Array<{ symbol: string; file: string; line: number; col: number }>;
}

export interface DpowElected {
  file: string;
  port: number;
  minsigs: number;
  BTCminsigs: number;
  seeds: string[];
  notaries: Array<[string, string]>;
}

export interface DpowCheckout {
  /** The git commit, when the checkout has `.git` or the caller named it. */
  commit: string | undefined;
  /** `iguana/version`. */
  version: string | undefined;
  assetchains: DpowAssetchain[];
  main: DpowInstance;
  thirdParty: DpowInstance;
  elected: Record<string, DpowElected>;
}

export interface ReadResult {
  checkout: DpowCheckout | undefined;
  diagnostics: Diagnostic[];
}

/** Launch scripts, as the dPoW README tells notaries to run them. */
const MAIN_SCRIPT = 'iguana/m_notary_main';
const THIRD_PARTY_SCRIPT = 'iguana/m_notary_3rdparty';
const MAX_DEPTH = 8;

export function readDpowCheckout(dir: string, reader: CheckoutReader, commit?: string): ReadResult {
  const diags: Diagnostic[] = [];
  const shown = (rel: string) => join(dir, rel);
  const readText = (rel: string, from?: { file: string; line: number; col: number }): string | undefined => {
    const got = reader.read(join(dir, rel));
    if ('error' in got) {
      diags.push(
        diagnostic('dpow-missing-file', `${shown(rel)}: ${got.error}`, {
          hint: from
            ? `named by ${shown(from.file)}; is ${dir} a whole KomodoPlatform/dPoW checkout?`
            : `is ${dir} a KomodoPlatform/dPoW checkout (the folder that holds iguana/)?`,
          ...(from ? { pos: { file: shown(from.file), line: from.line, col: from.col } } : {}),
        }),
      );
      return undefined;
    }
    return got.text;
  };

  const assetchains = readAssetchains(
    readText('iguana/assetchains.json'),
    shown('iguana/assetchains.json'),
    diags,
  );
  // `./listassetchains | sort | uniq`: every ac_name once, sorted.
  const sortedNames = assetchains ? [...new Set(assetchains.map((a) => a.acName))].sort() : [];

  const runScript = (script: string, mode: 'main' | '3p'): DpowInstance | undefined => {
    const text = readText(script);
    if (text === undefined) return undefined;
    const inst: DpowInstance = {
      mode,
      script,
      port: 0,
      electedFile: '',
      startedAt: { line: 1, col: 1 },
      addcoins: [],
      dpow: [],
    };
    const ok = interpret(script, text, inst, 0, undefined);
    // Iguana's own defaults for `iguana notary` and `iguana <elected file>`.
    if (inst.port === 0) inst.port = mode === 'main' ? 7776 : 7779;
    if (ok && inst.addcoins.length === 0) {
      diags.push(
        diagnostic('dpow-malformed', `${shown(script)} adds no coin to Iguana`, {
          pos: { file: shown(script), line: 1, col: 1 },
          hint: 'the importer follows addcoin calls and the coins files the script runs',
        }),
      );
      return undefined;
    }
    if (!inst.electedFile) {
      diags.push(
        diagnostic('dpow-malformed', `${shown(script)}: no \`../agents/iguana …\` line starts Iguana`, {
          pos: { file: shown(script), line: 1, col: 1 },
          hint: 'the importer follows the launch script to know which elected file Iguana reads',
        }),
      );
      return undefined;
    }
    return ok ? inst : undefined;
  };

  /** Follows one script; returns false after an error that makes the rest meaningless. */
  const interpret = (
    file: string,
    text: string,
    inst: DpowInstance,
    depth: number,
    chain: string | undefined,
  ): boolean => {
    if (depth > MAX_DEPTH) {
      diags.push(
        diagnostic('dpow-malformed', `${shown(file)}: scripts call each other more than ${MAX_DEPTH} deep`),
      );
      return false;
    }
    const lines = text.split('\n');
    let ok = true;
    let coinTemplate: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const at = (col: number) => ({ file, line: i + 1, col });
      const startMatch = /(?:^|\s)(?:\S*\/)?agents\/iguana\s+(\S+)/.exec(line);
      if (startMatch && depth === 0) {
        const arg = startMatch[1]!.replace(/[&;].*$/, '');
        inst.electedFile = arg.startsWith('notary') ? 'elected' : arg;
        inst.startedAt = { line: i + 1, col: raw.indexOf('agents/iguana') + 1 };
        continue;
      }
      if (/^\.\/listassetchains\s*\|.*while\s+read\s+chain\s*;\s*do\s*$/.test(line)) {
        const end = lines.findIndex((l, j) => j > i && l.trim() === 'done');
        if (end < 0) {
          diags.push(
            located('dpow-malformed', `${shown(file)}: the loop over listassetchains has no \`done\``, at(1)),
          );
          return false;
        }
        const body = lines.slice(i + 1, end).join('\n');
        for (const name of sortedNames) {
          // Keep line numbers: the body is interpreted as if it started at the loop's first line.
          ok = interpret(file, `${'\n'.repeat(i + 1)}${body}`, inst, depth + 1, name) && ok;
        }
        i = end;
        continue;
      }
      const tmpl = /^coin="coins\/\$\(echo \$chain \| awk '\{print tolower\(\$0\)\}'\)(_\d+)"$/.exec(line);
      if (tmpl) {
        coinTemplate = tmpl[1];
        continue;
      }
      if (line === '$coin' && chain !== undefined) {
        if (!coinTemplate) {
          diags.push(located('dpow-malformed', `${shown(file)}: \`$coin\` before it is set`, at(1)));
          return false;
        }
        ok = runFile(`iguana/coins/${chain.toLowerCase()}${coinTemplate}`, inst, depth, at(1), chain) && ok;
        continue;
      }
      const coinRef = /^(?:\.\/)?(coins\/[A-Za-z0-9_.-]+)$/.exec(line);
      if (coinRef) {
        ok = runFile(`iguana/${coinRef[1]}`, inst, depth, at(raw.indexOf('coins') + 1), chain) && ok;
        continue;
      }
      const scriptRef = /^\.\/([A-Za-z0-9_.-]+)$/.exec(line);
      if (scriptRef) {
        const name = scriptRef[1]!;
        // wp_7776/wp_7779 hold the operator's passphrase and are not part of the checkout.
        if (name.startsWith('wp_')) continue;
        ok = runFile(`iguana/${name}`, inst, depth, at(raw.indexOf('./') + 1), chain) && ok;
        continue;
      }
      const dataAt = raw.indexOf('--data "');
      if (/\bcurl\b/.test(line) && dataAt >= 0) {
        const call = shellJson(raw, dataAt + '--data "'.length);
        if ('error' in call) {
          diags.push(located('dpow-malformed', `${shown(file)}: ${call.error}`, at(call.col)));
          ok = false;
          continue;
        }
        const url = /--url\s+"https?:\/\/[^:"]+:(\d+)/.exec(raw);
        if (url && inst.port === 0) inst.port = Number(url[1]);
        let json: unknown;
        try {
          json = JSON.parse(call.json);
        } catch (e) {
          const m = /position (\d+)/.exec(String(e));
          const rawCol = m ? (call.map[Number(m[1])] ?? dataAt) + 1 : dataAt + 1;
          diags.push(
            located(
              'dpow-malformed',
              `${shown(file)}: the --data of this curl is not JSON (${jsonReason(e)})`,
              at(rawCol),
              text,
            ),
          );
          ok = false;
          continue;
        }
        if (!json || typeof json !== 'object' || Array.isArray(json)) continue;
        const obj = json as Record<string, unknown>;
        if (obj['method'] === 'addcoin' && typeof obj['newcoin'] === 'string') {
          const path = typeof obj['path'] === 'string' ? obj['path'] : undefined;
          inst.addcoins.push({
            symbol: obj['newcoin'],
            file,
            payload: obj,
            path,
            locate: (key) => {
              const k = raw.indexOf(`\\"${key}\\"`);
              const off = k >= 0 ? k : dataAt;
              return { line: i + 1, col: off + 1 };
            },
          });
        } else if (obj['method'] === 'dpow' && typeof obj['symbol'] === 'string') {
          const sym = obj['symbol'] === '$chain' && chain !== undefined ? chain : obj['symbol'];
          const k = raw.indexOf('\\"symbol\\"');
          inst.dpow.push({ symbol: sym, file, line: i + 1, col: (k >= 0 ? k : dataAt) + 1 });
        }
      }
    }
    return ok;
  };

  const runFile = (
    rel: string,
    inst: DpowInstance,
    depth: number,
    from: { file: string; line: number; col: number },
    chain: string | undefined,
  ): boolean => {
    const text = readText(rel, from);
    if (text === undefined) return false;
    return interpret(rel, text, inst, depth + 1, chain);
  };

  const located = (
    code: string,
    message: string,
    at: { file: string; line: number; col: number },
    text?: string,
  ) => {
    const d = diagnostic(code, message, { pos: { file: shown(at.file), line: at.line, col: at.col } });
    const src = text ?? reader.read(join(dir, at.file));
    const body = typeof src === 'string' ? src : 'text' in src ? src.text : undefined;
    if (body !== undefined) d.frame = codeFrame(body, at.line, at.col);
    return d;
  };

  const main = runScript(MAIN_SCRIPT, 'main');
  const thirdParty = runScript(THIRD_PARTY_SCRIPT, '3p');
  const elected: Record<string, DpowElected> = {};
  for (const inst of [main, thirdParty]) {
    if (!inst || inst.electedFile in elected) continue;
    const rel = `iguana/${inst.electedFile}`;
    const e = readElected(readText(rel, { file: inst.script, ...inst.startedAt }), shown(rel), diags);
    if (e) elected[inst.electedFile] = e;
  }
  const version = (() => {
    const got = reader.read(join(dir, 'iguana/version'));
    return 'text' in got ? got.text.trim() || undefined : undefined;
  })();
  if (diags.some((d) => d.severity === 'error') || !assetchains || !main || !thirdParty) {
    return { checkout: undefined, diagnostics: diags };
  }
  return {
    checkout: {
      commit: commit ?? gitCommit(dir, reader),
      version,
      assetchains,
      main,
      thirdParty,
      elected,
    },
    diagnostics: diags,
  };
}

/** HEAD of a git checkout, resolved through one ref (loose or packed). */
function gitCommit(dir: string, reader: CheckoutReader): string | undefined {
  const head = reader.read(join(dir, '.git/HEAD'));
  if ('error' in head) return undefined;
  const h = head.text.trim();
  if (/^[0-9a-f]{40}$/.test(h)) return h;
  const ref = /^ref: (\S+)$/.exec(h)?.[1];
  if (!ref) return undefined;
  const loose = reader.read(join(dir, '.git', ref));
  if ('text' in loose && /^[0-9a-f]{40}$/.test(loose.text.trim())) return loose.text.trim();
  const packed = reader.read(join(dir, '.git/packed-refs'));
  if ('error' in packed) return undefined;
  for (const l of packed.text.split('\n')) {
    const [sha, name] = l.split(' ');
    if (name === ref && sha && /^[0-9a-f]{40}$/.test(sha)) return sha;
  }
  return undefined;
}

function jsonReason(e: unknown): string {
  return String(e instanceof Error ? e.message : e).replace(/ in JSON at position \d+.*$/, '');
}

/**
 * The JSON of `--data "…"` as bash passes it: `\"` and `\\` unescaped, `${HOME#"/"}` (the home
 * directory without its leading slash, which Iguana wants) read as `~`. `map[i]` is the column
 * (0-based) in the line of the i-th character of the result, for positions in JSON errors.
 */
function shellJson(
  line: string,
  start: number,
): { json: string; map: number[] } | { error: string; col: number } {
  let out = '';
  const map: number[] = [];
  let i = start;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '"') return { json: out, map };
    if (ch === '\\' && i + 1 < line.length) {
      const next = line[i + 1]!;
      if (next === '"' || next === '\\' || next === '$' || next === '`') {
        out += next;
        map.push(i);
        i += 2;
        continue;
      }
    }
    if (ch === '$' && line[i + 1] === '{') {
      const end = line.indexOf('}', i);
      if (end < 0) return { error: 'an unclosed parameter expansion in the --data string', col: i + 1 };
      const expr = line.slice(i + 2, end);
      if (/^HOME(#["']\/["'])?$/.test(expr)) {
        out += '~';
        map.push(i);
      } else {
        for (let j = i; j <= end; j++) {
          out += line[j];
          map.push(j);
        }
      }
      i = end + 1;
      continue;
    }
    out += ch;
    map.push(i);
    i++;
  }
  return { error: 'the --data string has no closing quote', col: start };
}

/** iguana/assetchains.json: the launch parameters of every main-server assetchain. */
function readAssetchains(
  text: string | undefined,
  file: string,
  diags: Diagnostic[],
): DpowAssetchain[] | undefined {
  if (text === undefined) return undefined;
  const src = new PlatformSource(file, text);
  const json = parseJson(src, diags);
  if (json === undefined) return undefined;
  if (!Array.isArray(json)) {
    diags.push(src.diag('dpow-malformed', [], `${file} must be a JSON array of chains`));
    return undefined;
  }
  const out: DpowAssetchain[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  json.forEach((entry, i) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      diags.push(src.diag('dpow-malformed', [i], `entry ${i} of ${file} is not an object`));
      ok = false;
      return;
    }
    const e = entry as Record<string, unknown>;
    const acName = e['ac_name'];
    if (typeof acName !== 'string' || acName === '') {
      diags.push(src.diag('dpow-malformed', [i], `entry ${i} of ${file} has no ac_name`));
      ok = false;
      return;
    }
    const a: DpowAssetchain = { name: acName, acName, params: [], args: [], addnode: [], datadir: undefined };
    for (const [k, v] of Object.entries(e)) {
      if (k === 'ac_name') continue;
      if (k === 'addnode') {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
          diags.push(src.diag('dpow-malformed', [i, k], `${acName}: addnode must be a list of strings`));
          ok = false;
          continue;
        }
        a.addnode = v as string[];
        continue;
      }
      if (typeof v !== 'string') {
        // listassetchainparams writes every value as `-key=value`: komodod reads text, so do we.
        diags.push(
          src.diag(
            'dpow-malformed',
            [i, k],
            `${acName}: \`${k}\` must be a string, as listassetchainparams passes it`,
          ),
        );
        ok = false;
        continue;
      }
      if (k === 'datadir') {
        a.datadir = v.replace(/^\$\{HOME\}|^\$HOME/, '~');
        const base = a.datadir.split('/').filter(Boolean).pop();
        if (base && base !== acName) a.name = base;
        continue;
      }
      (k.startsWith('ac_') ? a.params : a.args).push([k, v]);
    }
    const key = `${a.name}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      diags.push(
        src.diag(
          'dpow-duplicate-chain',
          [i, 'ac_name'],
          `${acName} is listed twice in ${file} (entries ${prev} and ${i}) with the same data directory`,
          {
            hint: 'two entries of one ac_name need different `datadir`s (as GLEEC and GLEEC_OLD have)',
          },
        ),
      );
      ok = false;
      return;
    }
    seen.set(key, i);
    out.push(a);
  });
  return ok ? out : undefined;
}

/** iguana/elected or iguana/3rd_party. */
function readElected(text: string | undefined, file: string, diags: Diagnostic[]): DpowElected | undefined {
  if (text === undefined) return undefined;
  const src = new PlatformSource(file, text);
  const json = parseJson(src, diags);
  if (json === undefined) return undefined;
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    diags.push(src.diag('dpow-malformed', [], `${file} must be a JSON object`));
    return undefined;
  }
  const o = json as Record<string, unknown>;
  let ok = true;
  const int = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      diags.push(src.diag('dpow-malformed', [k], `${file}: \`${k}\` must be an integer`));
      ok = false;
      return 0;
    }
    return v;
  };
  const port = int('port');
  const minsigs = int('minsigs');
  const BTCminsigs = int('BTCminsigs');
  const seeds = o['seeds'];
  if (!Array.isArray(seeds) || !seeds.every((s) => typeof s === 'string')) {
    diags.push(src.diag('dpow-malformed', ['seeds'], `${file}: \`seeds\` must be a list of IP addresses`));
    ok = false;
  }
  const notaries: Array<[string, string]> = [];
  const list = o['notaries'];
  if (!Array.isArray(list)) {
    diags.push(
      src.diag('dpow-malformed', ['notaries'], `${file}: \`notaries\` must be a list of {"name": "pubkey"}`),
    );
    return undefined;
  }
  list.forEach((entry, i) => {
    const pairs = entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.entries(entry) : [];
    const [name, pubkey] = pairs[0] ?? [];
    if (pairs.length !== 1 || typeof pubkey !== 'string' || !/^(02|03)[0-9a-fA-F]{64}$/.test(pubkey)) {
      diags.push(
        src.diag(
          'dpow-malformed',
          ['notaries', i],
          `${file}: notary ${i} is not {"name": "<66-hex-digit pubkey>"}`,
        ),
      );
      ok = false;
      return;
    }
    notaries.push([name!, pubkey.toLowerCase()]);
  });
  return ok ? { file, port, minsigs, BTCminsigs, seeds: seeds as string[], notaries } : undefined;
}

/** JSON with positions: JSON.parse decides, the positioned parser places the error. */
function parseJson(src: PlatformSource, diags: Diagnostic[]): unknown {
  try {
    return JSON.parse(src.text);
  } catch (e) {
    const m = /position (\d+)/.exec(String(e));
    const pos = src.posAt(m ? Number(m[1]) : 0);
    diags.push(
      src.withFrame(
        diagnostic('dpow-malformed', `${src.file} is not valid JSON (${jsonReason(e)})`, {
          pos,
          hint: 'is the checkout complete and unmodified? `git status` in it shows local edits',
        }),
      ),
    );
    return undefined;
  }
}

/** True for symbols of third-party coin daemons dokomodo knows (LTC, BTC, …), not assetchains. */
export function isCoinSymbol(symbol: string): boolean {
  const c = coinInfo(symbol);
  return c !== undefined && symbol !== 'KMD';
}
