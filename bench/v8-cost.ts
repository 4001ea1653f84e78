// What the launcher's V8 settings cost the code the exporter runs on demand: a basic-auth check (bcrypt at
// cost 10, a wrong password each time) and naming a 1 MiB command line with a capture (re2js). Each runs in
// a fresh `node` started with the flags bin/namedprocess-exporter gives it, and in one with V8's defaults,
// alternating; the settings pass when each costs at most 1.5x what it costs with the defaults.
//
//   npm run build && node dist/bench/v8-cost.js [--rounds 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

/** The flags the launcher gives this node: a stand-in node prints its arguments instead of running them. */
function launcherFlags(): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'npe-v8-cost-'));
  try {
    const fake = path.join(dir, 'node');
    writeFileSync(fake, `#!/bin/sh\nif [ "$1" = --version ]; then echo ${process.version}; exit 0; fi\nprintf '%s\\n' "$@"\n`, { mode: 0o755 });
    const r = spawnSync(path.join(ROOT, 'bin', 'namedprocess-exporter'), [], { encoding: 'utf8', env: { ...process.env, NAMEDPROCESS_NODE: fake, NAMEDPROCESS_V8_TUNING: 'on' } });
    return r.stdout.split('\n').filter((a) => a.startsWith('--'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// One child's work: six bcrypt checks after one hash, three namings of a 1 MiB command line; prints the
// median milliseconds of each.
const CHILD = `
  const bcrypt = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'bcryptjs'))});
  const { RE2JS } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 're2js'))});
  const ms = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const hash = bcrypt.hashSync('right', 10);
  const checks = Array.from({ length: 6 }, (_, i) => ms(() => bcrypt.compareSync('wrong' + i, hash)));
  const re = RE2JS.compile('python3 (?P<script>.*)');
  const cmdline = 'python3 ' + 'x'.repeat(1 << 20);
  const names = Array.from({ length: 3 }, () => ms(() => { const m = re.matcher(cmdline); m.find(); return m.group('script').length; }));
  process.stdout.write(JSON.stringify({ bcrypt: median(checks), naming: median(names) }));`;

function run(flags: string[]): { bcrypt: number; naming: number } {
  const r = spawnSync(process.execPath, [...flags, '-e', CHILD], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`node ${flags.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { bcrypt: number; naming: number };
}

const flags = launcherFlags();
const tuned: Array<{ bcrypt: number; naming: number }> = [];
const plain: Array<{ bcrypt: number; naming: number }> = [];
for (let i = 0; i < rounds; i++) {
  tuned.push(run(flags));
  plain.push(run([]));
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}; the launcher's flags: ${flags.join(' ')}; ${rounds} rounds, alternating`);
let ok = true;
for (const key of ['bcrypt', 'naming'] as const) {
  const t = median(tuned.map((x) => x[key]));
  const p = median(plain.map((x) => x[key]));
  const met = t <= 1.5 * p;
  ok &&= met;
  const what = key === 'bcrypt' ? 'a basic-auth check (bcrypt, cost 10)' : 'naming a 1 MiB command line with a capture';
  console.log(`  ${met ? 'MET ' : 'MISS'}  ${what}: ${t.toFixed(1)} ms with the launcher's flags, ${p.toFixed(1)} ms with V8's defaults (${(t / p).toFixed(2)}x, <= 1.5x)`);
}
process.exitCode = ok ? 0 : 1;
