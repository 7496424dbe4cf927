/**
 * Deterministic YAML for generated files: keys in construction order, no line folding, no
 * anchors, 2-space indents, double quotes where quoting is needed. Every consumer we render for
 * reads YAML 1.1 (PyYAML in Ansible and docker-compose, go-yaml in kubectl and Prometheus), so
 * js-yaml's compatibility mode quotes every string YAML 1.1 *or* 1.2 would read as something else
 * (`on`, `no`, `1:20`, `0o17`, `1e3`, …). js-yaml is used for speed: the 8192-chain catalogue
 * emits tens of thousands of documents.
 */
import jsyaml from 'js-yaml';

const OPTIONS: jsyaml.DumpOptions = {
  noRefs: true,
  lineWidth: -1,
  quotingType: '"',
  sortKeys: false,
  skipInvalid: true,
  noCompatMode: false,
};

/** How js-yaml writes each single-line string and number: the quoting rules stay js-yaml's own. */
const scalars = new Map<unknown, string>();

/**
 * Strings js-yaml certainly writes plain: a letter first, then only letters, digits and `_./-`,
 * and not a word YAML 1.1 or 1.2 reads as a boolean or null. Such a string cannot be a number,
 * date, base-60 value or indicator, so it needs no call into js-yaml (a fleet has hundreds of
 * thousands of them: names, paths, images).
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
/**
 * More strings js-yaml writes plain, each of them unique per chain in a fleet's files (so a
 * cache of js-yaml's answers does not help): paths (`/data/DOC.conf`), words with single spaces
 * (`DOC p2p`), colons not before a space. A letter or `/` first and last a name character: no
 * number, date, base-60 value, boolean, null, indicator, comment or key can be read there.
 */
const PLAIN_WIDE = /^[A-Za-z/](?:[A-Za-z0-9_./-]| (?! )|:(?! ))*[A-Za-z0-9_./-]$/;
/** An IPv4 address with ports (`127.0.0.1:7770:7770`, a compose port mapping): plain. */
const ADDRESS_PORTS = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]+)+$/;
/** Digits with colons (`7770:7770`): YAML 1.1 reads them as base-60 numbers, so js-yaml quotes them. */
const BASE60 = /^[0-9]+(?::[0-9]+)+$/;
const KEYWORDS = new Set(
  ['y', 'yes', 'n', 'no', 'on', 'off', 'true', 'false', 'null'].flatMap((w) => [
    w,
    w.toUpperCase(),
    w[0]!.toUpperCase() + w.slice(1),
  ]),
);

function scalar(value: string | number): string {
  if (typeof value === 'string') {
    if (PLAIN.test(value)) {
      if (!KEYWORDS.has(value)) return value;
    } else if (PLAIN_WIDE.test(value) || ADDRESS_PORTS.test(value)) return value;
    else if (BASE60.test(value)) return `"${value}"`;
  } else if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  let s = scalars.get(value);
  if (s === undefined) {
    s = jsyaml.dump(value, OPTIONS).slice(0, -1);
    // Bounded: the values of one fleet repeat (images, policies, ports); names are many but short.
    if (scalars.size > 200_000) scalars.clear();
    scalars.set(value, s);
  }
  return s;
}

/** A value outside what `block` writes the way js-yaml does: js-yaml writes the whole document. */
class Unusual extends Error {}

/** Indents by level, made once (documents nest a dozen levels at most; deeper ones are made when met). */
const INDENTS = Array.from({ length: 32 }, (_, i) => '  '.repeat(i));
const spaces = (level: number) => INDENTS[level] ?? '  '.repeat(level);

/**
 * js-yaml's block style with these options, for plain data (objects, arrays, single-line strings,
 * numbers, booleans, null): the same bytes about ten times faster, since the 8192-chain
 * catalogue's compose files and Ansible variables are megabytes of it. Mirrors js-yaml's
 * `writeNode` / `writeBlockMapping` / `writeBlockSequence`; `undefined` is what js-yaml returns
 * false for (a key skipped, an array item written as null).
 */
function block(value: unknown, level: number, compact: boolean): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (value.includes('\n') || value.length > 1024) throw new Unusual();
      return scalar(value);
    case 'number':
      // A Map cannot tell -0 from 0.
      return Object.is(value, -0) ? jsyaml.dump(value, OPTIONS).slice(0, -1) : scalar(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw new Unusual();
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '';
    for (const item of value) {
      const d = block(item, level + 1, true) ?? 'null';
      if (!compact || out !== '') out += `\n${spaces(level)}`;
      out += d.charCodeAt(0) === 10 ? `-${d}` : `- ${d}`;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Unusual();
  let out = '';
  for (const key of Object.keys(value)) {
    if (key.includes('\n') || key.length > 1024) throw new Unusual();
    const d = block((value as Record<string, unknown>)[key], level + 1, false);
    if (d === undefined) continue;
    const pair = `${scalar(key)}${d.charCodeAt(0) === 10 ? ':' : ': '}${d}`;
    out += !compact || out !== '' ? `\n${spaces(level)}${pair}` : pair;
  }
  return out === '' ? '{}' : out;
}

export function dumpYaml(value: unknown): string {
  try {
    const d = block(value, 0, true);
    return d === undefined ? '' : `${d}\n`;
  } catch (e) {
    if (!(e instanceof Unusual)) throw e;
    return jsyaml.dump(value, OPTIONS);
  }
}

/** Several documents after a header (comment lines), separated by `---`. */
export function yamlDocs(head: string, docs: readonly unknown[]): string {
  return head + docs.map(dumpYaml).join('---\n');
}

/**
 * Several documents written as JSON inside a YAML stream: JSON is valid YAML 1.1 and 1.2 and has no
 * implicit types, so every consumer reads exactly the values written, and it is emitted about 7×
 * faster than block YAML — what the per-chain Kubernetes manifests of a large fleet need.
 */
export function jsonDocs(head: string, docs: readonly unknown[]): string {
  return head + docs.map((d) => `${JSON.stringify(d, null, 2)}\n`).join('---\n');
}
