/**
 * Bounds on the work a platform file can ask of the loader.
 *
 * Two shapes of hostile YAML cost far more than their size:
 * - aliases: js-yaml shares an aliased value instead of copying it, so `a: &a {…}` then
 *   `b: &b {x: *a, y: *a, …}` parses instantly into a DAG, and whatever walks the value next (our
 *   checks, the schema, normalize) walks it as a tree: 8 keys × 9 levels is 134 million nodes from
 *   600 bytes. The positioned parser's `maxAliasCount` never runs on that path.
 * - nesting: both YAML parsers, the schema and normalize recurse once per level, so a few
 *   thousand `[` overflow the stack and the message would be JavaScript's.
 *
 * Nesting is measured on the text before any recursive parser runs; expansion is measured on the
 * parsed value by an iterative walk that stops at the limit.
 */
import { type CST, Parser } from 'yaml';

/** Deepest nesting of mappings and sequences accepted; a real platform file needs about 6. */
export const MAX_NESTING = 100;
/** Nodes any file may expand to, aliases followed, on top of {@link NODES_PER_BYTE} per byte. */
export const NODE_ALLOWANCE = 100_000;
/** A file without aliases has fewer than one node per byte (the 8192-chain catalogue: 0.07). */
export const NODES_PER_BYTE = 2;

export function maxNodes(textLength: number): number {
  return NODE_ALLOWANCE + NODES_PER_BYTE * textLength;
}

/** Where the text nests deeper than {@link MAX_NESTING}, or undefined when it does not. */
export function tooDeepAt(text: string): number | undefined {
  const scan = scanNesting(text);
  if (scan.tooDeepAt !== undefined) return scan.tooDeepAt;
  // The scan's block bound is loose (indentation can grow without nesting, e.g. in block
  // scalars); when it cannot rule the file out, the CST parser, which keeps its own stack
  // instead of recursing, gives the exact depth.
  if (scan.bound <= MAX_NESTING) return undefined;
  return cstTooDeepAt(text);
}

interface Scan {
  /** Offset of the bracket or indicator that opened level MAX_NESTING + 1 (flow or compact). */
  tooDeepAt: number | undefined;
  /** An upper bound of the nesting depth when tooDeepAt is undefined. */
  bound: number;
}

/**
 * One pass over the text. Flow nesting is counted exactly (brackets that open a collection,
 * outside quotes, comments and block scalars): it is the one kind of depth that costs no
 * indentation, so the exact CST check would be quadratic on it. Block nesting is bounded by the
 * indentation: a nested block collection sits right of its parent, except a sequence under a
 * mapping key, so depth ≤ 2 × (deepest content column + 1).
 */
function scanNesting(text: string): Scan {
  const n = text.length;
  let flow = 0;
  let stray = 0;
  let maxFlow = 0;
  let maxCol = 0;
  let i = 0;
  while (i < n) {
    const lineStart = i;
    while (i < n && text[i] === ' ') i++;
    const indent = i - lineStart;
    // Compact indicators (`- - x`, `? - x`) and document markers nest without indentation;
    // each `-` or `?` in a row opens one more level, which is exact enough to refuse on.
    let compact = 0;
    for (;;) {
      const c = text[i];
      if ((c === '-' || c === '?') && isBlankOrEnd(text, i + 1)) {
        if (++compact > MAX_NESTING) return { tooDeepAt: i, bound: compact };
        i++;
      } else if (c === ':' && isBlankOrEnd(text, i + 1)) i++;
      else if (text.startsWith('---', i) && isBlankOrEnd(text, i + 3)) i += 3;
      else break;
      while (i < n && text[i] === ' ') i++;
    }
    if (flow === 0 && i < n && text[i] !== '\n' && text[i] !== '#') maxCol = Math.max(maxCol, i - lineStart);
    let valueStart = true;
    let blockScalar = false;
    while (i < n && text[i] !== '\n') {
      const c = text[i]!;
      if (c === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        while (i < n && text[i] !== '\n') i++;
        break;
      }
      if (valueStart && (c === '"' || c === "'")) {
        i = skipQuoted(text, i);
        valueStart = false;
        continue;
      }
      if (c === '[' || c === '{') {
        if (flow > 0 || valueStart) {
          flow++;
          valueStart = true;
        } else {
          // Inside a plain scalar (`a: b[1]`) a bracket is text, but after a complete node
          // (`"x" [[[`) the parsers take it as the start of a collection and recover from the
          // error at a cost that grows with the depth: counted too, apart from real flow, so
          // that a stray one does not end block tracking.
          stray++;
          valueStart = false;
        }
        if (flow + stray > MAX_NESTING) return { tooDeepAt: i, bound: flow + stray };
        maxFlow = Math.max(maxFlow, flow);
      } else if (c === ']' || c === '}') {
        if (flow > 0) flow--;
        else if (stray > 0) stray--;
        valueStart = false;
      } else if (c === ',' && flow > 0) {
        valueStart = true;
      } else if ((c === ':' || c === '?' || c === '-') && isBlankOrEnd(text, i + 1)) {
        valueStart = true;
      } else if ((c === '&' || c === '!') && valueStart) {
        while (i < n && !isBlankOrEnd(text, i)) i++;
        continue;
      } else if ((c === '|' || c === '>') && valueStart && flow === 0) {
        blockScalar = true;
        valueStart = false;
      } else if (c !== ' ' && c !== '\t') {
        valueStart = false;
      }
      i++;
    }
    if (i < n) i++;
    if (blockScalar) i = skipBlockScalar(text, i, indent);
  }
  return { tooDeepAt: undefined, bound: maxFlow + 2 * (maxCol + 1) };
}

function isBlankOrEnd(text: string, i: number): boolean {
  const c = text[i];
  return c === undefined || c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

/** Offset just past the quoted scalar starting at `i` (or the end of the text if unclosed). */
function skipQuoted(text: string, i: number): number {
  const q = text[i];
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (q === '"' && c === '\\') j += 2;
    else if (c === q) {
      if (q === "'" && text[j + 1] === "'") j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}

/**
 * Skips the lines of a block scalar: blank lines, and lines indented at least as deep as its
 * first line (and deeper than the header's line). It may stop earlier than YAML does (with an
 * explicit indentation indicator), which only makes the scan count more, never less.
 */
function skipBlockScalar(text: string, i: number, headerIndent: number): number {
  let content = -1;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text[j] === ' ') j++;
    const blank = j >= text.length || text[j] === '\n' || text[j] === '\r';
    if (!blank) {
      const indent = j - i;
      if (content < 0) content = indent;
      if (indent <= headerIndent || indent < content) return i;
    }
    const eol = text.indexOf('\n', j);
    i = eol < 0 ? text.length : eol + 1;
  }
  return i;
}

/** Exact nesting depth from the CST: offset of the first collection deeper than the limit. */
function cstTooDeepAt(text: string): number | undefined {
  const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const top of new Parser().parse(text)) stack.push({ token: top, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    switch (token.type) {
      case 'document':
        stack.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const d = depth + 1;
        if (d > MAX_NESTING) return token.offset;
        for (const item of token.items) {
          stack.push({ token: item.key, depth: d });
          stack.push({ token: item.value, depth: d });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** Where the expanded value went over a limit: the key path to the node, and which limit. */
export interface Excess {
  path: Array<string | number>;
  kind: 'nodes' | 'depth';
}

/**
 * Walks the parsed value as the later steps will (aliases followed, so shared values count each
 * time they are reached), without recursion, and stops at the first limit crossed. Also reports
 * whether an integer lost digits, the one check the fast path needs from a full walk.
 */
export function measureValue(
  value: unknown,
  limit: number,
): { excess: Excess | undefined; unsafeInteger: boolean } {
  // Two parallel stacks and no per-node object: this walk runs on every load, and the path to
  // the offending node is rebuilt by a second walk only when there is one.
  const vals: unknown[] = [value];
  const depths: number[] = [0];
  let count = 0;
  let unsafeInteger = false;
  while (vals.length > 0) {
    const v = vals.pop();
    const depth = depths.pop()!;
    count++;
    if (typeof v === 'number') {
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) unsafeInteger = true;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const kind: Excess['kind'] | undefined =
      count > limit ? 'nodes' : depth >= MAX_NESTING ? 'depth' : undefined;
    if (kind) return { excess: { path: pathTo(value, count), kind }, unsafeInteger };
    if (Array.isArray(v)) {
      for (let k = v.length - 1; k >= 0; k--) {
        vals.push(v[k]);
        depths.push(depth + 1);
      }
    } else {
      const keys = Object.keys(v);
      for (let k = keys.length - 1; k >= 0; k--) {
        vals.push((v as Record<string, unknown>)[keys[k]!]);
        depths.push(depth + 1);
      }
    }
  }
  return { excess: undefined, unsafeInteger };
}

/** The key path of the `target`-th node of measureValue's walk (same order, with parents kept). */
function pathTo(value: unknown, target: number): Array<string | number> {
  interface Frame {
    v: unknown;
    key: string | number;
    parent: Frame | undefined;
  }
  const stack: Frame[] = [{ v: value, key: '', parent: undefined }];
  let count = 0;
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (++count === target) {
      const path: Array<string | number> = [];
      for (let x: Frame | undefined = f; x?.parent; x = x.parent) path.push(x.key);
      return path.reverse();
    }
    const v = f.v;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let k = v.length - 1; k >= 0; k--) stack.push({ v: v[k], key: k, parent: f });
    } else {
      const keys = Object.keys(v);
      for (let k = keys.length - 1; k >= 0; k--) {
        const key = keys[k]!;
        stack.push({ v: (v as Record<string, unknown>)[key], key, parent: f });
      }
    }
  }
  return [];
}
