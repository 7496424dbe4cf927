/**
 * The relay's certificates, made with @peculiar/x509 on Node's WebCrypto (no hand-made crypto):
 * one self-signed CA per platform (ECDSA P-256, `ca.pem` / `ca-key.pem`) and one certificate per
 * relay signed by it (`NAME.pem` / `NAME-key.pem`), usable as TLS server and client certificate,
 * with the relay's addresses and names as subject alternative names. Gateway clients pin the relay
 * certificate's sha256 fingerprint; relays trust each other's certificates through the CA (mutual
 * TLS of the chain tunnels).
 */
import 'reflect-metadata';
import { X509Certificate as NodeX509, webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { writeFileAtomic } from '../core/atomic.ts';
export { normalizePin } from './wire.ts';
import { type CertFiles, certPaths } from './material.ts';

export { type CertFiles, certPaths, readTls, type TlsMaterial } from './material.ts';
import { DokomodoError } from '../core/errors.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** The sha256 fingerprint of a PEM certificate, as `AA:BB:…` (what Node's tls reports). */
export function fingerprint(pem: string): string {
  return new NodeX509(pem).fingerprint256;
}

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const b64 =
    der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), ALG, true, ['sign']);
}

export interface MadeCerts {
  files: CertFiles;
  /** True when the CA was made now (false: an existing one signed the relay certificate). */
  newCa: boolean;
  fingerprint: string;
  caFingerprint: string;
}

/**
 * Makes the CA in `dir` when it has none, then the certificate of relay `name` for `names`
 * (IP addresses and DNS names). Keys are written 0600, certificates 0644, atomically.
 */
export async function makeCerts(opts: {
  dir: string;
  name: string;
  names: readonly string[];
  days?: number;
  now?: number;
}): Promise<MadeCerts> {
  const files = certPaths(opts.dir, opts.name);
  const now = opts.now ?? Date.now();
  const days = opts.days ?? 825;
  let caCert: x509.X509Certificate;
  let caKey: webcrypto.CryptoKey;
  const haveCa = existsSync(files.ca) && existsSync(files.caKey);
  if (haveCa) {
    caCert = new x509.X509Certificate(readFileSync(files.ca, 'utf8'));
    caKey = await importKey(readFileSync(files.caKey, 'utf8'));
  } else {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=dokomodo relay CA',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 10 * 365 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caKey = keys.privateKey;
    writeFileAtomic(files.caKey, await pkcs8Pem(caKey), { mode: 0o600 });
    writeFileAtomic(files.ca, caCert.toString('pem'), { mode: 0o644 });
  }
  const names = [...new Set(opts.names)];
  if (names.length === 0) {
    throw new DokomodoError('relay-cert-no-names', `relay cert ${opts.name}: no address or name to certify`, {
      hint: 'pass --san with the addresses and DNS names the relay is reached at',
    });
  }
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.name.replace(/[,=+<>#;"\\]/g, '_')}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  writeFileAtomic(files.key, await pkcs8Pem(keys.privateKey), { mode: 0o600 });
  const certPem = cert.toString('pem');
  writeFileAtomic(files.cert, certPem, { mode: 0o644 });
  return {
    files,
    newCa: !haveCa,
    fingerprint: fingerprint(certPem),
    caFingerprint: fingerprint(caCert.toString('pem')),
  };
}
