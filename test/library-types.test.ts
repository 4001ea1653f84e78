// The package's type declarations as a TypeScript user meets them: prom-client is an optional peer, so
// dist/src/**/*.d.ts must compile, with library checking on, in a project that has no prom-client; and a
// prom-client Registry must still be what registerIn takes. The declarations are copied out of the
// repository, whose node_modules holds prom-client, into a project of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO } from './fresh-machine';

/** Compiler messages for `files` (name -> text) in a project under `root`; '' when it compiles. */
function compile(root: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    typeRoots: [path.join(REPO, 'node_modules', '@types')],
  };
  const program = ts.createProgram(Object.keys(files).map((f) => path.join(root, f)), options);
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/** An app.ts: `imports`, then `body` inside an async main() that it calls. */
function appSource(imports: string[], body: string[]): string {
  return [...imports, 'async function main(): Promise<void> {', ...body.map((l) => `  ${l}`), '}', 'void main();', ''].join('\n');
}

/** A project with the package's package.json and declarations installed, and nothing else. */
function projectWithDeclarations(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-types-'));
  const pkg = path.join(root, 'node_modules', 'namedprocess-exporter');
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  const copy = (from: string, to: string) => {
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      if (e.isDirectory()) copy(path.join(from, e.name), path.join(to, e.name));
      else if (e.name.endsWith('.d.ts')) {
        fs.mkdirSync(to, { recursive: true });
        fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
      }
    }
  };
  copy(path.join(REPO, 'dist', 'src'), path.join(pkg, 'dist', 'src'));
  return root;
}

test('the declarations compile in a project without prom-client, library checks on', (t) => {
  const root = projectWithDeclarations();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.equal(fs.existsSync(path.join(root, 'node_modules', 'prom-client')), false);
  const app = appSource(
    ["import { createCollector, type EmbeddedCollector } from 'namedprocess-exporter';"],
    ["const npe: EmbeddedCollector = await createCollector({ procnames: ['node'] });", 'console.log(await npe.metrics());', 'npe.close();'],
  );
  assert.equal(compile(root, { 'app.ts': app }), '');
  // the check sees type errors in this project at all
  assert.match(compile(root, { 'app.ts': app.replace("['node']", "'node'") }), /app\.ts\(3,\d+\): error TS2322/);
});

test("registerIn takes prom-client's Registry", (t) => {
  const root = projectWithDeclarations();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  // prom-client as the application installs it beside the package
  fs.symlinkSync(path.join(REPO, 'node_modules', 'prom-client'), path.join(root, 'node_modules', 'prom-client'), 'dir');
  const app = appSource(
    ["import { Registry, register } from 'prom-client';", "import { createCollector } from 'namedprocess-exporter';"],
    ['const npe = await createCollector({});', 'npe.registerIn(register);', 'npe.registerIn(new Registry());', 'npe.close();'],
  );
  assert.equal(compile(root, { 'app.ts': app }), '');
  assert.match(compile(root, { 'app.ts': app.replace('npe.registerIn(register)', 'npe.registerIn({})') }), /app\.ts\(5,\d+\): error TS2345/);
});
