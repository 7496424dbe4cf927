/**
 * Iguana's side of the domain: the `addcoin` payload of a coin (reference iguana-dpow-rpc.md §4)
 * and the elected-notaries file (§1). Pure functions; values follow the KomodoPlatform/dPoW coin
 * files (`iguana/coins/*_7776`), which are what running Iguanas are fed today.
 */
import type { CoinInfo } from './coins.ts';

/** Genesis hash of KMD, reused by every Komodo-family coin file. */
export const KMD_GENESIS_HASH = '027e3758c3a65b12aa1046462b486d0a63bfa1beae327897f56c5cfb7daaae71';

/**
 * KMD's genesis block header as the coin files carry it (1487 bytes). Its double SHA-256 is
 * KMD_GENESIS_HASH (checked by a test).
 */
export const KMD_GENESIS_BLOCK =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e' +
  '67768f617fc81bc3888a51323a9fb8aa4b1e5e4a00000000000000000000000000000000000000000000000000000000' +
  '0000000029ab5f490f0f0f200b00000000000000000000000000000000000000000000000000000000000000fd400500' +
  '0d5ba7cda5d473947263bf194285317179d2b0d307119c2e7cc4bd8ac456f0774bd52b0cd9249be9d40718b6397a4c7b' +
  'bd8f2b3272fed2823cd2af4bd1632200ba4bf796727d6347b225f670f292343274cc35099466f5fb5f0cd1c105121b28' +
  '213d15db2ed7bdba490b4cedc69742a57b7c25af24485e523aadbb77a0144fc76f79ef73bd8530d42b9f3b9bed1c135a' +
  'd1fe152923fafe98f95f76f1615e64c4abb1137f4c31b218ba2782bc15534788dda2cc08a0ee2987c8b27ff41bd4e31c' +
  'd5fb5643dfe862c9a02ca9f90c8c51a6671d681d04ad47e4b53b1518d4befafefe8cadfb912f3d03051b1efbf1dfe37b' +
  '56e93a741d8dfd80d576ca250bee55fab1311fc7b3255977558cdda6f7d6f875306e43a14413facdaed2f46093e0ef1e' +
  '8f8a963e1632dcbeebd8e49fd16b57d49b08f9762de89157c65233f60c8e38a1f503a48c555f8ec45dedecd574a37601' +
  '323c27be597b956343107f8bd80f3a925afaf30811df83c402116bb9c1e5231c70fff899a7c82f73c902ba54da53cc45' +
  '9b7bf1113db65cc8f6914d3618560ea69abd13658fa7b6af92d374d6eca9529f8bd565166e4fcbf2a8dfb3c9b69539d4' +
  'd2ee2e9321b85b331925df195915f2757637c2805e1d4131e1ad9ef9bc1bb1c732d8dba4738716d351ab30c996c8657b' +
  'ab39567ee3b29c6d054b711495c0d52e1cd5d8e55b4f0f0325b97369280755b46a02afd54be4ddd9f77c22272b8bbb17' +
  'ff5118fedbae2564524e797bd28b5f74f7079d532ccc059807989f94d267f47e724b3f1ecfe00ec9e6541c961080d889' +
  '1251b84b4480bc292f6a180bea089fef5bbda56e1e41390d7c0e85ba0ef530f7177413481a226465a36ef6afe1e2bca6' +
  '9d2078712b3912bba1a99b1fbff0d355d6ffe726d2bb6fbc103c4ac5756e5bee6e47e17424ebcbf1b63d8cb90ce2e401' +
  '98b4f4198689daea254307e52a25562f4c1455340f0ffeb10f9d8e914775e37d0edca019fb1b9c6ef81255ed86bc51c5' +
  '391e0591480f66e2d88c5f4fd7277697968656a9b113ab97f874fdd5f2465e5559533e01ba13ef4a8f7a21d02c30c8de' +
  'd68e8c54603ab9c8084ef6d9eb4e92c75b078539e2ae786ebab6dab73a09e0aa9ac575bcefb29e930ae656e58bcb513f' +
  '7e3c17e079dce4f05b5dbc18c2a872b22509740ebe6a3903e00ad1abc55076441862643f93606e3dc35e8d9f2caef3ee' +
  '6be14d513b2e062b21d0061de3bd56881713a1a5c17f5ace05e1ec09da53f99442df175a49bd154aa96e4949decd52fe' +
  'd79ccf7ccbce32941419c314e374e4a396ac553e17b5340336a1a25c22f9e42a243ba5404450b650acfc826a6e432971' +
  'ace776e15719515e1634ceb9a4a35061b668c74998d3dfb5827f6238ec015377e6f9c94f38108768cf6e5c8b132e0303' +
  'fb5a200368f845ad9d46343035a6ff94031df8d8309415bb3f6cd5ede9c135fdabcc030599858d803c0f85be7661c889' +
  '84d88faa3d26fb0e9aac0056a53f1b5d0baed713c853c4a2726869a0a124a8a5bbc0fc0ef80c8ae4cb53636aa02503b8' +
  '6a1eb9836fcc259823e2692d921d88e1ffc1e6cb2bde43939ceb3f32a611686f539f8f7c9f0bf00381f743607d40960f' +
  '06d347d1cd8ac8a51969c25e37150efdf7aa4c2037a2fd0516fb444525ab157a0ed0a7412b2fa69b217fe39726315378' +
  '2c0f64351fbdf2678fa0dc8569912dcd8e3ccad38f34f23bbbce14c6a26ac24911b308b82c7e43062d180baeac4ba715' +
  '3858365c72c63dcf5f6a5b08070b730adb017aeae925b7d0439979e2679f45ed2f25a7edcfd2fb77a8794630285ccb0a' +
  '071f5cce410b46dbf9750b0354aae8b65574501cc69efb5b6a43444074fee116641bb29da56c2b4a7f456991fc92b2';

export type IguanaCoinKind = 'kmd' | 'assetchain' | 'coin';

export interface AddcoinInput {
  kind: IguanaCoinKind;
  /** Iguana's symbol (`newcoin`). */
  symbol: string;
  coin: CoinInfo;
  /** Display name (`name`): `Komodo` for KMD, the symbol for assetchains, the coin's name otherwise. */
  name?: string;
  confName: string;
  /** Data directory on the Iguana host, absolute; written without its leading `/` as the scripts do. */
  datadir: string;
  netmagic: string | undefined;
  p2p: number;
  rpc: number;
  /** For a daemon on another host: `host:port` and `user:pass` (Iguana then needs no conf file). */
  rpchost?: string;
  userpass?: string;
}

/** The `addcoin` request, fields in the order of the dPoW coin files. */
export function addcoinPayload(c: AddcoinInput): Record<string, unknown> {
  const path = c.datadir.replace(/^\/+/, '');
  if (c.kind === 'coin') {
    const p: Record<string, unknown> = {
      conf: c.confName,
      path,
      prefetchlag: -1,
      poll: 1,
      active: 1,
      agent: 'iguana',
      method: 'addcoin',
      newcoin: c.symbol,
      name: c.name ?? c.coin.name,
      startpend: 64,
      endpend: 64,
      services: 0,
      maxpeers: 512,
      RELAY: -1,
      VALIDATE: 0,
      p2p: c.p2p,
      rpc: c.rpc,
      pubval: c.coin.pubtype,
      p2shval: c.coin.p2shtype,
      wifval: c.coin.wiftype,
      minconfirms: 1,
    };
    if (c.netmagic) p['netmagic'] = c.netmagic;
    return withRemote(p, c);
  }
  const kmd = c.kind === 'kmd';
  const p: Record<string, unknown> = {
    conf: c.confName,
    path,
    unitval: '20',
    zcash: 1,
    RELAY: -1,
    VALIDATE: 0,
    prefetchlag: -1,
    poll: kmd ? 10 : 100,
    active: 1,
    agent: 'iguana',
    method: 'addcoin',
    startpend: kmd ? 8 : 4,
    endpend: kmd ? 8 : 4,
    services: kmd ? 0 : 129,
    maxpeers: kmd ? 32 : 8,
    newcoin: c.symbol,
    name: c.name ?? (kmd ? 'Komodo' : c.symbol),
    hasheaders: 1,
    useaddmultisig: 0,
    netmagic: c.netmagic,
    p2p: c.p2p,
    rpc: c.rpc,
    pubval: c.coin.pubtype,
    p2shval: c.coin.p2shtype,
    wifval: c.coin.wiftype,
    txfee_satoshis: '10000',
    isPoS: 0,
    minoutput: 10000,
    minconfirms: 2,
    genesishash: KMD_GENESIS_HASH,
    protover: 170002,
    genesisblock: KMD_GENESIS_BLOCK,
    debug: 0,
    sapling: 1,
  };
  return withRemote(p, c);
}

function withRemote(p: Record<string, unknown>, c: AddcoinInput): Record<string, unknown> {
  if (c.rpchost !== undefined) p['rpchost'] = c.rpchost;
  if (c.userpass !== undefined) p['userpass'] = c.userpass;
  return p;
}

export interface ElectedFile {
  port: number;
  BTCminsigs: number;
  minsigs: number;
  seeds: string[];
  notaries: Array<Record<string, string>>;
}

/** Iguana's elected-notaries file (`elected` / `3rd_party`). */
export function electedFile(list: {
  port: number;
  minsigs: number;
  BTCminsigs: number;
  seeds: readonly string[];
  notaries: ReadonlyArray<{ name: string; pubkey: string }>;
}): ElectedFile {
  return {
    port: list.port,
    BTCminsigs: list.BTCminsigs,
    minsigs: list.minsigs,
    seeds: [...list.seeds],
    notaries: list.notaries.map((n) => ({ [n.name]: n.pubkey })),
  };
}
