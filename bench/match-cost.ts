// The cost of cmdline matching, worst cases first: what one process whose cmdline a local user wrote
// can cost the exporter. A cmdline is read up to 1 MiB (the procfs read limit), so every case runs on a
// 1 MiB input and reports milliseconds per match; the cost is linear in the input below that.
//
//   npm run build && node dist/bench/match-cost.js [--rounds N]
//
// Prints one line per case: median and max over the rounds. docs/hardening.md quotes the results.
import { GoRegex } from '../src/config/regex';
import { buildConfigNamer } from '../src/config/matcher';
import type { RuleSource } from '../src/config/load';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

function time<T>(f: () => T): [number, T] {
  const t = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

function measure(label: string, f: () => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) ms.push(time(f)[0]);
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(64)} median ${ms[Math.floor(ms.length / 2)].toFixed(1).padStart(8)} ms   max ${ms[ms.length - 1].toFixed(1).padStart(8)} ms`);
}

/** n rules like a big fleet's: one service each, named from a capture. */
function parseRuleSources(n: number): RuleSource[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    name: `svc-${i}:{{.Matches.id}}`,
    cmdline: [`^/opt/svc-${i}/bin/server --id=(?P<id>\\w+)`],
    line: i + 2,
    col: 5,
    cmdlinePos: [{ line: i + 2, col: 15 }],
    namePos: { line: i + 2, col: 11 },
  }));
}

const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);

console.log(`node ${process.version}, ${rounds} rounds, inputs of 1 MiB (the cmdline read limit)\n`);
console.log('one regex, one 1 MiB cmdline:');
const cases: Array<[string, string, string]> = [
  ['capture everything: ^hog (?P<a>.*)', '^hog (?P<a>.*)', 'hog ' + fill('x')],
  ['nested repetition, no match: (a+)+$', '(a+)+$', fill('a').slice(0, -1) + '!'],
  ['nested repetition, match at the end: (a+)+$', '(a+)+$', fill('a')],
  ['many small captures: (?P<k>[a-z]+)=(?P<v>\\d+)$', '(?P<k>[a-z]+)=(?P<v>\\d+)$', fill('key=1 ')],
  ['alternation with captures: (?P<x>(a|b|c|d|e)*?)(f|g)+z', '(?P<x>(a|b|c|d|e)*?)(f|g)+z', fill('abcdeg')],
  ['unanchored literal, no match: --service=(?P<s>\\w+)', '--service=(?P<s>\\w+)', fill('--servic ')],
  ['case-folded class run: (?i)(?P<w>[a-z0-9_]{1,64})\\.jar', '(?i)(?P<w>[a-z0-9_]{1,64})\\.jar', fill('abcdefgh')],
];
for (const [label, re, input] of cases) {
  const r = new GoRegex(re);
  measure(`  ${label}`, () => r.findSubmatch(input));
}

console.log('\na typical cmdline (180 bytes), 1000 matches:');
const typical = '/usr/lib/jvm/java-17/bin/java -Xmx2g -Dapp.home=/opt/app -cp /opt/app/lib/app.jar com.example.Main --service=billing --port=8080';
const svc = new GoRegex('--service=(?P<s>\\w+)');
measure('  --service=(?P<s>\\w+), with captures', () => {
  for (let i = 0; i < 1000; i++) svc.findSubmatch(typical);
});

console.log('\nconfigs:');
for (const n of [1000, 10_000]) {
  const sources = parseRuleSources(n);
  const [ms, namer] = time(() => buildConfigNamer(sources, 'bench.yml', () => {}));
  const heap = process.memoryUsage().heapUsed / MiB;
  console.log(`  ${`load ${n} cmdline rules`.padEnd(62)} ${ms.toFixed(0).padStart(8)} ms   heap ${heap.toFixed(0)} MiB`);
  const hog = { comm: 'hog', cmdline: ['hog', fill('x')], cgroups: [], username: 'root', pid: 1, startTimeMs: 0 };
  // a new cmdline each round, so the per-cmdline memo does not answer
  let k = 0;
  measure(`  name one 1 MiB cmdline against ${n} rules (none match)`, () => namer.matchAndName({ ...hog, cmdline: ['hog', String(k++), fill('x')] }));
}
