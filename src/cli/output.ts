/** Rendering for the terminal: tables, JSON, diagnostics, colours. Everything printed is redacted. */
import { type Diagnostic, formatDiagnostic } from '../core/diagnostics.ts';
import { redact } from '../core/redact.ts';

export interface Out {
  stdout(text: string): void;
  stderr(text: string): void;
  color: boolean;
}

export function processOut(): Out {
  const color = !process.env['NO_COLOR'] && process.stdout.isTTY === true && process.env['TERM'] !== 'dumb';
  return {
    stdout: (t) => process.stdout.write(redact(t)),
    stderr: (t) => process.stderr.write(redact(t)),
    color,
  };
}

const codes = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export type Color = keyof typeof codes;

export function paint(out: Out, color: Color, text: string): string {
  return out.color ? `\x1b[${codes[color]}m${text}\x1b[0m` : text;
}

export function printJson(out: Out, value: unknown): void {
  out.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
const pad = (s: string, w: number, left: boolean) => {
  const fill = ' '.repeat(Math.max(0, w - visible(s)));
  return left ? fill + s : s + fill;
};

/** A plain text table: left-aligned columns, numbers right-aligned, two spaces apart; colour codes do not count as width. */
export function table(
  headers: string[],
  rows: Array<Array<string | number | undefined>>,
  rightAlign: readonly number[] = [],
): string {
  const cells = rows.map((r) => r.map((c) => (c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visible(r[i] ?? ''))));
  const numeric = headers.map(
    (_, i) =>
      rightAlign.includes(i) ||
      (rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === undefined)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!, numeric[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

export function printDiagnostics(out: Out, diags: readonly Diagnostic[]): void {
  for (const d of diags) {
    const text = formatDiagnostic(d);
    const [first, ...rest] = text.split('\n');
    const colored = first!.replace(
      / (error|warning) /,
      (_m, sev: string) => ` ${paint(out, sev === 'error' ? 'red' : 'yellow', sev)} `,
    );
    out.stderr(`${[colored, ...rest.map((l) => paint(out, 'dim', l))].join('\n')}\n`);
  }
}

export function diagnosticsJson(diags: readonly Diagnostic[]): unknown[] {
  return diags.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.pos ? { file: d.pos.file, line: d.pos.line, col: d.pos.col } : {}),
  }));
}
