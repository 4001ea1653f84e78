// The source's folders stand on floors in the order of the data flow (README.md#how-it-works): a module
// imports only from its own folder or from a folder on a lower floor, and no modules import each other in
// a circle. Read from src/ as text: every relative `import ... from`, `export ... from`, `import()` and
// `require()`, type-only imports included (they tie the design together as much as the others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', '..', 'src');

/**
 * Lowest first. Folders on one floor do not import each other. '.' is the top of src/: the two entry
 * points (index.ts, the library API; main.ts, the binary).
 */
const FLOORS: ReadonlyArray<readonly string[]> = [
  ['base'], // the log, the version, errors
  ['go'], // what must read as Go writes it: quoting, floats, durations, errno texts, arch names
  ['runtime'], // the heap step, ending the process
  ['settings'], // the settings registry and the Options it defines
  ['cli', 'proc', 'expose'], // argv; reading /proc; the exposition
  ['config'], // the config file and the matchers (they name what proc reads: the cgroup identity)
  ['track', 'history', 'server'], // naming and accounting; the page's history; HTTP(S)
  ['collector'], // one update cycle at a time, config resolution
  ['ops', 'page', 'push'], // reload and health routes; the page; remote_write
  ['.'],
];

const FLOOR_OF = new Map<string, number>(FLOORS.flatMap((folders, i) => folders.map((f) => [f, i] as [string, number])));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/gm;

function resolveImport(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + '.ts', base + '.d.ts', path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return base; // outside src/ (package.json) or not a module: no floor
}

/** The folder right under src/ that holds a file ('.' for the top). */
function folderOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? '.' : rel[0]!;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolveImport(file, m[1]!)).filter((t) => t.startsWith(SRC + path.sep));
}

const graph = new Map<string, string[]>(sourceFiles(SRC).map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(SRC, f);

test('the import scan sees the imports (a change in syntax must not blind it)', () => {
  const main = graph.get(path.join(SRC, 'main.ts'));
  assert.ok(main !== undefined && main.length >= 10, 'main.ts imports at least ten modules');
  assert.ok(main.includes(path.join(SRC, 'push', 'index.ts')), "main.ts's require('./push') is seen");
  const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
  assert.ok(edges > 100, `${edges} imports found`);
});

test('every folder of src/ stands on a floor', () => {
  const folders = new Set([...graph.keys()].map(folderOf));
  const unplaced = [...folders].filter((f) => !FLOOR_OF.has(f));
  assert.deepEqual(unplaced, [], 'a new folder goes on the floor of what it uses (test/layers.test.ts and README.md#how-it-works)');
  const gone = [...FLOOR_OF.keys()].filter((f) => !folders.has(f));
  assert.deepEqual(gone, [], 'a folder on a floor that no longer exists');
});

test('no import runs back up: only to its own folder or a lower floor', () => {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const t of targets) {
      const to = folderOf(t);
      if (to === from) continue;
      const a = FLOOR_OF.get(from);
      const b = FLOOR_OF.get(to);
      if (a === undefined || b === undefined || b >= a) upward.push(`${rel(file)} (${from}, floor ${a}) -> ${rel(t)} (${to}, floor ${b})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no modules import each other in a circle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') circles.push([...stack.slice(stack.indexOf(t)), t].map(rel).join(' -> '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(circles, []);
});
