/**
 * Byte helpers for the simulator: hex, a growable writer and a bounds-checked reader for
 * Bitcoin/Zcash wire formats, and the two hashes the chain needs. Block and transaction hashing
 * runs on every mined block and every RPC that builds a transaction, so it uses node:crypto
 * (native) rather than a JS implementation.
 */
import { createHash, randomBytes } from 'node:crypto';

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function isHex(s: string): boolean {
  return HEX_RE.test(s);
}

/** Decodes even-length hex; throws on anything else (callers turn that into an RPC error). */
export function fromHex(s: string): Uint8Array {
  if (!HEX_RE.test(s)) throw new Error('invalid hex');
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function dsha256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

export function hash160(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('ripemd160').update(sha256(data)).digest());
}

/** RPC hex of an internal hash: Bitcoin prints hashes byte-reversed. */
export function hashToRpcHex(h: Uint8Array): string {
  return toHex(Uint8Array.from(h).reverse());
}

export function rpcHexToHash(s: string): Uint8Array {
  return fromHex(s).reverse();
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Little-endian writer that grows as needed. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v | 0, true);
    this.length += 4;
    return this;
  }

  /** Signed 64-bit; amounts in satoshis are always within Number's safe range here. */
  i64(v: number): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  varint(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) {
      this.u8(0xfd);
      this.ensure(2);
      this.view.setUint16(this.length, n, true);
      this.length += 2;
      return this;
    }
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    this.u8(0xff);
    this.ensure(8);
    this.view.setBigUint64(this.length, BigInt(n), true);
    this.length += 8;
    return this;
  }

  varbytes(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Bounds-checked little-endian reader; every overrun throws. */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('unexpected end of data');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64(): number {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new Error('amount out of range');
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  varint(): number {
    const b = this.u8();
    if (b < 0xfd) return b;
    if (b === 0xfd) return this.u16();
    if (b === 0xfe) return this.u32();
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > 0x7fffffffn) throw new Error('size too large');
    return Number(v);
  }

  varbytes(): Uint8Array {
    const n = this.varint();
    if (n > this.remaining) throw new Error('unexpected end of data');
    return this.bytes(n);
  }
}
