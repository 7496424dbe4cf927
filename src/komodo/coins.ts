/**
 * Coins a notary runs besides assetchains: base58 versions, default network constants and daemon
 * layout. Values from the project's address-versions vectors (reference §4.1); assetchains use
 * KMD's versions.
 */

/** What dokomodo needs to know about a coin daemon. */
export interface CoinInfo {
  /** Ticker, the key in {@link COINS}. */
  symbol: string;
  /** Display name as iguana coin files write it, e.g. 'Komodo', 'litecoin'. */
  name: string;
  /**
   * P2PKH address version. Values above 255 are two-byte prefixes, big-endian (zcash-style coins:
   * 0x1cb8 is the prefix bytes 1c b8).
   */
  pubtype: number;
  /** P2SH address version (same encoding as `pubtype`). */
  p2shtype: number;
  /** WIF version byte. */
  wiftype: number;
  /** Default p2p port, where published. */
  p2p?: number;
  /** Default rpc port, where published. */
  rpc?: number;
  /** Message-start bytes as 8 hex digits (iguana `netmagic`), where published. */
  netmagic?: string;
  /** Daemon binary, e.g. 'komodod', 'litecoind'. */
  daemon: string;
  /** RPC client binary, e.g. 'komodo-cli'. */
  cli: string;
  /** Data directory relative to $HOME on Linux, e.g. '.komodo'. */
  dataDir: string;
  /** Conf file name inside the data directory, e.g. 'komodo.conf'. */
  confName: string;
  /** True for coins notaries no longer run; kept so old keys and files still resolve. */
  historical?: boolean;
}

export const KMD: CoinInfo = Object.freeze({
  symbol: 'KMD',
  name: 'Komodo',
  pubtype: 60,
  p2shtype: 85,
  wiftype: 188,
  p2p: 7770,
  rpc: 7771,
  netmagic: 'f9eee48d',
  daemon: 'komodod',
  cli: 'komodo-cli',
  dataDir: '.komodo',
  confName: 'komodo.conf',
});

const TABLE: CoinInfo[] = [
  KMD,
  {
    symbol: 'BTC',
    name: 'bitcoin',
    pubtype: 0,
    p2shtype: 5,
    wiftype: 128,
    p2p: 8333,
    rpc: 8332,
    netmagic: 'f9beb4d9',
    daemon: 'bitcoind',
    cli: 'bitcoin-cli',
    dataDir: '.bitcoin',
    confName: 'bitcoin.conf',
  },
  {
    symbol: 'LTC',
    name: 'litecoin',
    pubtype: 48,
    // LTC also accepts P2SH version 50 ('M' addresses); 5 is what its wallets and iguana use.
    p2shtype: 5,
    wiftype: 176,
    p2p: 9333,
    rpc: 9332,
    netmagic: 'fbc0b6db',
    daemon: 'litecoind',
    cli: 'litecoin-cli',
    dataDir: '.litecoin',
    confName: 'litecoin.conf',
  },
  {
    symbol: 'EMC2',
    name: 'Einsteinium',
    pubtype: 33,
    p2shtype: 5,
    wiftype: 176,
    p2p: 41878,
    rpc: 41879,
    daemon: 'einsteiniumd',
    cli: 'einsteinium-cli',
    dataDir: '.einsteinium',
    confName: 'einsteinium.conf',
  },
  {
    symbol: 'AYA',
    name: 'Aryacoin',
    pubtype: 23,
    p2shtype: 5,
    wiftype: 176,
    p2p: 26001,
    // As published (same as LTC's default): do not run both on one host without overriding.
    rpc: 9332,
    daemon: 'aryacoind',
    cli: 'aryacoin-cli',
    dataDir: '.aryacoin',
    confName: 'aryacoin.conf',
  },
  {
    symbol: 'MIL',
    name: 'Milevium',
    pubtype: 50,
    p2shtype: 196,
    wiftype: 239,
    p2p: 41888,
    rpc: 41889,
    daemon: 'mild',
    cli: 'mil-cli',
    dataDir: '.mil',
    confName: 'mil.conf',
  },
  {
    symbol: 'CHIPS',
    name: 'chips',
    pubtype: 60,
    p2shtype: 85,
    wiftype: 188,
    daemon: 'chipsd',
    cli: 'chips-cli',
    dataDir: '.chips',
    confName: 'chips.conf',
  },
  {
    symbol: 'GAME',
    name: 'GameCredits',
    pubtype: 38,
    p2shtype: 5,
    wiftype: 166,
    p2p: 40002,
    rpc: 40001,
    daemon: 'gamecreditsd',
    cli: 'gamecredits-cli',
    dataDir: '.gamecredits',
    confName: 'gamecredits.conf',
    historical: true,
  },
  {
    symbol: 'GIN',
    name: 'GINcoin',
    pubtype: 38,
    p2shtype: 10,
    wiftype: 198,
    p2p: 10111,
    rpc: 10211,
    daemon: 'gincoind',
    cli: 'gincoin-cli',
    dataDir: '.gincoincore',
    confName: 'gincoin.conf',
    historical: true,
  },
  {
    symbol: 'SFUSD',
    name: 'SmartUSD',
    pubtype: 63,
    p2shtype: 85,
    wiftype: 188,
    p2p: 47777,
    rpc: 47776,
    daemon: 'smartusdd',
    cli: 'smartusd-cli',
    dataDir: '.smartusd',
    confName: 'smartusd.conf',
    historical: true,
  },
  {
    symbol: 'TCR',
    name: 'Tecracoin',
    pubtype: 65,
    p2shtype: 27,
    wiftype: 58,
    daemon: 'tecracoind',
    cli: 'tecracoin-cli',
    dataDir: '.tecracoin',
    confName: 'tecracoin.conf',
    historical: true,
  },
  {
    // The 2020 BTC fork, not the GLEEC assetchain (which is a komodod chain with KMD's versions).
    symbol: 'GLEECBTC',
    name: 'GleecBTC',
    pubtype: 35,
    p2shtype: 38,
    wiftype: 65,
    daemon: 'gleecbtcd',
    cli: 'gleecbtc-cli',
    dataDir: '.gleecbtc',
    confName: 'gleecbtc.conf',
    historical: true,
  },
  {
    symbol: 'HUSH',
    name: 'Hush',
    pubtype: 0x1cb8,
    p2shtype: 0x1cbd,
    wiftype: 128,
    p2p: 8888,
    rpc: 8822,
    daemon: 'hushd',
    cli: 'hush-cli',
    dataDir: '.hush',
    confName: 'hush.conf',
    historical: true,
  },
  {
    symbol: 'ZEC',
    name: 'Zcash',
    pubtype: 0x1cb8,
    p2shtype: 0x1cbd,
    wiftype: 128,
    p2p: 8233,
    rpc: 8232,
    daemon: 'zcashd',
    cli: 'zcash-cli',
    dataDir: '.zcash',
    confName: 'zcash.conf',
    historical: true,
  },
];

/** KMD, BTC, LTC and the third-party coins notaries run (or ran), by symbol. */
export const COINS: Readonly<Record<string, CoinInfo>> = Object.freeze(
  Object.fromEntries(TABLE.map((c) => [c.symbol, Object.freeze(c)])),
);

/** The coin with this symbol (exact, case-sensitive), or undefined. */
export function coinInfo(symbol: string): CoinInfo | undefined {
  return Object.hasOwn(COINS, symbol) ? COINS[symbol] : undefined;
}

/**
 * CoinInfo of an assetchain: KMD's versions, komodod binaries, data directory `.komodo/NAME` and
 * conf `NAME.conf`; ports and netmagic when the caller passes the chain identity.
 */
export function assetchainCoin(
  name: string,
  identity?: { p2p: number; rpc: number; netmagic: string },
): CoinInfo {
  const c: CoinInfo = {
    symbol: name,
    name,
    pubtype: KMD.pubtype,
    p2shtype: KMD.p2shtype,
    wiftype: KMD.wiftype,
    daemon: KMD.daemon,
    cli: KMD.cli,
    dataDir: `${KMD.dataDir}/${name}`,
    confName: `${name}.conf`,
  };
  if (identity) {
    c.p2p = identity.p2p;
    c.rpc = identity.rpc;
    c.netmagic = identity.netmagic;
  }
  return c;
}
