/**
 * The rendered container files are safe to commit and to show: none holds the platform secret,
 * a derived RPC password or a user:password pair, for any environment of the examples.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { CONTAINER_TARGETS, EXAMPLES, platformFile } from './helpers.ts';

describe('no rendered container file holds the secret or a derived password', () => {
  it.each(EXAMPLES)('%s, every environment', (file) => {
    const secret = 'scan-me-secret-value-0123456789';
    const p = platformFile(file);
    const needles = [
      secret,
      ...p.chains.flatMap((c) => {
        const creds = rpcCredentials(secret, c.name);
        return [creds.password, `${creds.user}:`];
      }),
    ];
    for (const env of [undefined, ...p.environments.map((e) => e.name)]) {
      const artifacts = compile(p, selectEnvironment(p, env), { secret, targets: CONTAINER_TARGETS });
      expect(artifacts.length).toBeGreaterThan(0);
      for (const a of artifacts) {
        expect(a.secret, a.path).toBe(false);
        for (const n of needles)
          expect(a.content.includes(n), `${a.path} holds ${n.slice(0, 6)}…`).toBe(false);
      }
    }
  });
});
