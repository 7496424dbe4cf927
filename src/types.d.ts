// Platform files embedded in the bundle as text (esbuild's text loader, see scripts/build.mjs).
declare module '*.yaml' {
  const text: string;
  export default text;
}

// undici's dispatcher classes by their own files (see operator/rpc/client.ts for why).
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici';
  export default Pool;
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici';
  export default buildConnector;
}
