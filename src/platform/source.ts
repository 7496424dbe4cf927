/**
 * The parsed platform file: YAML with positions. Turns a path into a document path
 * (`['chains', 'DOC', 'params', 'ac_supply']`) into `file:line:col` and a code frame.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import { codeFrame, type Diagnostic, diagnostic, type SourcePosition } from '../core/diagnostics.ts';

export type DocPath = ReadonlyArray<string | number>;

export class PlatformSource {
  readonly file: string;
  readonly text: string;
  private parsed: Document.Parsed | undefined;
  private readonly lines = new LineCounter();
  private lineCache: string[] | undefined;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
  }

  /**
   * The document with positions, parsed on first use: the loader reads values with a faster
   * parser and needs positions only when it has something to report.
   */
  get doc(): Document.Parsed {
    this.parsed ??= parseDocument(this.text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The parser's own check compares each key with every earlier one: quadratic, minutes
      // for a mapping of 100,000 keys. keyProblems() does it with a set.
      uniqueKeys: false,
      strict: true,
      merge: true,
      keepSourceTokens: false,
    });
    return this.parsed;
  }

  /**
   * Keys that repeat an earlier key of the same mapping, and keys that are mappings or
   * sequences (`? [a, b] : c`), which no platform key is and which both parsers turn into
   * text like "[object Object]". In document order.
   */
  keyProblems(): Array<{ offset: number; end: number; key: string; kind: 'duplicate' | 'complex' }> {
    const out: Array<{ offset: number; end: number; key: string; kind: 'duplicate' | 'complex' }> = [];
    const stack: unknown[] = [this.doc.contents];
    while (stack.length > 0) {
      const node = stack.pop();
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const pair of node.items) {
          const k = pair.key;
          if (isScalar(k)) {
            // The parser's rule: scalars with the same value (so 1 and "1" differ).
            const id = `${typeof k.value}:${String(k.value)}`;
            if (seen.has(id) && k.range) {
              out.push({ offset: k.range[0], end: k.range[1], key: String(k.value), kind: 'duplicate' });
            }
            seen.add(id);
          } else if (isCollection(k) || (isAlias(k) && isCollection(k.resolve(this.doc)))) {
            const range = (k as Node).range ?? [0, 0];
            const key = this.text.slice(range[0], Math.min(range[1], range[0] + 40)).trim();
            out.push({ offset: range[0], end: range[1], key, kind: 'complex' });
          }
          stack.push(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) stack.push(item);
      }
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  posAt(offset: number, endOffset?: number): SourcePosition {
    const { line, col } = this.linePos(offset);
    const pos: SourcePosition = { file: this.file, line, col };
    if (endOffset !== undefined) {
      const end = this.linePos(endOffset);
      pos.endLine = end.line;
      pos.endCol = end.col;
    }
    return pos;
  }

  private linePos(offset: number): { line: number; col: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    // The line counter is filled while parsing; a file refused before parsing (too deep) must
    // not be parsed just to position the refusal.
    if (this.parsed) return this.lines.linePos(at);
    let line = 1;
    let start = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < at; i = this.text.indexOf('\n', i + 1)) {
      line++;
      start = i + 1;
    }
    return { line, col: at - start + 1 };
  }

  /**
   * Position of the node at `path`. With `key: true`, the position of the mapping key itself
   * (for unknown keys and bad names); otherwise the value. Falls back to the nearest ancestor
   * that exists, so a missing key points at the mapping that lacks it.
   */
  locate(path: DocPath, opts: { key?: boolean } = {}): SourcePosition {
    let node: unknown = this.doc.contents;
    let best: { range?: [number, number, number] | null } | null = (node as Node | null) ?? null;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) break;
        if (last && opts.key && isScalar(pair.key)) {
          best = pair.key;
          break;
        }
        node = pair.value;
        // `key:` with no value: point at the key, the value has no position of its own.
        best = (node as Node | null) ?? (isScalar(pair.key) ? pair.key : best);
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (!node) break;
        best = node as Node;
      } else {
        break;
      }
    }
    const range = best?.range;
    if (!range) return this.posAt(0);
    return this.posAt(range[0], range[1]);
  }

  /** A diagnostic positioned at `path`, with its code frame. */
  diag(
    code: string,
    path: DocPath,
    message: string,
    opts: { hint?: string; key?: boolean; severity?: 'error' | 'warning' } = {},
  ): Diagnostic {
    const pos = this.locate(path, opts.key === undefined ? {} : { key: opts.key });
    return this.withFrame(diagnostic(code, message, { ...opts, pos }));
  }

  withFrame(d: Diagnostic): Diagnostic {
    if (d.pos && d.pos.file === this.file) {
      this.lineCache ??= this.text.split(/\r?\n/);
      d.frame = codeFrame(this.lineCache, d.pos.line, d.pos.col, d.pos.endLine, d.pos.endCol);
    }
    return d;
  }
}

/** Renders a path for messages: chains.DOC.params.ac_supply, notaries.s8.list[3]. */
export function pathString(path: DocPath): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${seg}` : seg;
  }
  return s || '(top level)';
}
