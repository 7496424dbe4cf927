/**
 * Edits of the platform file that dokomodo makes itself (a season change), done on the YAML
 * document so the operator's comments, order and other entries stay as they are.
 */
import { isMap, parseDocument } from 'yaml';

export type NotarySource = { season: number; set?: 'main' | '3p' } | { file: string };

/**
 * The text with `notaries.NAME` taking its list from `source`: the keys that choose a source
 * (`season`, `set`, `file`, `list`) are replaced; the others (`port`, `minsigs`, `seeds` …) stay.
 */
export function setNotarySource(text: string, name: string, source: NotarySource): string {
  const doc = parseDocument(text);
  const node = doc.getIn(['notaries', name], true);
  if (!isMap(node)) {
    doc.setIn(['notaries', name], doc.createNode(source));
    return doc.toString();
  }
  for (const k of ['season', 'set', 'file', 'list']) node.delete(k);
  for (const [k, v] of Object.entries(source)) node.set(k, v);
  return doc.toString();
}
