/**
 * The UTXO, stats and checkfork cores in memory: Iguana's counting rule, raw transaction
 * rewriting (checked against the devnet's own serializer), planning, journal resolution in the
 * cases the devnet does not produce, peers files, and the stats colours.
 */
import { describe, expect, it } from 'vitest';
import { ageColor, statsTable, utxoColor } from '../../src/cli/views/stats.ts';
import type { Out } from '../../src/cli/output.ts';
import { fromHex } from '../../src/devnet/bytes.ts';
import { newTx, p2pkhScript, p2pkScript, serializeTx, txidOf } from '../../src/devnet/tx.ts';
import { COINS, KMD } from '../../src/komodo/coins.ts';
import { deriveKeys, hash160 } from '../../src/komodo/keys.ts';
import { parsePeers, sourceLabel } from '../../src/operator/checkfork.ts';
import { chainStats, type ChainStats, errorStats, notarizationAddress } from '../../src/operator/stats.ts';
import {
  classifyUtxo,
  feeFor,
  type Journal,
  type JournalStore,
  notaryScripts,
  parseRawTx,
  planConsolidate,
  planSplit,
  type Rpc,
  resolveJournal,
  type Scan,
  summarize,
  txidOfHex,
  type Unspent,
  withOutputs,
} from '../../src/operator/utxo.ts';
import type { ChainModel } from '../../src/platform/model.ts';

const keys = deriveKeys('myverysecretandstrongpassphrase_noneabletobrute', [KMD]);
const chain = (
  over: Partial<ChainModel['notarization']> = {},
  coin = KMD,
  kind: ChainModel['kind'] = 'assetchain',
) =>
  ({
    name: 'TESTC',
    kind,
    coin,
    notarization: { enabled: true, utxoValue: 10_000, splitThreshold: 10, splitTarget: 20, ...over },
  }) as ChainModel;
const scripts = notaryScripts(chain(), keys.pubkey);
let seq = 0;
const utxo = (amount: number, script: string, extra: Partial<Unspent> = {}): Unspent => ({
  txid: (++seq).toString(16).padStart(64, '0'),
  vout: 0,
  address: scripts.address,
  amount,
  scriptPubKey: script,
  confirmations: 1,
  generated: false,
  spendable: true,
  ...extra,
});
const scanOf = (entries: Unspent[]): Scan => ({ scripts, pubkeySource: 'platform', entries });

describe('counting by Iguana’s rule', () => {
  it('only exact value, exact 35-byte P2PK script, spendable', () => {
    const c = chain();
    expect(scripts.p2pk).toBe(`21${keys.pubkey}ac`);
    expect(scripts.address).toBe(keys.coins['KMD']!.address);
    expect(classifyUtxo(utxo(0.0001, scripts.p2pk), scripts, 10_000)).toBe('notarization');
    expect(classifyUtxo(utxo(0.0001, scripts.p2pk, { spendable: false }), scripts, 10_000)).toBe('unusable');
    expect(classifyUtxo(utxo(0.00010001, scripts.p2pk), scripts, 10_000)).toBe('other');
    // P2PKH of the notarization value: counted by amount-only tools, not usable by Iguana
    expect(classifyUtxo(utxo(0.0001, scripts.p2pkh), scripts, 10_000)).toBe('funding');
    expect(classifyUtxo(utxo(3, scripts.p2pk, { generated: true }), scripts, 10_000)).toBe('other');
    expect(classifyUtxo(utxo(3, scripts.p2pkh, { generated: true }), scripts, 10_000)).toBe('other');
    const otherKey = `21${'02'.padEnd(66, '1')}ac`;
    expect(classifyUtxo(utxo(0.0001, otherKey), scripts, 10_000)).toBe('unusable');
    // GAME, EMC2, AYA, MIL: 0.001
    expect(classifyUtxo(utxo(0.001, scripts.p2pk), scripts, 100_000)).toBe('notarization');
    expect(classifyUtxo(utxo(0.0001, scripts.p2pk), scripts, 100_000)).toBe('other');
    const s = summarize(
      c,
      scanOf([
        utxo(0.0001, scripts.p2pk),
        utxo(0.0001, scripts.p2pk, { confirmations: 0 }),
        utxo(0.0001, scripts.p2pkh),
        utxo(1, scripts.p2pkh),
        utxo(1, scripts.p2pkh, { confirmations: 0 }),
      ]),
    );
    expect(s).toMatchObject({
      usable: 1,
      pending: 1,
      lookalikes: 1,
      funding: { count: 2, sats: 100_010_000 },
    });
    expect(s.splitDue).toBe(true);
    expect(summarize(chain({ enabled: false }), scanOf([])).splitDue).toBe(false);
  });

  it('notarization addresses match the published table (reference §12.1)', () => {
    const table: Record<string, string> = {
      KMD: 'RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA',
      LTC: 'LhGojDga6V1fGzQfNGcYFAfKnDvsWeuAsP',
      BTC: '1P3rU1Nk1pmc2BiWC8dEy9bZa1ZbMp5jfg',
      EMC2: 'EfCkxbDFSn4X1VKMzyckyHaXLf4ithTGoM',
      AYA: 'Adpj7WENLyRkq9vVknHa82rf3cVHjYvzCG',
      MIL: 'MVx1hSH9WqwQurgqR7HBDRCu3ESkuhQC8r',
    };
    for (const [symbol, address] of Object.entries(table))
      expect(notarizationAddress(chain({}, COINS[symbol]!, 'coin'))).toBe(address);
  });
});

describe('raw transactions', () => {
  for (const sapling of [true, false]) {
    it(`rewrites the outputs of a v${sapling ? 4 : 1} transaction byte for byte as komodod serialises it`, () => {
      const tx = newTx({ sapling, expiryHeight: sapling ? 1234 : 0, locktime: 77 });
      tx.inputs.push({ txid: 'ab'.repeat(32), vout: 3, script: new Uint8Array(0), sequence: 0xfffffffe });
      tx.inputs.push({ txid: 'cd'.repeat(32), vout: 300, script: new Uint8Array(0), sequence: 0xffffffff });
      const pub = fromHex(keys.pubkey);
      tx.outputs.push(
        { value: 10_000, script: p2pkScript(pub) },
        { value: 5_000_000, script: p2pkhScript(hash160(pub)) },
      );
      const hex = Buffer.from(serializeTx(tx)).toString('hex');
      const parsed = parseRawTx(hex);
      expect(parsed.inputs).toEqual([
        { txid: 'ab'.repeat(32), vout: 3 },
        { txid: 'cd'.repeat(32), vout: 300 },
      ]);
      expect(parsed.outputs).toEqual([
        { sats: 10_000, script: scripts.p2pk },
        { sats: 5_000_000, script: scripts.p2pkh },
      ]);
      expect(txidOfHex(hex)).toBe(txidOf(serializeTx(tx)));
      // 260 outputs: the output count needs a 3-byte varint
      const many = [
        ...Array.from({ length: 259 }, () => ({ sats: 10_000, script: scripts.p2pk })),
        parsed.outputs[1]!,
      ];
      tx.outputs = many.map((o) => ({ value: o.sats, script: fromHex(o.script) }));
      expect(withOutputs(parsed, many)).toBe(Buffer.from(serializeTx(tx)).toString('hex'));
      expect(parseRawTx(withOutputs(parsed, many)).outputs).toEqual(many);
    });
  }
});

describe('planning', () => {
  it('the fee of §11.4: 50 outputs plus change from one input cost 0.00008484', () => {
    expect(feeFor(1, 51)).toBe(8484);
    expect(feeFor(1, 51, 10)).toBe(24_240);
  });

  it('a split takes the smallest confirmed non-coinbase P2PKH output that covers it', () => {
    const c = chain();
    const entries = [
      utxo(0.0001, scripts.p2pk),
      utxo(5, scripts.p2pkh),
      utxo(0.01, scripts.p2pkh),
      utxo(0.001, scripts.p2pkh), // too small for 19 × 0.0001 + fee
      utxo(0.005, scripts.p2pkh, { generated: true }), // mined: never
      utxo(0.004, scripts.p2pkh, { confirmations: 0 }), // unconfirmed: never
      utxo(3, scripts.p2pk, { generated: true }), // P2PK: never (Iguana's splitfunds neither)
    ];
    const scan = scanOf(entries);
    const plan = planSplit(c, scan, summarize(c, scan));
    expect(plan.inputs.map((i) => i.sats)).toEqual([1_000_000]);
    expect(plan.outputs).toEqual([
      expect.objectContaining({ role: 'notarization', count: 19, sats: 10_000, script: scripts.p2pk }),
      expect.objectContaining({ role: 'change', count: 1, sats: 1_000_000 - 190_000 - feeFor(1, 20) }),
    ]);
    expect(plan.locktime).toBe(0);
  });

  it('several outputs, largest first, when no single one covers it; dust change goes to the fee', () => {
    const c = chain();
    const fee2 = feeFor(2, 21);
    const entries = [utxo(0.0012, scripts.p2pkh), utxo(0.0011, scripts.p2pkh), utxo(0.0001, scripts.p2pkh)];
    const needed = 200_000 + fee2;
    // make the two largest cover it with a dust remainder
    entries[1]!.amount = (needed - 120_000 + 500) / 1e8;
    const scan = scanOf(entries);
    const plan = planSplit(c, scan, summarize(c, scan));
    expect(plan.inputs.map((i) => i.sats)).toEqual([120_000, needed - 120_000 + 500]);
    expect(plan.outputs).toHaveLength(1);
    expect(plan.feeSats).toBe(fee2 + 500);
  });

  it('insufficient funds: the numbers and a hint that names what to do', () => {
    const c = chain();
    const scan = scanOf([utxo(0.0005, scripts.p2pkh), utxo(7, scripts.p2pk, { generated: true })]);
    expect(() => planSplit(c, scan, summarize(c, scan))).toThrowError(
      expect.objectContaining({
        code: 'insufficient-funds',
        message: expect.stringContaining(
          'needs 0.00203864 (0.00200000 + fee 0.00003864) in confirmed P2PKH outputs of RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn; 0.00050000 available in 1 output; 7.00000000 more sits',
        ),
        hint: expect.stringContaining('dokomodo utxo consolidate TESTC'),
      }),
    );
  });

  it('consolidation never touches notarization UTXOs, chunks at most 399, skips a lone P2PKH output', () => {
    const c = chain();
    const many = Array.from({ length: 450 }, () => utxo(0.01, scripts.p2pkh));
    const ntz = Array.from({ length: 30 }, () => utxo(0.0001, scripts.p2pk));
    const txs = planConsolidate(c, scanOf([...many, ...ntz, utxo(3, scripts.p2pk, { generated: true })]));
    expect(txs.map((t) => t.inputs.length)).toEqual([399, 52]);
    expect(txs.flatMap((t) => t.inputs).some((i) => i.script === 'p2pk' && i.sats === 10_000)).toBe(false);
    expect(txs[0]!.inputs[0]!.sats).toBe(300_000_000); // largest first
    expect(txs[0]!.outputs).toEqual([
      expect.objectContaining({
        role: 'self',
        script: scripts.p2pkh,
        sats: 300_000_000 + 398 * 1_000_000 - feeFor(399, 1),
      }),
    ]);
    expect(planConsolidate(c, scanOf([utxo(1, scripts.p2pkh), ...ntz]))).toEqual([]);
  });

  it('KMD: inputs with interest get a recent nLockTime and the interest in the output', () => {
    const c = { ...chain(), kind: 'kmd' } as ChainModel;
    const now = 1_700_000_000_000;
    const [tx] = planConsolidate(
      c,
      scanOf([utxo(10, scripts.p2pkh, { interest: 0.01 }), utxo(1, scripts.p2pkh)]),
      { now },
    );
    expect(tx!.locktime).toBe(1_700_000_000 - 777);
    expect(tx!.outputs[0]!.sats).toBe(1_101_000_000 - feeFor(2, 1));
  });
});

describe('journal resolution', () => {
  const entry = {
    txid: 'ee'.repeat(32),
    hex: '00',
    inputs: [{ txid: 'aa'.repeat(32), vout: 1 }],
    state: 'signed' as const,
  };
  const memoryStore = (): JournalStore & { journal: Journal | undefined } => {
    const s = {
      journal: {
        format: 'dokomodo-utxo-journal/1',
        chain: 'TESTC',
        action: 'split',
        created: '',
        txs: [entry],
      } as Journal | undefined,
      path: () => '/journals/TESTC.journal.json',
      read: () => s.journal,
      write: (j: Journal) => {
        s.journal = j;
      },
      remove: () => {
        s.journal = undefined;
      },
      lock: () => () => {},
    };
    return s;
  };
  const fail = (code: number, message: string, kind = 'rpc') =>
    Object.assign(new Error(message), { code, kind });
  const fake = (handlers: Record<string, () => unknown>): Rpc & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      async call<T>(method: string): Promise<T> {
        calls.push(method);
        const h = handlers[method];
        if (!h) throw fail(-5, 'No information available about transaction');
        return h() as T;
      },
    };
  };

  it('known to the node: done, nothing sent', async () => {
    const store = memoryStore();
    const rpc = fake({ getrawtransaction: () => '00' });
    expect(await resolveJournal(rpc, chain(), store)).toEqual([
      { txid: entry.txid, outcome: 'already-landed', reason: 'in the mempool or a block' },
    ]);
    expect(rpc.calls).not.toContain('sendrawtransaction');
    expect(store.journal).toBeUndefined();
  });

  it('mined (-27 on resend) counts as landed', async () => {
    const store = memoryStore();
    const rpc = fake({
      sendrawtransaction: () => {
        throw fail(-27, 'transaction already in block chain');
      },
    });
    expect((await resolveJournal(rpc, chain(), store))[0]!.outcome).toBe('already-landed');
  });

  it('expired with its inputs unspent: discarded (it can never be mined)', async () => {
    const store = memoryStore();
    const rpc = fake({
      sendrawtransaction: () => {
        throw fail(-26, '16: tx-overwinter-expired');
      },
      gettxout: () => ({ value: 1 }),
    });
    expect((await resolveJournal(rpc, chain(), store))[0]).toMatchObject({
      outcome: 'discarded',
      reason: expect.stringMatching(/expired/),
    });
    expect(store.journal).toBeUndefined();
  });

  it('refused for another reason while its inputs are unspent: kept, and an error that says what to do', async () => {
    const store = memoryStore();
    const rpc = fake({
      sendrawtransaction: () => {
        throw fail(-26, '66: insufficient priority');
      },
      gettxout: () => ({ value: 1 }),
    });
    await expect(resolveJournal(rpc, chain(), store)).rejects.toMatchObject({
      code: 'journal-unresolved',
      hint: expect.stringContaining('/journals/TESTC.journal.json'),
    });
    expect(store.journal?.txs).toHaveLength(1);
  });

  it('daemon unreachable: the journal stays for the next run', async () => {
    const store = memoryStore();
    const rpc = fake({
      getrawtransaction: () => {
        throw fail(0, 'connection refused', 'transport');
      },
    });
    await expect(resolveJournal(rpc, chain(), store)).rejects.toThrow(/connection refused/);
    expect(store.journal).toBeDefined();
  });
});

describe('stats', () => {
  it('cost per notarization from the wallet entries: −Σamount − fee, plus the split fee share', async () => {
    const now = 1_800_000_000;
    const ntz = 'RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA';
    // two notarizations in the window, one older; each with its OP_RETURN entry (no address)
    const tx = (id: string, time: number, confs: number) => [
      {
        address: ntz,
        category: 'send',
        amount: -0.000988,
        fee: 0.000888,
        txid: id,
        time,
        rawconfirmations: confs,
      },
      { category: 'send', amount: 0, fee: 0.000888, txid: id, time, rawconfirmations: confs },
    ];
    const entries = [
      ...tx('01', now - 3 * 86400, 300),
      { address: 'Rsomeone', category: 'receive', amount: 5, txid: '02', time: now - 4000 },
      ...tx('03', now - 3600, 20),
      ...tx('04', now - 600, 3),
      ...tx('05', now - 600, 2),
    ];
    const rpc: Rpc = {
      async call<T>(method: string): Promise<T> {
        const replies: Record<string, unknown> = {
          getinfo: { blocks: 1000, balance: 1, notarized: 990 },
          listtransactions: entries,
          listunspent: [],
          getwalletinfo: { txcount: 42 },
        };
        return replies[method] as T;
      },
    };
    const s = await chainStats(rpc, chain(), {
      pubkey: keys.pubkey,
      windowSeconds: 86400,
      now: () => now * 1000,
    });
    expect(s).toMatchObject({
      notarizations: 3,
      perDay: 3,
      costSats: 10_000 + 154,
      utxos: 0,
      walletTxs: 42,
      last: { txid: '05', height: 999, ageSeconds: 600 },
    });
    expect(s.daysLeft).toBe(Math.round((1e8 / (3 * 10_154)) * 10) / 10);
  });

  it('the operators’ colours', () => {
    expect([4, 5, 9, 10].map(utxoColor)).toEqual(['red', 'yellow', 'yellow', 'green']);
    expect([0, 8999, 9000, 86399, 86400].map(ageColor)).toEqual([
      'green',
      'green',
      'yellow',
      'yellow',
      'red',
    ]);
    const out: Out = { stdout: () => {}, stderr: () => {}, color: true };
    const row = (utxos: number, age: number): ChainStats => ({
      ...errorStats(chain(), 86400, ''),
      state: 'ok',
      message: null,
      utxos,
      pendingUtxos: 0,
      last: { txid: '', height: 1, time: 0, ageSeconds: age },
    });
    const text = statsTable(out, [row(3, 60), row(7, 20_000), row(50, 100_000)]);
    expect(text).toContain('\x1b[31m3\x1b[0m');
    expect(text).toContain('\x1b[33m7\x1b[0m');
    expect(text).toContain('\x1b[32m50\x1b[0m');
    expect(text).toContain('\x1b[32m60s\x1b[0m');
    expect(text).toContain('\x1b[33m5.6h\x1b[0m');
    expect(text).toContain('\x1b[31m27.8h\x1b[0m');
  });
});

describe('checkfork peers file', () => {
  it('JSON or YAML; credentials never in a label', () => {
    const json = parsePeers(
      '{"DOC": [{"url": "http://u:secretpw@10.0.0.2:7771"}, {"explorer": "https://x.example/insight-api-komodo?key=k"}]}',
      'p.json',
    );
    expect(json['DOC']).toHaveLength(2);
    expect(parsePeers('DOC:\n  - url: http://u:p@h:1\n', 'p.yaml')['DOC']).toEqual([
      { url: 'http://u:p@h:1' },
    ]);
    expect(sourceLabel('http://u:secretpw@10.0.0.2:7771')).toBe('http://10.0.0.2:7771');
    expect(sourceLabel('https://x.example/insight-api-komodo?key=k')).toBe(
      'https://x.example/insight-api-komodo',
    );
    expect(() => parsePeers('DOC: [{ url: a, explorer: b }]', 'p.yaml')).toThrow(
      /exactly one of url or explorer/,
    );
    expect(() => parsePeers('DOC: [{ url: "ftp://h" }]', 'p.yaml')).toThrow(/only http and https/);
    expect(() => parsePeers('[1]', 'p.yaml')).toThrow(/expected an object/);
  });
});
