/**
 * A platform with `via: relay`: Iguana on ig notarizes KMD (its own host), DOC (on ch, reached
 * through the relays) and MARTY (on ch2, direct). Shared by the relay render tests.
 */
export const RELAY_PLATFORM = `version: 1
secret: { env: DOKOMODO_SECRET }
defaults:
  datadir: ~/.komodo
  binaries: { komodod: /usr/bin/true, komodo-cli: /usr/bin/true, iguana: /usr/bin/true, dokomodo: /usr/bin/true }
hosts:
  ig: { address: 203.0.113.10, ssh: { user: notary } }
  ch: { address: 203.0.113.11, ssh: { user: notary }, via: relay, relay: { tunnel_port: 7791 } }
  ch2: { address: 203.0.113.12, ssh: { user: notary } }
chains:
  KMD: { host: ig }
  DOC: { host: ch, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
  MARTY: { host: ch2, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
iguana:
  main: { host: ig, port: 7776, coins: [KMD, DOC, MARTY], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [198.51.100.30, 198.51.100.30, 198.51.100.30, 198.51.100.30, 198.51.100.30, 198.51.100.30, 198.51.100.30, 198.51.100.30]
    list:
      - { name: devnode_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }
`;
