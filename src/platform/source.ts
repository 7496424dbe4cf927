/**
 * The parsed platform file: YAML with positions. Turns a path into a document path
 * (`['chains', 'DOC', 'params', 'ac_supply']`) into `file:line:col` and a code frame.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type Document } from 'yaml';
import { codeFrame, type Diagnostic, diagnostic, type SourcePosition } from '../core/diagnostics.ts';

export type DocPath = ReadonlyArray<string | number>;

export class PlatformSource {
  readonly file: string;
  readonly text: string;
  private parsed: Document.Parsed | undefined;
  private readonly lines = new LineCounter();

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
      uniqueKeys: true,
      strict: true,
      merge: true,
      keepSourceTokens: false,
    });
    return this.parsed;
  }

  posAt(offset: number, endOffset?: number): SourcePosition {
    void this.doc; // the line counter is filled while parsing
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    const pos: SourcePosition = { file: this.file, line, col };
    if (endOffset !== undefined) {
      const end = this.lines.linePos(Math.max(0, Math.min(endOffset, this.text.length)));
      pos.endLine = end.line;
      pos.endCol = end.col;
    }
    return pos;
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
      d.frame = codeFrame(this.text, d.pos.line, d.pos.col, d.pos.endLine, d.pos.endCol);
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
