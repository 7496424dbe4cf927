/**
 * Journals with a valid header but bad entries: the run stops on the first bad entry with
 * `journal-bad-entry`, naming the file and the entry, before any RPC call (nothing is sent).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DokomodoError } from '../../src/core/errors.ts';
import type { ChainModel } from '../../src/platform/model.ts';
import { fileJournal, type Rpc, resolveJournal, txidOfHex } from '../../src/operator/utxo.ts';

const CHAIN = 'NNJRNL';
const hexA = `04000080${'ab'.repeat(60)}`;
const hexB = `04000080${'cd'.repeat(60)}`;
const entry = (hex: string) => ({
  txid: txidOfHex(hex),
  hex,
  inputs: [{ txid: 'ee'.repeat(32), vout: 1 }],
  state: 'signed',
});
const header = {
  format: 'dokomodo-utxo-journal/1',
  chain: CHAIN,
  action: 'split',
  created: '2026-12-02T00:00:00Z',
};

function journalWith(txs: unknown[], head: Record<string, unknown> = header) {
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-journal-'));
  const file = join(dir, `${CHAIN}.journal.json`);
  writeFileSync(file, JSON.stringify({ ...head, txs }), { mode: 0o600 });
  return { store: fileJournal(dir), file };
}

/** An RPC that records every call: none may happen. */
function recordingRpc(): Rpc & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call: async (method: string) => {
      calls.push(method);
      throw new Error('no call expected');
    },
  } as unknown as Rpc & { calls: string[] };
}

describe('UTXO journal entries', () => {
  it('a good journal reads back', () => {
    const { store } = journalWith([entry(hexA), entry(hexB)]);
    expect(store.read(CHAIN)?.txs.map((t) => t.txid)).toEqual([txidOfHex(hexA), txidOfHex(hexB)]);
  });

  const bad: Array<[string, unknown, string]> = [
    ['not an object', 'deadbeef', 'entry 2 of 2 (txs[1]) is not an object'],
    ['null', null, 'entry 2 of 2 (txs[1]) is not an object'],
    ['no txid', { ...entry(hexB), txid: undefined }, 'has no txid of 64 hex digits'],
    ['a short txid', { ...entry(hexB), txid: 'abcd' }, 'has no txid of 64 hex digits'],
    ['hex that is not hex', { ...entry(hexB), hex: 'zz' }, 'has no transaction hex'],
    ['odd-length hex', { ...entry(hexB), hex: 'abc' }, 'has no transaction hex'],
    ['hex of another transaction', { ...entry(hexB), hex: hexA }, 'its hex is another transaction'],
    ['an unknown state', { ...entry(hexB), state: 'maybe' }, 'has state "maybe", not signed or sent'],
    ['no inputs', { ...entry(hexB), inputs: [] }, 'lists no inputs'],
    ['inputs not a list', { ...entry(hexB), inputs: 'x' }, 'lists no inputs'],
    ['a bad input', { ...entry(hexB), inputs: [{ txid: 'ee'.repeat(32), vout: -1 }] }, 'input 1 is not'],
  ];
  it.each(bad)(
    '%s: journal-bad-entry naming the file and the entry, nothing sent',
    async (_, second, says) => {
      const { store, file } = journalWith([entry(hexA), second]);
      const rpc = recordingRpc();
      const err = await resolveJournal(rpc, { name: CHAIN } as ChainModel, store).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DokomodoError);
      const e = err as DokomodoError;
      expect(e.code).toBe('journal-bad-entry');
      expect(e.message).toContain(file);
      expect(e.message).toContain('entry 2 of 2 (txs[1])');
      expect(e.message).toContain(says);
      expect(e.message).toContain('nothing was sent');
      expect(rpc.calls).toEqual([]);
    },
  );

  it.each([
    ['another chain', { ...header, chain: 'OTHER' }, 'names chain "OTHER"'],
    ['an unknown action', { ...header, action: 'merge' }, 'has action "merge"'],
  ])('a header that names %s is refused', (_, head, says) => {
    const { store } = journalWith([entry(hexA)], head);
    expect(() => store.read(CHAIN)).toThrow(says);
  });

  it('a directory where the journal should be is journal-unreadable, not an internal error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dokomodo-journal-'));
    mkdirSync(join(dir, `${CHAIN}.journal.json`));
    let err: unknown;
    try {
      fileJournal(dir).read(CHAIN);
    } catch (e) {
      err = e;
    }
    expect((err as DokomodoError).code).toBe('journal-unreadable');
    expect((err as DokomodoError).message).toContain('EISDIR');
  });
});
