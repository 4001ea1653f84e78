// Reads a `-config.path` YAML file into rules and settings. Scalars are taken verbatim as strings like the
// reference's yaml.v2 does; unlike it, an unknown key is an error (a misspelt `track_thread:` would
// otherwise be ignored without a word). Every error names the file, line, column and rule.
import { readFile } from 'node:fs';
import { promisify } from 'node:util';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from './yaml';
import { goPathError } from '../go/errno';
import { FILE_SETTINGS, type FileSettings } from '../settings/registry';

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

// Sections other modules read from the same file; accepted here and left to them.
const OTHER_SECTIONS: readonly string[] = ['global', 'remote_write'];
const TOP_LEVEL_KEYS: readonly string[] = ['process_names', ...FILE_SETTINGS.keys(), ...OTHER_SECTIONS];
const RULE_KEYS: readonly string[] = ['name', 'comm', 'exe', 'cmdline'];

export interface ConfigFile {
  rules: RuleSource[];
  /** the top-level settings (src/settings/registry.ts), under Options' names */
  settings: FileSettings;
}

/** ", did you mean X?" for a key one or two edits away from a known one (a typo), else "". */
function suggestion(key: string, known: readonly string[]): string {
  let best = '';
  let bestDist = 3;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  return best !== '' ? `; did you mean ${JSON.stringify(best)}?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

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

function parseConfigFile(text: string, file: string): ConfigFile {
  const settings: Record<string, unknown> = {};
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
  if (root === null || (isScalar(root) && root.value === null)) return { rules: [], settings: settings as FileSettings };
  if (!isMap(root)) {
    const shown = isScalar(root) ? ` \`${scalarText(root)}\`` : '';
    return fail(root, '', `cannot unmarshal ${yamlTag(root)}${shown} into config.root`);
  }

  let rulesNode: Node | null = null;
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as Node | null;
    if (key === 'process_names') rulesNode = value;
    else if (FILE_SETTINGS.has(key)) {
      if (value === null || (isScalar(value) && value.value === null)) continue; // `key:` alone keeps the default
      const setting = FILE_SETTINGS.get(key)!;
      if (setting.type.flag === 'int') {
        const v = isScalar(value) ? value.value : undefined;
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          const shown = isScalar(value) ? ` \`${scalarText(value)}\`` : '';
          fail(value, `${key}: `, `cannot unmarshal ${yamlTag(value)}${shown} into int`);
        }
        const { range } = setting;
        if (range !== undefined && ((v as number) < range.min || (v as number) > range.max)) fail(value, `${key}: `, `must be ${range.says}`);
        settings[setting.key] = v;
      } else if (setting.type.flag === 'bool') {
        if (!isScalar(value) || typeof value.value !== 'boolean') {
          const shown = isScalar(value) ? ` \`${scalarText(value)}\`` : '';
          fail(value, `${key}: `, `cannot unmarshal ${yamlTag(value)}${shown} into bool`);
        }
        settings[setting.key] = (value as { value: boolean }).value;
      } else {
        const s = scalarText(value);
        if (s === null || s === '') fail(value, `${key}: `, s === '' ? 'must not be empty' : `cannot unmarshal ${yamlTag(value)} into string`);
        settings[setting.key] = setting.type.fromFlag(s as string);
      }
    } else if (!OTHER_SECTIONS.includes(key)) {
      fail(keyNode, '', `unknown key ${JSON.stringify(key)}${suggestion(key, TOP_LEVEL_KEYS)} (known: ${TOP_LEVEL_KEYS.join(', ')})`);
    }
  }
  if (rulesNode === null || (isScalar(rulesNode) && rulesNode.value === null)) return { rules: [], settings: settings as FileSettings };
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
      } else {
        fail(pair.key as Node, where, `unknown key ${JSON.stringify(key)}${suggestion(key, RULE_KEYS)} (a rule has: ${RULE_KEYS.join(', ')})`);
      }
    }
    rules.push(rule);
  });
  return { rules, settings: settings as FileSettings };
}

export async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    // the callback API: node:fs/promises (and the readline it loads) costs half a MiB for this one read
    text = await promisify(readFile)(path, 'utf8');
  } catch (e) {
    throw new ConfigError(goPathError('open', path, e));
  }
  return parseConfigFile(text, path);
}
