/**
 * The relay's audit log: one JSON line per request (time, token id, method, result code, HTTP
 * status, duration, peer address), appended to a file opened O_APPEND with mode 0600. Parameters
 * are never written, so neither the passphrase nor a key of a key-bearing call can reach it.
 * Lines are written in order; `close` waits for every line to be on disk.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditEntry {
  time: string;
  token: string | null;
  method: string | null;
  result: string;
  status: number;
  ms: number;
  peer: string | null;
}

export interface AuditLog {
  readonly path: string;
  append(e: AuditEntry): void;
  /** Lines written so far. */
  readonly lines: number;
  close(): Promise<void>;
}

export function openAuditLog(path: string): AuditLog {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  chmodSync(path, 0o600);
  let pending: Buffer[] = [];
  let writing = false;
  let lines = 0;
  let closed = false;
  const idle: (() => void)[] = [];
  const flush = () => {
    if (writing) return;
    if (pending.length === 0) {
      for (const r of idle.splice(0)) r();
      return;
    }
    const buf = Buffer.concat(pending);
    pending = [];
    writing = true;
    write(fd, buf, 0, buf.length, null, (err, n) => {
      writing = false;
      if (!err && n < buf.length) pending.unshift(buf.subarray(n));
      flush();
    });
  };
  return {
    path,
    get lines() {
      return lines;
    },
    append(e) {
      if (closed) return;
      pending.push(Buffer.from(`${JSON.stringify(e)}\n`));
      lines++;
      flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((r) => {
        idle.push(r);
        flush();
      });
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}
