/**
 * Diagnostics: problems found in user input, as values. Loading the platform file never throws on
 * bad input; it returns diagnostics, each with a stable kebab-case code, a message that says what
 * is wrong, a hint that says what to do, and the position of the offending YAML node.
 */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** Path of the file as the user named it. */
  file: string;
  /** 1-based line and column of the start of the offending node. */
  line: number;
  col: number;
  /** 1-based end position (exclusive), when known; used to underline the node in the frame. */
  endLine?: number;
  endCol?: number;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  pos?: SourcePosition;
  /** A few source lines around `pos` with a caret marker, filled in by the loader. */
  frame?: string;
}

export function diagnostic(
  code: string,
  message: string,
  opts: { hint?: string; pos?: SourcePosition; severity?: Severity } = {},
): Diagnostic {
  const d: Diagnostic = { code, severity: opts.severity ?? 'error', message };
  if (opts.hint !== undefined) d.hint = opts.hint;
  if (opts.pos !== undefined) d.pos = opts.pos;
  return d;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Builds a code frame: the offending line with one line of context each side and a caret line. */
export function codeFrame(
  source: string | readonly string[],
  line: number,
  col: number,
  endLine?: number,
  endCol?: number,
): string {
  // Callers framing many diagnostics of one file pass its lines split once.
  const lines = typeof source === 'string' ? source.split(/\r?\n/) : source;
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    let text = lines[n - 1] ?? '';
    if (text.length > 200) text = `${text.slice(0, 200)}…`;
    const marker = n === line ? '>' : ' ';
    out.push(`${marker} ${String(n).padStart(width)} | ${text}`);
    if (n === line) {
      const start = Math.max(1, col);
      const stop =
        endLine === line && endCol !== undefined && endCol > start ? Math.min(endCol, 201) : start + 1;
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(start - 1)}${'^'.repeat(Math.max(1, stop - start))}`);
    }
  }
  return out.join('\n');
}

/** `FILE:LINE:COL error CODE: message` followed by the frame and the hint, indented. */
export function formatDiagnostic(d: Diagnostic, opts: { frame?: boolean } = {}): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col} ` : '';
  let s = `${where}${d.severity} ${d.code}: ${d.message}`;
  if (opts.frame !== false && d.frame) s += `\n${d.frame}`;
  if (d.hint) s += `\n  hint: ${d.hint}`;
  return s;
}

/** Levenshtein distance, for did-you-mean hints. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within a distance that scales with the word's length, if any. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
