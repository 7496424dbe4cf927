/**
 * Elected notary lists built into dokomodo (generated from KomodoPlatform/komodo src/komodo_hardfork.cpp
 * rows 7 and 8 via the project's test vectors). Order = notary id. Iguana's elected-file settings
 * (port, minsigs) are the KomodoPlatform/dPoW snapshot values; seeds change every season and are
 * not built in.
 */
export interface ElectedNotary {
  name: string;
  pubkey: string;
}

export interface Season {
  label: string;
  /** Iguana dPoW p2p port of the main-server elected file. */
  port: number;
  minsigs: number;
  /** Seed notaries' IPs of the elected file; Iguana needs at least 8 to start. */
  seeds?: readonly string[];
  notaries: readonly ElectedNotary[];
}

export const SEASONS: Readonly<Record<string, Season>> = {
  '7': {
    label: 'Season 7',
    port: 13848,
    minsigs: 13,
    notaries: [
      { name: 'blackice_DEV', pubkey: '03955c7999538cee313bf196a7df59db208c651f6a5a1b0eed94732ba753b4f3f4' },
      { name: 'blackice_AR', pubkey: '02bbc5518d27918d77c46b4e3ad0b9df936df520646527ab4c2f206544a2b03967' },
      { name: 'blackice_EU', pubkey: '02340bf4749a392865b0ddaf37e652195e740c7538aeac87f7a51b8bf2dcdc24ac' },
      { name: 'blackice_NA', pubkey: '035baa12331ad6c284d5f1b76527c1d6c5eb15a74b9ba369e5d46aefcc9c120938' },
      { name: 'alien_NA', pubkey: '03bea1ac333b95c8669ec091907ea8713cae26f74b9e886e13593400e21c4d30a8' },
      { name: 'alien_EU', pubkey: '03bb749e337b9074465fa28e757b5aa92cb1f0fea1a39589bca91a602834d443cd' },
      { name: 'alien_SH', pubkey: '03911a60395801082194b6834244fa78a3c30ff3e888667498e157b4aa80b0a65f' },
      { name: 'alienx_NA', pubkey: '02f0b3ef87629509441b1ae95f28108f258a81910e483b90e0496205e24e7069b8' },
      { name: 'alright_EU', pubkey: '0364f2beba6a91ca88a92e8bf709dc21b444587183256f651a30ad1b932242d4db' },
      { name: 'alright_DEV', pubkey: '028548847b3bbccff37c9b47bc4154183304902773d514b792ec2adc91e600e3b9' },
      {
        name: 'artem.pikulin_AR',
        pubkey: '026a8ed1e4eeeb023cfb8e003e1c1de6a2b771f37e112745ffb8b6e375a9cbfdec',
      },
      { name: 'batman_AR', pubkey: '02cc9eb0281628256a743570c57b2cedd54333ec79a97a681207b240cab84119fe' },
      { name: 'blackice2_AR', pubkey: '03d224790d17b881db560759cc9cc73fe5c865136a88af471ea156b7eb6d88ce32' },
      { name: 'ca333_EU', pubkey: '0335492a24c73844b29b8c724e709b8082424e6296baa1fab4ef86c73f233ccf27' },
      { name: 'caglarkaya_EU', pubkey: '035667a7e5594095f7b3d392e61da8dd7d0dda610bf8731e7831993a8201d1feea' },
      { name: 'chmex_AR', pubkey: '036c856ea778ea105b93c0be187004d4e51161eda32888aa307b8f72d490884005' },
      { name: 'chmex_EU', pubkey: '025b7209ba37df8d9695a23ea706ea2594863ab09055ca6bf485855937f3321d1d' },
      { name: 'chmex_NA', pubkey: '030c2528c29d5328243c910277e3d74aa77c9b4e145308007d2b11550731591dbe' },
      { name: 'chmex_SH', pubkey: '02698305eb3c27a2c724efd2152f9250739355116f201656c34b83aac2d3aebd19' },
      { name: 'chmex2_SH', pubkey: '02d27ed1cddfbaff9e47865e7df0165457e8f075f70bbea8c0498598ccf494555d' },
      { name: 'cipi_AR', pubkey: '033ae024cdb748e083406a2e20037017a1292079ad6a8161ae5b43f398724fea74' },
      { name: 'cipi_EU', pubkey: '03d6e1f3a693b5d69049791005d7cb64c259a1ad85833f5a9c545d4fee29905009' },
      { name: 'cipi_NA', pubkey: '036cc1d7476e4260601927be0fc8b748ae68d8fec8f5c498f71569a01bd92046c5' },
      { name: 'colmapol_EU', pubkey: '020c63078b5f5d27183de6f2bbae9bfe3fc57e017faf89b7d566bb947a92a2e40d' },
      {
        name: 'computergenie_EU',
        pubkey: '03a8c071036228e0900e0171f616ce1a58f0a761193551d68c4c20e70534f2e183',
      },
      {
        name: 'computergenie_NA',
        pubkey: '03a78ae070a5e9e935112cf7ea8293f18950f1011694ea0260799e8762c8a6f0a4',
      },
      {
        name: 'computergenie2_NA',
        pubkey: '03e1472f963ba84f3d797015811efbb7ded58cb0de69da463367f4e3281b259fc8',
      },
      { name: 'dimxy_AR', pubkey: '02689d0b77b1e8e8c93a102d8b689fd08179164d70e2dd585543c3896a0916e6a1' },
      { name: 'dimxy_DEV', pubkey: '039a01cd626d5efbe7fd05a59d8e5fced53bacac589192278f9b00ad31654b6956' },
      { name: 'emmaccen_DEV', pubkey: '02e3672b0ebcc9a524508651cf91c8752880ac2fff760d9373ddab59702b933058' },
      { name: 'fediakash_AR', pubkey: '027dfe5403f8870fb0e1b94a2b4204373b31ea73179ba500a88dd56d22855cd03b' },
      { name: 'gcharang_AR', pubkey: '030de3d833ba049da08231ca6b622c77c7f96b26269963291d9604706bb94031a5' },
      { name: 'gcharang_SH', pubkey: '02cb445948bf0d89f8d61102e12a5ee6e98be61ac7c2cb9ba435219ea9db967117' },
      { name: 'gcharang_DEV', pubkey: '033b82b5791c65477dd11095cf33332013df6d2bcb7aa06a6dae5f7b22b6959b0b' },
      { name: 'kmdude_SH', pubkey: '02116774b25226d0b99f70a24f55c5ce17a7af6d3522071369c233157ecb27b82a' },
      { name: 'marmara_AR', pubkey: '0335ab9e59d602df5580b964b6451d02cd9cc243ddf01b065db84375488df9f53c' },
      { name: 'marmara_EU', pubkey: '0234e40800500370d43979586ee2cec2e777a0368d10c682e78bca30fd1630c18d' },
      { name: 'mcrypt_SH', pubkey: '025faab3cc2e83bf7dad6a9463cbff86c08800e937942126f258cf219bc2320043' },
      { name: 'nodeone_NA', pubkey: '03f9dd0484e81174fd50775cb9099691c7d140ff00c0f088847e38dc87da67eb9b' },
      { name: 'nodeone2_NA', pubkey: '0397fa321960fda64b86330efaefeba56a7ab0ff4b7f82869b0115ad8bc1c432b0' },
      { name: 'ozkanonur_NA', pubkey: '02be4ac61cf534b0fb98568ec539ee9e34c5104088f94f21cee2945d37d88373da' },
      { name: 'pbca26_NA', pubkey: '021e362556ab07d4f1f75a0adce9709ad87ce1a51da679947b0ad4a6b651e9769b' },
      { name: 'pbca26_SH', pubkey: '035a9784047f030e00d886dd91c07c82846702595650a2f1de67a8d85dc077d712' },
      { name: 'phit_SH', pubkey: '02a9cef2141fb2af24349c1eea20f5fa8f5dba2835723778d19b23353ddcd877b1' },
      { name: 'ptyx_SH', pubkey: '0270dbba1449ab2e76109b147cbbea794f103a625d14743bf9e2aaa74f98e6787f' },
      { name: 'shamardy_SH', pubkey: '026d378de09ba51d8f56be52bc8d02f5e20bae843406e23686047b76c72412a7b3' },
      { name: 'sheeba_SH', pubkey: '03e6578015b7f0ab78a486070435031fff7bae11256ca6a9f3d358ab03029737cb' },
      { name: 'sheeba2_SH', pubkey: '02f016347d952a06f1121bc9445b162d0ba921c7317f6b60211179c1cddef0db57' },
      { name: 'smdmitry_AR', pubkey: '022a2a45979a6631a25e4c96469423de720a2f4c849548957c35a35c91041ee7ac' },
      { name: 'smdmitry_EU', pubkey: '02eb3aad81778f8d6f7e5295c44ca224e5c812f5e43fc1e9ce4ebafc23324183c9' },
      { name: 'smdmitry_SH', pubkey: '02d01cd6b87cbf5a9795c06968f0d169168c1be0d82cfeb79958b11ae2c30316c1' },
      { name: 'smdmitry2_AR', pubkey: '026e33b213be94fa7c05c781cb1d2fb381e4c4ef6aad40d6a67f0a8ad573d92efe' },
      { name: 'strob_SH', pubkey: '025ceac4256cef83ca4b110f837a71d70a5a977ecfdf807335e00bc78b560d451a' },
      { name: 'tonyl_AR', pubkey: '02b10141bf59b192c97f08273547d0cebff7466e8865a09f0da082e52b62de3866' },
      { name: 'tonyl_DEV', pubkey: '02f92a2592bd791fc09c030401b7d12016a4f878d7bfae6d58e547cf42c717a79a' },
      { name: 'van_EU', pubkey: '03af7f8c82f20671ca1978116353839d3e501523e379bfb52b1e05d7816bb5812f' },
      {
        name: 'webworker01_EU',
        pubkey: '02ad970d95fdaa296a0ab13b5733216e116030d9147ff33de20f22cb4e75b5073d',
      },
      {
        name: 'webworker01_NA',
        pubkey: '0324791c836fae78e2a698c53e58e671917cf66b145e9af83d431815a5002fb9a0',
      },
      { name: 'who-biz_NA', pubkey: '02f91a6772fe1a376e2bbe4b190008e3f878d40a8eaf92c65f1a7680b6b42ea47b' },
      { name: 'yurri-khi_DEV', pubkey: '03e57c7341d2c8a3be62e1caaa28978d76a8277dea7bb484fdd8c55dc05e4e4e93' },
      {
        name: 'dragonhound_AR',
        pubkey: '030a72f1a15f67624aea55743c5b777bdd55362596add77b544ee2e582bdebf0c7',
      },
      {
        name: 'dragonhound_EU',
        pubkey: '0286d7af8583e18127bd1f45730916b4f48ae3e0c90181b2745174b91b76c6e28b',
      },
      {
        name: 'dragonhound_NA',
        pubkey: '0306476ea5fb67aec667172a9bb30646dbff195b84c30ac958175af9b475987802',
      },
      {
        name: 'dragonhound_DEV',
        pubkey: '02f9a7b49282885cd03969f1f5478287497bc8edfceee9eac676053c107c5fcdaf',
      },
    ],
  },
  '8': {
    label: 'Season 8',
    port: 13848,
    minsigs: 13,
    notaries: [
      { name: 'alright_DEV', pubkey: '028548847b3bbccff37c9b47bc4154183304902773d514b792ec2adc91e600e3b9' },
      { name: 'alien_AR', pubkey: '03a40091ce1e7aa9863d9ad0c27f67b7d18bb47612438570ce344cd1782937c575' },
      { name: 'alien_EU', pubkey: '03bb749e337b9074465fa28e757b5aa92cb1f0fea1a39589bca91a602834d443cd' },
      { name: 'alien_NA', pubkey: '03bea1ac333b95c8669ec091907ea8713cae26f74b9e886e13593400e21c4d30a8' },
      { name: 'alien_SH', pubkey: '03911a60395801082194b6834244fa78a3c30ff3e888667498e157b4aa80b0a65f' },
      { name: 'alienx_EU', pubkey: '026afe5b112d1b39e0edafd5e051e261a676104460581f3673f26ceff7f1e6c56c' },
      { name: 'alienx_NA', pubkey: '02f0b3ef87629509441b1ae95f28108f258a81910e483b90e0496205e24e7069b8' },
      { name: 'artist_SH', pubkey: '023f9632eb3dc7fd1cfd700bb58de2da51bfa5898838586f49afdd145bddac16b6' },
      { name: 'batman_EU', pubkey: '0358441eca9d8d24cd756fb3308fd7c9d60fe2b5af702ce5c9c1429cbea7a4c284' },
      { name: 'blackice_AR', pubkey: '02bbc5518d27918d77c46b4e3ad0b9df936df520646527ab4c2f206544a2b03967' },
      { name: 'blackice_EU', pubkey: '02340bf4749a392865b0ddaf37e652195e740c7538aeac87f7a51b8bf2dcdc24ac' },
      { name: 'blackice_NA', pubkey: '035baa12331ad6c284d5f1b76527c1d6c5eb15a74b9ba369e5d46aefcc9c120938' },
      { name: 'blackice_SH', pubkey: '02c275d12560b2c8238b8a10a8fc8da891784eb7b2ff5d3310ebcb666e47579571' },
      { name: 'blackice2_AR', pubkey: '03d224790d17b881db560759cc9cc73fe5c865136a88af471ea156b7eb6d88ce32' },
      { name: 'ca333_EU', pubkey: '030a18ffa85e2928ed37b2e30dbeb9bfb30b21fb15c5c4bcbd61d26b945e398e2b' },
      { name: 'chmex_AR', pubkey: '036c856ea778ea105b93c0be187004d4e51161eda32888aa307b8f72d490884005' },
      { name: 'chmex_EU', pubkey: '025b7209ba37df8d9695a23ea706ea2594863ab09055ca6bf485855937f3321d1d' },
      { name: 'chmex_NA', pubkey: '030c2528c29d5328243c910277e3d74aa77c9b4e145308007d2b11550731591dbe' },
      { name: 'chmex_SH', pubkey: '02698305eb3c27a2c724efd2152f9250739355116f201656c34b83aac2d3aebd19' },
      { name: 'chmexvet_SH', pubkey: '02d27ed1cddfbaff9e47865e7df0165457e8f075f70bbea8c0498598ccf494555d' },
      { name: 'cipi_AR', pubkey: '033ae024cdb748e083406a2e20037017a1292079ad6a8161ae5b43f398724fea74' },
      { name: 'cipi_EU', pubkey: '03d6e1f3a693b5d69049791005d7cb64c259a1ad85833f5a9c545d4fee29905009' },
      { name: 'cipi_NA', pubkey: '036cc1d7476e4260601927be0fc8b748ae68d8fec8f5c498f71569a01bd92046c5' },
      { name: 'cipi2_NA', pubkey: '0306531923dbd4517d15e932668b64cbf95cc6c4293e46c8b5825c6543e0f06b15' },
      { name: 'colmapol_EU', pubkey: '020c63078b5f5d27183de6f2bbae9bfe3fc57e017faf89b7d566bb947a92a2e40d' },
      { name: 'dimxy_AR', pubkey: '02689d0b77b1e8e8c93a102d8b689fd08179164d70e2dd585543c3896a0916e6a1' },
      {
        name: 'dragonhound_AR',
        pubkey: '030a72f1a15f67624aea55743c5b777bdd55362596add77b544ee2e582bdebf0c7',
      },
      {
        name: 'dragonhound_EU',
        pubkey: '0286d7af8583e18127bd1f45730916b4f48ae3e0c90181b2745174b91b76c6e28b',
      },
      {
        name: 'dragonhound_NA',
        pubkey: '0306476ea5fb67aec667172a9bb30646dbff195b84c30ac958175af9b475987802',
      },
      {
        name: 'dragonhound_SH',
        pubkey: '02fe8e5a64979bc8e55b24e121182d2f1948e00a050c77407edbfc9cc8c012d679',
      },
      { name: 'fediakash_AR', pubkey: '027dfe5403f8870fb0e1b94a2b4204373b31ea73179ba500a88dd56d22855cd03b' },
      { name: 'fediakash_NA', pubkey: '024b31751c90dd9bd31e9a419be54d6f6cb7f4a85ea475359852ab645124010290' },
      { name: 'francois_SH', pubkey: '02fdbb8fdfa4b859e1a21c30824f8c04e15c8886b1e1cab5d9d0bd89c353eb9710' },
      { name: 'gcharang_AR', pubkey: '030de3d833ba049da08231ca6b622c77c7f96b26269963291d9604706bb94031a5' },
      { name: 'gcharang_SH', pubkey: '02cb445948bf0d89f8d61102e12a5ee6e98be61ac7c2cb9ba435219ea9db967117' },
      { name: 'gcharang2_SH', pubkey: '02567b688c180212df97b65273e70512f5f1f5edd20eb5fb85c7efa2a510e363d7' },
      { name: 'kmdude_SH', pubkey: '02116774b25226d0b99f70a24f55c5ce17a7af6d3522071369c233157ecb27b82a' },
      {
        name: 'marmarachain_AR',
        pubkey: '0335ab9e59d602df5580b964b6451d02cd9cc243ddf01b065db84375488df9f53c',
      },
      {
        name: 'marmarachain_EU',
        pubkey: '0234e40800500370d43979586ee2cec2e777a0368d10c682e78bca30fd1630c18d',
      },
      { name: 'mcrypt_NA', pubkey: '03ccaa74304165e0d66968c3f714942a130d67f02db1c2f910a75dfc15c0d3d58f' },
      { name: 'naezith_EU', pubkey: '038f61a0418deafdb9fa8809a5df0956943f423364022cab578c3fcb158f3dfc55' },
      { name: 'naezith_NA', pubkey: '033d9e2e3e51627b4cf9fec2ddbaadfd76a50965d423a2741e5b0db6ab13a057af' },
      { name: 'onur-ozkan_EU', pubkey: '03c159a0733fb3d15d0b6e7eb67568343c10891eb6f1e8ab0ae6fbe9e33af17bc0' },
      { name: 'onur-ozkan_NA', pubkey: '02be4ac61cf534b0fb98568ec539ee9e34c5104088f94f21cee2945d37d88373da' },
      { name: 'pbca26_NA', pubkey: '024034ed324e69316d6f6d554168b56828e40334f99d7adfe4ef9248c49d433e12' },
      { name: 'ptyx_SH', pubkey: '02ac5e2bc7bd5372395eab76c56951f699af617cd4e1fa2926eb7318e9caecd531' },
      { name: 'shamardy_SH', pubkey: '026d378de09ba51d8f56be52bc8d02f5e20bae843406e23686047b76c72412a7b3' },
      { name: 'smdmitry_AR', pubkey: '022a2a45979a6631a25e4c96469423de720a2f4c849548957c35a35c91041ee7ac' },
      { name: 'smdmitry2_AR', pubkey: '026e33b213be94fa7c05c781cb1d2fb381e4c4ef6aad40d6a67f0a8ad573d92efe' },
      { name: 'smdmitry_EU', pubkey: '02eb3aad81778f8d6f7e5295c44ca224e5c812f5e43fc1e9ce4ebafc23324183c9' },
      { name: 'smdmitry_NA', pubkey: '020580cbdfc051bdac9e5d05fe9a6b6a15885fbd3989c6662001f2399c6e0d7e4c' },
      { name: 'smdmitry_SH', pubkey: '02d01cd6b87cbf5a9795c06968f0d169168c1be0d82cfeb79958b11ae2c30316c1' },
      { name: 'strob_SH', pubkey: '025ceac4256cef83ca4b110f837a71d70a5a977ecfdf807335e00bc78b560d451a' },
      { name: 'gcharang_DEV', pubkey: '033b82b5791c65477dd11095cf33332013df6d2bcb7aa06a6dae5f7b22b6959b0b' },
      { name: 'dimxy_DEV', pubkey: '039a01cd626d5efbe7fd05a59d8e5fced53bacac589192278f9b00ad31654b6956' },
      { name: 'ca333_DEV', pubkey: '03cf925a2d7d697448c3ac6fff9aff349b80d773b4ce7de22c9ef7e2c8c002bec6' },
      { name: 'qa_DEV', pubkey: '036f42e1888378068c3a17a53665b0a9db21465571d63ca02eb8d5681afa709074' },
      { name: 'core_DEV', pubkey: '03955c7999538cee313bf196a7df59db208c651f6a5a1b0eed94732ba753b4f3f4' },
      { name: 'security_DEV', pubkey: '022450f4f32435372b43dc2b9d5b690114fbe5e5dcbe0c02ab8164698f1a9eda6e' },
      { name: 'tonyl_AR', pubkey: '0277bbdf6403d1ebaac5a715a9120118e74be0d3bed71a2c8cf5542fb6ca7d2dd7' },
      { name: 'van_EU', pubkey: '03af7f8c82f20671ca1978116353839d3e501523e379bfb52b1e05d7816bb5812f' },
      { name: 'who-biz_AR', pubkey: '03057d4c00c4e18f72faa4234aada9ad17ecd4bd9455c548edef16b94befa1a087' },
      { name: 'who-biz_NA', pubkey: '03170d900f6d6a13002255b708f7bd27e55b5c05d1ddbaf8c25a1fc287d9f804ed' },
      {
        name: 'dragonhound_DEV',
        pubkey: '02f9a7b49282885cd03969f1f5478287497bc8edfceee9eac676053c107c5fcdaf',
      },
    ],
  },
};
