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

export function dumpYaml(value: unknown): string {
  return jsyaml.dump(value, OPTIONS);
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
