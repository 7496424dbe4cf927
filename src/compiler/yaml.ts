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
