// Reads a `-config.path` YAML file into rules (SPEC §2). Lenient like the reference's yaml.v2 (unknown
// keys ignored, scalars taken verbatim as strings), but every error names the file, line, column and rule.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from './yaml';

export interface RuleSource {
  index: number;
  /** the `name` template; "" when absent (the matcher then uses {{.ExeBase}}) */
  name: string;
  /** undefined = selector absent (missing key or null value) */
  comm?: string[];
  exe?: string[];
  cmdline?: string[];
  line: number;
  col: number;
  /** where each cmdline regex and the name stand, for error messages */
  cmdlinePos: Array<{ line: number; col: number }>;
  namePos: { line: number; col: number };
}

export class ConfigError extends Error {}

/** yaml.v2's name for a node's tag, as its unmarshal errors print it. */
function yamlTag(node: Node | null | undefined): string {
  if (node == null) return '!!null';
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return '!!null';
    if (typeof v === 'boolean') return '!!bool';
    if (typeof v === 'number' || typeof v === 'bigint') return Number.isInteger(Number(v)) ? '!!int' : '!!float';
    return '!!str';
  }
  return '!!str';
}

function scalarText(node: Node): string | null {
  if (!isScalar(node)) return null;
  if (node.value === null) return '';
  // plain scalars keep their source text (yaml.v2 decodes `1.50` into a string field as "1.50")
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  return String(node.value);
}

export function parseConfigText(text: string, file: string): RuleSource[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, version: '1.1', prettyErrors: false });
  const pos = (node: Node | null | undefined) => {
    const off = node?.range?.[0] ?? 0;
    const p = lc.linePos(off);
    return { line: p.line, col: p.col };
  };
  const fail = (node: Node | null | undefined, where: string, msg: string): never => {
    const p = pos(node);
    throw new ConfigError(`${file}:${p.line}:${p.col}: ${where}${msg}`);
  };

  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const p = lc.linePos(e.pos[0]);
    const firstLine = e.message.split('\n')[0];
    throw new ConfigError(`${file}:${p.line}:${p.col}: yaml: ${firstLine}`);
  }
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) {
    const shown = isScalar(root) ? ` \`${scalarText(root)}\`` : '';
    return fail(root, '', `cannot unmarshal ${yamlTag(root)}${shown} into config.root`);
  }

  let rulesNode: Node | null = null;
  for (const pair of root.items) {
    if (isScalar(pair.key) && pair.key.value === 'process_names') rulesNode = pair.value as Node | null;
  }
  if (rulesNode === null || (isScalar(rulesNode) && rulesNode.value === null)) return [];
  if (!isSeq(rulesNode)) {
    const shown = isScalar(rulesNode) ? ` \`${scalarText(rulesNode)}\`` : '';
    return fail(rulesNode, 'process_names: ', `cannot unmarshal ${yamlTag(rulesNode)}${shown} into config.MatcherRules`);
  }

  const rules: RuleSource[] = [];
  rulesNode.items.forEach((item, index) => {
    const node = item as Node | null;
    const where = `process_names[${index}]: `;
    const rule: RuleSource = { index, name: '', line: pos(node).line, col: pos(node).col, cmdlinePos: [], namePos: pos(node) };
    if (node === null || (isScalar(node) && node.value === null)) {
      rules.push(rule); // an empty entry: rejected below as "no matchers provided"
      return;
    }
    if (!isMap(node)) {
      const shown = isScalar(node) ? ` \`${scalarText(node)}\`` : '';
      return fail(node, where, `cannot unmarshal ${yamlTag(node)}${shown} into config.MatcherGroup`);
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value as Node | null;
      if (key === 'name') {
        if (value === null) continue;
        const s = scalarText(value);
        if (s === null) fail(value, where + 'name: ', `cannot unmarshal ${yamlTag(value)} into string`);
        rule.name = s as string;
        rule.namePos = pos(value);
      } else if (key === 'comm' || key === 'exe' || key === 'cmdline') {
        if (value === null || (isScalar(value) && value.value === null)) {
          delete rule[key];
          continue;
        }
        if (!isSeq(value)) {
          const shown = isScalar(value) ? ` \`${scalarText(value)}\`` : '';
          fail(value, `${where}${key}: `, `cannot unmarshal ${yamlTag(value)}${shown} into []string`);
        }
        const list: string[] = [];
        const positions: Array<{ line: number; col: number }> = [];
        for (const el of (value as { items: unknown[] }).items) {
          const s = el === null ? '' : scalarText(el as Node);
          if (s === null) fail(el as Node, `${where}${key}: `, `cannot unmarshal ${yamlTag(el as Node)} into string`);
          list.push(s as string);
          positions.push(pos(el as Node));
        }
        rule[key] = list;
        if (key === 'cmdline') rule.cmdlinePos = positions;
      }
      // other keys are ignored, as yaml.v2 does in non-strict mode
    }
    rules.push(rule);
  });
  return rules;
}

export async function readConfigFile(path: string): Promise<RuleSource[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new ConfigError(`open ${path}: ${why}`);
  }
  return parseConfigText(text, path);
}
