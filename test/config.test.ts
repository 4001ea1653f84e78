// Config loading and matching: docs/configuration.md#config-file, docs/behaviour.md#procnames-and-namemapping, and the reference's config tests (upstream) re-expressed.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig, ConfigError, type ConfigFile } from '../src/config/load';
import { buildConfigNamer, buildDefaultNamer, ProcnamesNamer, type ProcAttributes } from '../src/config/matcher';
import { buildNamer, resolveConfig } from '../src/collector/collector';
import { StartupError } from '../src/base/errors';
import { defaultOptions } from '../src/settings/registry';
import { memoryLogger } from './memory-logger';

function proc(p: Partial<ProcAttributes>): ProcAttributes {
  return { comm: 'x', cmdline: [], cgroups: [], username: 'root', pid: 1, startTimeMs: 0, ...p };
}

// Config texts are written to a file and read as the collector reads its config file. Each gets its own
// directory and is named cfg.yaml; error messages are given relative to that directory.
const CFG_DIR = mkdtempSync(join(tmpdir(), 'npe-cfgtext-'));
after(() => rmSync(CFG_DIR, { recursive: true, force: true }));
let cfgFiles = 0;

async function readText(yaml: string): Promise<ConfigFile> {
  const dir = join(CFG_DIR, String(cfgFiles++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'cfg.yaml'), yaml);
  try {
    return await readConfig(join(dir, 'cfg.yaml'));
  } catch (e) {
    if (e instanceof ConfigError && e.message.startsWith(dir + '/')) throw new ConfigError(e.message.slice(dir.length + 1));
    throw e;
  }
}

async function namer(yaml: string) {
  const log: string[] = [];
  return buildConfigNamer((await readText(yaml)).rules, 'cfg.yaml', (m) => log.push(m));
}

async function configError(yaml: string): Promise<string> {
  try {
    await namer(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail('no error');
}

describe('config matching (docs/behaviour.md#matching, upstream test TestConfigBasic)', () => {
  let n: Awaited<ReturnType<typeof namer>>;
  before(async () => {
    n = await namer(`process_names:
  - exe: [bash]
  - exe: [sh]
  - exe: [/bin/ksh]
`);
  });
  test('exe basename rules pick the first matching rule', () => {
    assert.equal(n.matchAndName(proc({ cmdline: ['/bin/bash'] })), 'bash');
    assert.equal(n.matchAndName(proc({ cmdline: ['sh'] })), 'sh');
    assert.equal(n.matchAndName(proc({ cmdline: ['/bin/ksh'] })), 'ksh');
  });
  test('an exe entry with a slash needs argv[0] to be that path', () => {
    assert.equal(n.matchAndName(proc({ cmdline: ['/usr/bin/ksh'] })), undefined);
    assert.equal(n.matchAndName(proc({ cmdline: ['ksh'] })), undefined);
  });
  test('an empty cmdline never matches an exe selector', () => {
    assert.equal(n.matchAndName(proc({ comm: 'bash', cmdline: [] })), undefined);
  });
  test('exe entries with the same basename are all kept (docs/behaviour.md differences #10)', async () => {
    const k = await namer('process_names:\n  - exe: ["/usr/bin/ksh", "/opt/ksh"]\n');
    assert.equal(k.matchAndName(proc({ cmdline: ['/usr/bin/ksh'] })), 'ksh');
    assert.equal(k.matchAndName(proc({ cmdline: ['/opt/ksh'] })), 'ksh');
    assert.equal(k.matchAndName(proc({ cmdline: ['/bin/ksh'] })), undefined);
  });
  test('comm is exact and ORed over the list', async () => {
    const c = await namer('process_names:\n  - comm: [bash, zsh]\n    name: "{{.Comm}}"\n');
    assert.equal(c.matchAndName(proc({ comm: 'zsh' })), 'zsh');
    assert.equal(c.matchAndName(proc({ comm: 'zsh2' })), undefined);
    assert.equal(c.matchAndName(proc({ comm: 'bas' })), undefined);
  });
  test('selectors inside a rule are ANDed', async () => {
    const c = await namer('process_names:\n  - comm: [python3]\n    cmdline: ["server"]\n    name: ok\n');
    assert.equal(c.matchAndName(proc({ comm: 'python3', cmdline: ['python3', 'server.py'] })), 'ok');
    assert.equal(c.matchAndName(proc({ comm: 'python3', cmdline: ['python3', 'client.py'] })), undefined);
    assert.equal(c.matchAndName(proc({ comm: 'python', cmdline: ['python3', 'server.py'] })), undefined);
  });
  test('cmdline regexes are ANDed over argv joined with single spaces, argv[0] included', async () => {
    const c = await namer('process_names:\n  - cmdline: ["^/usr/bin/a  b$", "a"]\n    name: two\n');
    assert.equal(c.matchAndName(proc({ cmdline: ['/usr/bin/a', '', 'b'] })), 'two');
    assert.equal(c.matchAndName(proc({ cmdline: ['/usr/bin/a', 'b'] })), undefined);
  });
  test('cmdline: [] matches every process; comm: [] and exe: [] match nothing', async () => {
    assert.equal((await namer('process_names:\n  - cmdline: []\n    name: all\n')).matchAndName(proc({})), 'all');
    assert.equal((await namer('process_names:\n  - comm: []\n')).matchAndName(proc({ comm: '' })), undefined);
    assert.equal((await namer('process_names:\n  - exe: []\n')).matchAndName(proc({ cmdline: ['a'] })), undefined);
  });
  test('the default name is {{.ExeBase}}, which falls back to comm for an empty cmdline', async () => {
    const c = await namer('process_names:\n  - comm: ["kworker/0:1"]\n');
    assert.equal(c.matchAndName(proc({ comm: 'kworker/0:1' })), 'kworker/0:1');
  });
  test('an empty or null config matches nothing', async () => {
    assert.deepEqual((await readText('')).rules, []);
    assert.deepEqual((await readText('process_names: []\n')).rules, []);
    assert.deepEqual((await readText('process_names:\n')).rules, []);
  });
  test('scalars are taken verbatim', async () => {
    const c = await namer('process_names:\n  - comm: [123, 1.50, true]\n    name: "{{.Comm}}"\n');
    assert.equal(c.matchAndName(proc({ comm: '1.50' })), '1.50');
    assert.equal(c.matchAndName(proc({ comm: 'true' })), 'true');
    assert.equal(c.matchAndName(proc({ comm: '123' })), '123');
  });
});

describe('templates and captures (docs/behaviour.md#matching, docs/behaviour.md#name-templates, upstream test TestConfigTemplates)', () => {
  test('a named capture goes into .Matches', async () => {
    const c = await namer(String.raw`process_names:
  - exe: [postmaster]
    cmdline: ['-D\s+.+?(?P<Path>[^/]+)(?:$|\s)']
    name: "{{.ExeBase}}:{{.Matches.Path}}"
`);
    assert.equal(c.matchAndName(proc({ cmdline: ['/usr/bin/postmaster', '-D', '/data/pg'] })), 'postmaster:pg');
  });
  test('.ExeFull and .PID', async () => {
    const c = await namer('process_names:\n  - exe: [prometheus]\n    name: "{{.ExeFull}}:{{.PID}}"\n');
    assert.equal(c.matchAndName(proc({ cmdline: ['/usr/local/bin/prometheus'], pid: 23 })), '/usr/local/bin/prometheus:23');
  });
  test('.StartTime prints as Go time.Time', async () => {
    const c = await namer('process_names:\n  - comm: [cat]\n    name: "{{.StartTime}}"\n');
    // btime 1508450329 + 3242.19 s, the reference fixture's start time
    assert.equal(c.matchAndName(proc({ comm: 'cat', startTimeMs: 1508450329000 + 3242190 })), '2017-10-19 22:52:51.19 +0000 UTC');
  });
  test('"" holds the last unnamed group of the last regex', async () => {
    const c = await namer('process_names:\n  - cmdline: ["(a)(b)", "(c)"]\n    name: "{{index .Matches \\"\\"}}"\n');
    assert.equal(c.matchAndName(proc({ cmdline: ['ab', 'c'] })), 'c');
  });
  test('a missing key prints <no value>', async () => {
    const c = await namer('process_names:\n  - comm: [a]\n    name: "x{{.Matches.nokey}}"\n');
    assert.equal(c.matchAndName(proc({ comm: 'a' })), 'x<no value>');
  });
  test('a run-time template error keeps the partial name and is logged once', async () => {
    const logged: string[] = [];
    const c = buildConfigNamer((await readText('process_names:\n  - comm: [a]\n    name: "A{{index .Cgroups 5}}B"\n')).rules, 'c.yaml', (m) => logged.push(m));
    assert.equal(c.matchAndName(proc({ comm: 'a', pid: 7 })), 'A');
    assert.equal(c.matchAndName(proc({ comm: 'a', pid: 8 })), 'A');
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^name template of process_names\[0\] failed for pid 7, using the partial name "A": /);
  });
  test('.Username and .Cgroups', async () => {
    const c = await namer('process_names:\n  - comm: [a]\n    name: "{{.Username}} {{.Cgroups}}"\n');
    assert.equal(c.matchAndName(proc({ comm: 'a', username: 'www-data', cgroups: ['/a', '/b'] })), 'www-data [/a /b]');
  });
});

describe('config errors name the file, line, column and rule', () => {
  test('no matchers', async () => {
    assert.equal(await configError('process_names:\n  - name: x\n'), 'cfg.yaml:2:5: process_names[0] (name "x"): no matchers provided');
  });
  test('a null selector counts as absent', async () => {
    assert.equal(await configError('process_names:\n  - comm:\n'), 'cfg.yaml:2:5: process_names[0]: no matchers provided');
  });
  test('a bad regex, in Go regexp words', async () => {
    assert.equal(await configError('process_names:\n  - cmdline: ["a("]\n'), 'cfg.yaml:2:15: process_names[0]: bad cmdline regex "a(": error parsing regexp: missing closing ): `a(`');
    assert.equal(
      await configError('process_names:\n  - comm: [x]\n  - cmdline: [ok, "(?=x)"]\n'),
      'cfg.yaml:3:19: process_names[1]: bad cmdline regex "(?=x)": error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
  });
  test('an unknown template function', async () => {
    assert.equal(
      await configError('process_names:\n  - name: "{{upper .Comm}}"\n    comm: [a]\n'),
      'cfg.yaml:2:11: process_names[0] (name "{{upper .Comm}}"): bad name template "{{upper .Comm}}": template: cmdname:1: function "upper" not defined',
    );
  });
  test('an unknown template field is a load-time error (docs/behaviour.md differences #11)', async () => {
    assert.match(await configError('process_names:\n  - name: "{{.Foo}}"\n    comm: [a]\n'), /^cfg\.yaml:2:11: process_names\[0\] \(name "\{\{\.Foo\}\}"\): bad name template "\{\{\.Foo\}\}": template: cmdname:1:\d+: .*Foo/);
  });
  test('type errors in yaml.v2 words', async () => {
    assert.equal(await configError('foo'), 'cfg.yaml:1:1: cannot unmarshal !!str `foo` into config.root');
    assert.equal(await configError('process_names:\n  - comm: bash\n'), 'cfg.yaml:2:11: process_names[0]: comm: cannot unmarshal !!str `bash` into []string');
    assert.equal(await configError('process_names:\n  - comm: [{a: b}]\n'), 'cfg.yaml:2:12: process_names[0]: comm: cannot unmarshal !!map into string');
    assert.equal(await configError('process_names: 5\n'), 'cfg.yaml:1:16: process_names: cannot unmarshal !!int `5` into config.MatcherRules');
    assert.equal(await configError('process_names:\n  - name: [a]\n    comm: [a]\n'), 'cfg.yaml:2:11: process_names[0]: name: cannot unmarshal !!seq into string');
  });
  test('YAML syntax errors carry the position', async () => {
    assert.equal(await configError('process_names:\n  - comm: [a\n'), 'cfg.yaml:3:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]');
    assert.match(await configError('process_names:\n\t- comm: [a]\n'), /^cfg\.yaml:2:1: yaml: Tabs are not allowed as indentation/);
  });
  test('a missing file', async () => {
    await assert.rejects(readConfig('/nonexistent/x.yaml'), { message: 'open /nonexistent/x.yaml: no such file or directory' });
  });
  test('buildNamer wraps it like the reference: error reading config file "<path>": …', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'process_names:\n  - name: x\n');
    await assert.rejects(buildNamer({ ...defaultOptions, configPath: file }, memoryLogger()), (e: Error) => {
      assert.ok(e instanceof StartupError);
      assert.equal(e.message, `error reading config file "${file}": ${file}:2:5: process_names[0] (name "x"): no matchers provided`);
      return true;
    });
  });
});

describe('-procnames and -namemapping (docs/behaviour.md#procnames-and-namemapping)', () => {
  test('procnames match comm exactly and name the group by comm', () => {
    const n = new ProcnamesNamer(['bash', 'upstart:-user'], '');
    assert.equal(n.matchAndName(proc({ comm: 'bash' })), 'bash');
    assert.equal(n.matchAndName(proc({ comm: 'upstart' })), undefined);
    assert.equal(n.matchAndName(proc({ comm: 'upstart:-user' })), 'upstart:-user');
    assert.equal(n.description, 'for procnames: [bash upstart:-user]');
  });
  test('a mapping names comm:<first non-empty capture>, selects without -procnames, and never falls back', () => {
    const n = new ProcnamesNamer([], 'python3,([^/]+)\\.py|(x)');
    assert.equal(n.matchAndName(proc({ comm: 'python3', cmdline: ['python3', '/srv/server.py'] })), 'python3:server');
    assert.equal(n.matchAndName(proc({ comm: 'python3', cmdline: ['python3', '-c', 'x'] })), 'python3:x');
    assert.equal(n.matchAndName(proc({ comm: 'python3', cmdline: ['python3'] })), undefined);
  });
  test('a regex without capture groups never matches', () => {
    const n = new ProcnamesNamer(['java'], 'java,jar');
    assert.equal(n.matchAndName(proc({ comm: 'java', cmdline: ['java', '-jar', 'a.jar'] })), undefined);
  });
  test('a later pair for the same comm replaces the earlier one', () => {
    const n = new ProcnamesNamer([], 'a,(x),a,(y)');
    assert.equal(n.matchAndName(proc({ comm: 'a', cmdline: ['x y'] })), 'a:y');
  });
  test('errors', () => {
    assert.throws(() => new ProcnamesNamer([], 'a'), { message: "Error parsing -namemapping argument 'a': bad namemapper: odd number of tokens" });
    assert.throws(() => new ProcnamesNamer([], 'a,(x),,(y)'), { message: "Error parsing -namemapping argument 'a,(x),,(y)': bad namemapper: token 2 is empty" });
    assert.throws(() => new ProcnamesNamer([], 'a,(x'), {
      message: "Error parsing -namemapping argument 'a,(x': error compiling regexp '(x': error parsing regexp: missing closing ): `(x`",
    });
  });
});

describe('default namer and helpers', () => {
  test('with no config every process with a cmdline is grouped by comm; kernel threads are not', () => {
    const n = buildDefaultNamer();
    assert.equal(n.matchAndName(proc({ comm: 'sshd', cmdline: ['/usr/sbin/sshd', '-D'] })), 'sshd');
    assert.equal(n.matchAndName(proc({ comm: 'kworker/0:0', cmdline: [] })), undefined);
  });
  test('{{.ExeBase}} is Go filepath.Base of argv[0]', async () => {
    const n = await namer('process_names:\n  - cmdline: [""]\n    name: "{{.ExeBase}}"\n');
    const exeBase = (argv0: string) => n.matchAndName(proc({ cmdline: [argv0] }));
    assert.equal(exeBase(''), '.');
    assert.equal(exeBase('/'), '/');
    assert.equal(exeBase('///'), '/');
    assert.equal(exeBase('/usr/bin/'), 'bin');
    assert.equal(exeBase('a'), 'a');
    assert.equal(exeBase('/a/b'), 'b');
  });
  test('a catastrophic regex on a 20,000-byte cmdline stays linear', async () => {
    const n = await namer('process_names:\n  - cmdline: ["(a+)+$"]\n    name: x\n');
    // RE2 finds the match at the end; a backtracking engine would not return on this input
    assert.equal(n.matchAndName(proc({ cmdline: ['a'.repeat(20000) + '!'] })), undefined);
    assert.equal(n.matchAndName(proc({ cmdline: ['a'.repeat(20000)] })), 'x');
  });
});

describe('unknown keys are errors that name them', () => {
  test('at the top level, with a suggestion for a typo', async () => {
    assert.equal(
      await configError('track_thread: false\nprocess_names:\n  - comm: [a]\n'),
      'cfg.yaml:1:1: unknown key "track_thread"; did you mean "track_threads"? (known: process_names, gather_smaps, procfs_path, recheck_on_scrape, remove_empty_groups, track_children, track_threads, top_processes, global, remote_write)',
    );
    assert.match(await configError('other: 1\n'), /^cfg\.yaml:1:1: unknown key "other" \(known: /);
    assert.match(await configError('toString: 1\n'), /^cfg\.yaml:1:1: unknown key "toString" \(known: /);
  });
  test('in a rule', async () => {
    assert.equal(
      await configError('process_names:\n  - comm: [a]\n    cmdlines: [x]\n'),
      'cfg.yaml:3:5: process_names[0]: unknown key "cmdlines"; did you mean "cmdline"? (a rule has: name, comm, exe, cmdline)',
    );
  });
  test('the sections other modules read (global, remote_write) are accepted', async () => {
    const f = (await readText('global:\n  external_labels: {a: b}\nremote_write:\n  - url: http://x\nprocess_names:\n  - comm: [a]\n'));
    assert.equal(f.rules.length, 1);
  });
});

describe("Alloy's argument names as top-level settings", () => {
  test('each sets its option', async () => {
    const f = await readText('gather_smaps: false\nprocfs_path: /host/proc\nrecheck_on_scrape: true\nremove_empty_groups: yes\ntrack_children: false\ntrack_threads: false\n');
    assert.deepEqual(f.settings, { gatherSmaps: false, procfs: '/host/proc', recheck: true, removeEmptyGroups: true, children: false, threads: false });
    assert.deepEqual((await readText('track_threads:\n')).settings, {});
  });
  test('top_processes (ours, in the same style): an integer from 0 to 1000', async () => {
    assert.deepEqual((await readText('top_processes: 10\n')).settings, { topProcesses: 10 });
    assert.deepEqual((await readText('top_processes: 0\n')).settings, { topProcesses: 0 });
    assert.equal(await configError('top_processes: ten\n'), 'cfg.yaml:1:16: top_processes: cannot unmarshal !!str `ten` into int');
    assert.equal(await configError('top_processes: 2.5\n'), 'cfg.yaml:1:16: top_processes: cannot unmarshal !!float `2.5` into int');
    assert.equal(await configError('top_processes: -1\n'), 'cfg.yaml:1:16: top_processes: must be between 0 (none) and 1000');
    assert.equal(await configError('top_processes: 1001\n'), 'cfg.yaml:1:16: top_processes: must be between 0 (none) and 1000');
    const dir = mkdtempSync(join(tmpdir(), 'npe-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'top_processes: 5\nprocess_names:\n  - comm: [a]\n');
    assert.equal((await resolveConfig({ ...defaultOptions, configPath: file }, memoryLogger())).options.topProcesses, 5);
    assert.equal((await resolveConfig({ ...defaultOptions, configPath: file, topProcesses: 2 }, memoryLogger(), ['topProcesses'])).options.topProcesses, 2, 'the flag wins');
  });
  test('a value of the wrong type is an error with its position', async () => {
    assert.equal(await configError('gather_smaps: maybe\n'), 'cfg.yaml:1:15: gather_smaps: cannot unmarshal !!str `maybe` into bool');
    assert.equal(await configError('procfs_path: [a]\n'), 'cfg.yaml:1:14: procfs_path: cannot unmarshal !!seq into string');
  });
  test('a flag given on the command line wins over the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'track_threads: false\ngather_smaps: false\nprocfs_path: /host/proc\nprocess_names:\n  - comm: [a]\n');
    const r = await resolveConfig({ ...defaultOptions, configPath: file, threads: true }, memoryLogger(), ['threads']);
    assert.equal(r.options.threads, true);
    assert.equal(r.options.gatherSmaps, false);
    assert.equal(r.options.procfs, '/host/proc');
    assert.equal(r.namer.matchAndName(proc({ comm: 'a' })), 'a');
  });
});

describe('what the debug log and -report-configured-groups ask of a namer', () => {
  test('explain names the first rule that matches, by index and name', async () => {
    const c = await namer('process_names:\n  - comm: [a]\n    name: "{{.Comm}}-x"\n  - comm: [b]\n  - comm: [c]\n    name: fixed\n');
    assert.deepEqual(c.explain(proc({ comm: 'a' })), { index: 0, name: '{{.Comm}}-x' });
    assert.deepEqual(c.explain(proc({ comm: 'b', cmdline: ['/bin/b'] })), { index: 1, name: '{{.ExeBase}}' });
    assert.deepEqual(c.explain(proc({ comm: 'c' })), { index: 2, name: 'fixed' });
    assert.equal(c.explain(proc({ comm: 'd' })), undefined);
  });
  test('fixed names: rules without template actions, procnames without a mapping', async () => {
    assert.deepEqual((await namer('process_names:\n  - comm: [a]\n    name: "{{.Comm}}"\n  - comm: [b]\n  - comm: [c]\n    name: web\n')).fixedNames(), ['web']);
    assert.deepEqual(new ProcnamesNamer(['bash', 'python3'], 'python3,(x)').fixedNames(), ['bash']);
    assert.deepEqual(new ProcnamesNamer(['bash', 'sshd'], '').explain(proc({ comm: 'sshd' })), { index: 1, name: 'sshd' });
    assert.deepEqual(buildDefaultNamer().fixedNames?.(), []);
  });
});
