/** How backup, backup list|verify and restore print. */
import {
  type BackupEvent,
  type BackupKey,
  type BackupResult,
  type EntryMeta,
  homePath,
  type ListedBackup,
  ONLY_IN_BACKUP,
  RECOVERED_WITHOUT_BACKUP,
  type RestoreItem,
  type VerifyResult,
} from '../../operator/backup.ts';
import { type Out, paint, table } from '../output.ts';

export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const mode = (m: number) => m.toString(8).padStart(4, '0');
const keyKind = (k: BackupKey) => ('passphrase' in k ? 'the wallet passphrase' : `the key file ${k.keyFile}`);

/** One line on standard error per skipped entry or note, as the backup is collected. */
export function backupProgress(out: Out, e: BackupEvent): string {
  if (e.type === 'skipped') return `${paint(out, 'yellow', '!')} ${e.name} not backed up: ${e.reason}\n`;
  if (e.type === 'note') return `${paint(out, 'yellow', '!')} ${e.name}: ${e.message}\n`;
  return '';
}

/** The two lists every backup prints: what it is for, and what needs no backup at all. */
export function recoveryText(out: Out): string {
  return [
    paint(out, 'bold', 'Without any backup, the platform file and the passphrase rebuild:'),
    ...RECOVERED_WITHOUT_BACKUP.map((s) => `  - ${s}`),
    paint(out, 'bold', 'Only a backup brings back:'),
    ...ONLY_IN_BACKUP.map((s) => `  - ${s}`),
    '',
  ].join('\n');
}

function entryRows(entries: readonly EntryMeta[]): string {
  return table(
    ['ENTRY', 'RESTORED TO', 'MODE', 'SIZE'],
    entries.map((e) => [e.name, e.host ? `${e.host}:${e.path}` : e.path, mode(e.mode), size(e.size)]),
    [3],
  );
}

export function backupDone(out: Out, r: BackupResult, key: BackupKey): string {
  const n = r.entries.length;
  return [
    `${paint(out, 'green', '✓')} backup ${homePath(r.file)}: ${n} entr${n === 1 ? 'y' : 'ies'}, ${size(r.bytes)}, encrypted with ${keyKind(key)} (mode 0600)`,
    '',
    entryRows(r.entries),
    ...(r.skipped.length ? [`${r.skipped.length} not backed up (above).`, ''] : []),
    recoveryText(out),
    `Keep a copy away from this machine. \`dokomodo backup verify ${homePath(r.file)}\` checks it; \`dokomodo restore FILE\` brings it back.`,
    '',
  ].join('\n');
}

export function backupJson(r: BackupResult, key: BackupKey) {
  return {
    ...r,
    key: 'passphrase' in key ? 'passphrase' : 'key file',
    recoveredWithoutBackup: RECOVERED_WITHOUT_BACKUP,
    onlyInBackup: ONLY_IN_BACKUP,
  };
}

export type ListedRow = ListedBackup & { entries?: number };

export function listTable(out: Out, rows: readonly ListedRow[], withKey: boolean): string {
  if (rows.length === 0) return 'no backups\n';
  const body = table(
    ['BACKUP', 'CREATED', 'SIZE', 'ENTRIES', 'KEY', 'DOKOMODO', 'PROBLEM'],
    rows.map((r) => [
      homePath(r.file),
      r.created,
      size(r.bytes),
      r.entries,
      r.key,
      r.dokomodo,
      r.problem
        ? paint(out, 'red', `${r.problem.code}: ${r.problem.message.replace(`${r.file}: `, '')}`)
        : '',
    ]),
    [2, 3],
  );
  return withKey
    ? body
    : `${body}${paint(out, 'dim', 'the entries are inside the ciphertext: give --passphrase-stdin or --key-file to count them\n')}`;
}

export function verifyReport(out: Out, r: VerifyResult): string {
  const n = r.entries.length;
  return [
    `${paint(out, 'green', '✓')} ${homePath(r.file)}: ${n} entr${n === 1 ? 'y' : 'ies'}, every sha256 matches (created ${r.created} by dokomodo ${r.dokomodo})`,
    '',
    entryRows(r.entries),
  ].join('\n');
}

const ACTION_WORDS: Record<RestoreItem['action'], [string, string]> = {
  create: ['create', 'created'],
  unchanged: ['unchanged', 'unchanged'],
  mode: ['fix mode', 'mode fixed'],
  replace: ['replace', 'replaced'],
  elsewhere: ['not here: of another host', 'not here: of another host'],
};

export function restoreReport(out: Out, items: readonly RestoreItem[], dryRun: boolean): string {
  const word = (i: RestoreItem) => {
    const [would, did] = ACTION_WORDS[i.action];
    if (i.action !== 'replace') return dryRun ? would : did;
    return dryRun ? paint(out, 'yellow', 'differs: replace (needs --force)') : paint(out, 'yellow', did);
  };
  const rows = items.map((i) => [
    word(i),
    homePath(i.target),
    mode(i.meta.mode),
    size(i.meta.size),
    i.kept
      ? `old one kept as ${homePath(i.kept)}`
      : i.action === 'elsewhere'
        ? `restore --extract DIR writes it as DIR/${i.meta.name}, to copy to ${i.meta.host}`
        : '',
  ]);
  const count = (a: RestoreItem['action']) => items.filter((i) => i.action === a).length;
  const head = dryRun
    ? `restore --dry-run: nothing written; would create ${count('create')}, replace ${count('replace')}, fix the mode of ${count('mode')}, leave ${count('unchanged')} unchanged`
    : `${paint(out, 'green', '✓')} restore: ${count('create')} created, ${count('replace')} replaced, ${count('mode')} mode fixed, ${count('unchanged')} unchanged`;
  const away = count('elsewhere');
  const tail = away
    ? `${away} entr${away === 1 ? 'y is' : 'ies are'} of other hosts and not written here\n`
    : '';
  return [head, '', table(['ACTION', 'PATH', 'MODE', 'SIZE', ''], rows, [3]), tail].join('\n');
}

export function restoreJson(items: readonly RestoreItem[], dryRun: boolean) {
  return {
    dryRun,
    files: items.map((i) => ({
      name: i.meta.name,
      path: i.target,
      action: i.action,
      mode: mode(i.meta.mode),
      size: i.meta.size,
      sha256: i.meta.sha256,
      ...(i.kept ? { kept: i.kept } : {}),
      ...(i.meta.host !== undefined ? { host: i.meta.host } : {}),
    })),
  };
}
