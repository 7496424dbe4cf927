/**
 * A relay's TLS files on disk (`ca.pem`, `NAME.pem`, `NAME-key.pem`), read without loading the
 * X.509 library: what every command that talks through a relay needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DokomodoError } from '../core/errors.ts';

export interface CertFiles {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
}

export function certPaths(dir: string, name: string): CertFiles {
  return {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, `${name}.pem`),
    key: join(dir, `${name}-key.pem`),
  };
}

export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

/** Reads a relay's CA, certificate and key; a missing file is a `relay-cert-missing` error. */
export function readTls(dir: string, name: string): TlsMaterial {
  const f = certPaths(dir, name);
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      throw new DokomodoError('relay-cert-missing', `cannot read ${p}`, {
        hint: `make the certificates with \`dokomodo relay cert --out ${dir} --name ${name} --san ADDRESS\``,
      });
    }
  };
  return { ca: read(f.ca), cert: read(f.cert), key: read(f.key) };
}
