// Tests for src/cli/flags.ts: Go flag semantics, the usage text, the early exits and the Options produced.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, type CliResult } from '../src/cli/flags';
import { MANUAL_TEXT } from '../src/cli/manual';
import { defaultOptions, type Options } from '../src/settings/registry';

const PROG = '/usr/bin/process-exporter';
const FIXED = new Date(2024, 0, 2, 3, 4, 5);
const TS = FIXED.toISOString();
const env = { prog: PROG, version: '1.2.3', now: () => FIXED };

// The exact text Go's flag.Usage prints for HEAD's flags (checked against the Debian binary's -h for the
// 14 flags it shares, with HEAD's three extra flags slotted in by name), plus our operations flags.
const USAGE = [
  `Usage of ${PROG}:`,
  '  -children',
  "    \tif a proc is tracked, track with it any children that aren't part of their own group (default true)",
  '  -config.path string',
  '    \tpath to YAML config file',
  '  -debug',
  '    \tlog debugging information to stderr',
  '  -gather-idle.max-age duration',
  "    \tre-read status, io and wchan of a process or thread that has not run since (stat and schedstat unchanged) only after this long (0s: every scrape) (default 5m0s)",
  '  -gather-smaps',
  '    \tgather metrics from smaps file, which contains proportional resident memory size (default true)',
  '  -gather-smaps.max-age duration',
  "    \tre-read a process's smaps when its stat has not changed only after this long (0s: every scrape) (default 5m0s)",
  '  -log.format string',
  '    \tOutput format of log messages. One of: [logfmt, json] (default "logfmt")',
  '  -log.level string',
  '    \tOnly log messages with the given severity or above. One of: [debug, info, warn, error] (default "info")',
  '  -man',
  '    \tprint manual',
  '  -namemapping string',
  '    \tcomma-separated list, alternating process name and capturing regex to apply to cmdline',
  '  -once-to-stdout-delay duration',
  "    \tDon't bind, just wait this much time, print the metrics once to stdout, and exit",
  '  -procfs string',
  '    \tpath to read proc data from (default "/proc")',
  '  -procnames string',
  '    \tcomma-separated list of process names to monitor',
  '  -recheck',
  '    \trecheck process names on each scrape',
  '  -recheck-with-time-limit duration',
  '    \trecheck processes only this much time after their start, but no longer.',
  '  -remove-empty-groups',
  '    \tforget process groups with no processes',
  '  -report-configured-groups',
  '    \texport each group named by -procnames or by a rule name without template actions from the first scrape, with num_procs 0 while no process is in it',
  '  -threads',
  '    \treport on per-threadname metrics as well (default true)',
  '  -top-processes int',
  '    \texport the N processes that used the most CPU in the last update cycle and the N with the most resident memory as namedprocess_process_* series, labelled by groupname, pid and comm (at most 3N processes at once; 0: none)',
  '  -version',
  '    \tprint version information and exit',
  '  -web.config.file string',
  '    \tpath to YAML web config file',
  '  -web.enable-lifecycle',
  '    \tEnable config reload via HTTP request (POST /-/reload).',
  '  -web.listen-address string',
  '    \tAddress on which to expose metrics and web interface. (default ":9256")',
  '  -web.page-expose-cmdlines',
  "    \tshow each group's processes with pid, user and command line on the page at / (command lines can carry secrets)",
  '  -web.page-interval duration',
  '    \tshortest time between the update cycles an open page at / asks for; scrapes share these cycles (default 3s)',
  '  -web.telemetry-path string',
  '    \tPath under which to expose metrics. (default "/metrics")',
  '',
].join('\n');

function run(argv: string[]): { options: Options; warnings: string[] } {
  const r = parseCommandLine(argv, env);
  if (r.kind !== 'run') assert.fail(`expected run for ${JSON.stringify(argv)}, got exit ${r.code}: ${r.stderr}${r.stdout}`);
  return { options: r.options, warnings: r.warnings };
}

function exit(argv: string[]): Extract<CliResult, { kind: 'exit' }> {
  const r = parseCommandLine(argv, env);
  if (r.kind !== 'exit') assert.fail(`expected exit for ${JSON.stringify(argv)}, got run`);
  return r;
}

function assertUsageError(argv: string[], message: string): void {
  assert.deepEqual(exit(argv), { kind: 'exit', code: 2, stdout: '', stderr: message + '\n' + USAGE });
}

describe('usage text', () => {
  test('is Go PrintDefaults output for HEAD flags', () => {
    assert.deepEqual(exit(['-h']), { kind: 'exit', code: 0, stdout: '', stderr: USAGE });
  });

  test('defaults to process.argv[1] as the program name, like Go os.Args[0]', () => {
    const r = parseCommandLine(['-h']);
    assert.ok(r.kind === 'exit' && r.stderr.startsWith(`Usage of ${process.argv[1]}:\n  -children\n`));
  });
});

describe('defaults', () => {
  test('no arguments gives the default options and no warnings', () => {
    assert.deepEqual(run([]), { options: { ...defaultOptions, procnames: [] }, warnings: [] });
  });
});

describe('string flags, every syntax', () => {
  const cases: Array<[string, keyof Options, string, unknown]> = [
    ['web.listen-address', 'listenAddress', '127.0.0.1:9999', '127.0.0.1:9999'],
    ['web.telemetry-path', 'telemetryPath', '/x/metrics', '/x/metrics'],
    ['web.config.file', 'webConfigFile', '/etc/web.yml', '/etc/web.yml'],
    ['procfs', 'procfs', '/host/proc', '/host/proc'],
    ['namemapping', 'namemapping', 'python3,([^/]+)\\.py', 'python3,([^/]+)\\.py'],
    ['procnames', 'procnames', 'bash,sshd', ['bash', 'sshd']],
    ['config.path', 'configPath', '/etc/pe.yml', '/etc/pe.yml'],
    ['web.page-interval', 'pageIntervalMs', '1500ms', 1500],
  ];
  for (const [flag, key, value, expected] of cases) {
    for (const argv of [
      [`-${flag}`, value],
      [`-${flag}=${value}`],
      [`--${flag}`, value],
      [`--${flag}=${value}`],
    ]) {
      test(argv.join(' '), () => {
        const { options, warnings } = run(argv);
        assert.deepEqual(options[key], expected);
        assert.deepEqual(warnings, []);
        // every other field keeps its default
        assert.deepEqual({ ...options, [key]: defaultOptions[key] }, { ...defaultOptions, procnames: [] });
      });
    }
  }

  test('a value may contain "=" (only the first one splits)', () => {
    assert.equal(run(['-namemapping=a,b=c']).options.namemapping, 'a,b=c');
  });

  test('-flag= sets the empty string', () => {
    assert.equal(run(['-procfs=']).options.procfs, '');
  });

  test('the next argument is taken as the value even when it looks like a flag', () => {
    const { options } = run(['-procfs', '-debug']);
    assert.equal(options.procfs, '-debug');
    assert.equal(options.debug, false);
  });

  test('an empty next argument is a value', () => {
    assert.equal(run(['-web.listen-address', '']).options.listenAddress, '');
  });

  test('the last occurrence wins', () => {
    assert.equal(run(['-procfs', '/a', '--procfs=/b']).options.procfs, '/b');
  });

  test('-procnames drops empty tokens', () => {
    assert.deepEqual(run(['-procnames', ',a,,b,']).options.procnames, ['a', 'b']);
    assert.deepEqual(run(['-procnames', ',']).options.procnames, []);
    assert.deepEqual(run(['-procnames', 'upstart:-user']).options.procnames, ['upstart:-user']);
  });

  test('-namemapping is carried raw, even when the reference would reject it later', () => {
    assert.equal(run(['-namemapping', 'a,b,c']).options.namemapping, 'a,b,c');
  });

  test('a listen address without a port is left for the server to reject', () => {
    assert.equal(run(['-web.listen-address', 'localhost']).options.listenAddress, 'localhost');
  });
});

describe('bool flags', () => {
  const cases: Array<[string, keyof Options, boolean]> = [
    ['children', 'children', true],
    ['threads', 'threads', true],
    ['gather-smaps', 'gatherSmaps', true],
    ['recheck', 'recheck', false],
    ['debug', 'debug', false],
    ['remove-empty-groups', 'removeEmptyGroups', false],
    ['web.page-expose-cmdlines', 'pageExposeCmdlines', false],
  ];
  for (const [flag, key, def] of cases) {
    test(`-${flag}: default ${def}, bare sets true, =value sets it`, () => {
      assert.equal(run([]).options[key], def);
      assert.equal(run([`-${flag}`]).options[key], true);
      assert.equal(run([`--${flag}`]).options[key], true);
      assert.equal(run([`-${flag}=false`]).options[key], false);
      assert.equal(run([`--${flag}=false`]).options[key], false);
      assert.equal(run([`-${flag}=true`]).options[key], true);
      assert.equal(run([`-${flag}=false`, `-${flag}`]).options[key], true);
    });
  }

  test('every strconv.ParseBool spelling is accepted', () => {
    for (const v of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(run([`-children=${v}`]).options.children, true, v);
    for (const v of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(run([`-children=${v}`]).options.children, false, v);
  });

  test('a spelling strconv.ParseBool rejects is a usage error', () => {
    for (const v of ['', 'yes', 'no', 'tRUE', 'on', ' true', '2']) assertUsageError([`-children=${v}`], `invalid boolean value "${v}" for -children: parse error`);
  });
});

describe('duration flags', () => {
  test('-once-to-stdout-delay in both syntaxes, converted to milliseconds', () => {
    assert.equal(run(['-once-to-stdout-delay', '500ms']).options.onceToStdoutDelayMs, 500);
    assert.equal(run(['-once-to-stdout-delay=1m30s']).options.onceToStdoutDelayMs, 90_000);
    assert.equal(run(['--once-to-stdout-delay', '1.5h']).options.onceToStdoutDelayMs, 5_400_000);
    assert.equal(run(['--once-to-stdout-delay=0']).options.onceToStdoutDelayMs, 0);
    assert.equal(run(['-once-to-stdout-delay', '-1s']).options.onceToStdoutDelayMs, -1000);
    assert.equal(run(['-once-to-stdout-delay', '500us']).options.onceToStdoutDelayMs, 0.5);
  });

  test('-gather-idle.max-age: default 5m, 0s reads every process in full every scrape, a negative age fails at start', () => {
    assert.equal(run([]).options.idleMaxAgeMs, 300_000);
    assert.equal(run(['-gather-idle.max-age', '1m']).options.idleMaxAgeMs, 60_000);
    assert.equal(run(['-gather-idle.max-age=0s']).options.idleMaxAgeMs, 0);
    const e = exit(['-gather-idle.max-age=-1s']);
    assert.equal(e.code, 1);
    assert.match(e.stderr, / level=error msg="invalid -gather-idle\.max-age: a negative age \(0s reads every process in full every scrape\)"\n$/);
  });

  test('-gather-smaps.max-age: default 5m, 0s reads smaps every scrape, a negative age fails at start', () => {
    assert.equal(run([]).options.smapsMaxAgeMs, 300_000);
    assert.equal(run(['-gather-smaps.max-age', '30s']).options.smapsMaxAgeMs, 30_000);
    assert.equal(run(['-gather-smaps.max-age=0s']).options.smapsMaxAgeMs, 0);
    const e = exit(['-gather-smaps.max-age=-1s']);
    assert.equal(e.code, 1);
    assert.match(e.stderr, / level=error msg="invalid -gather-smaps\.max-age: a negative age \(0s reads smaps every scrape\)"\n$/);
  });

  test('-recheck-with-time-limit in both syntaxes; non-zero forces -recheck', () => {
    let o = run(['-recheck-with-time-limit', '10s']).options;
    assert.deepEqual([o.recheckWithTimeLimitMs, o.recheck], [10_000, true]);
    o = run(['-recheck-with-time-limit=2m']).options;
    assert.deepEqual([o.recheckWithTimeLimitMs, o.recheck], [120_000, true]);
    // forced even against an explicit -recheck=false, as the reference does after parsing
    o = run(['--recheck=false', '--recheck-with-time-limit=1h']).options;
    assert.deepEqual([o.recheckWithTimeLimitMs, o.recheck], [3_600_000, true]);
    // the reference tests != 0, so a negative limit forces it too
    o = run(['-recheck-with-time-limit', '-5s']).options;
    assert.deepEqual([o.recheckWithTimeLimitMs, o.recheck], [-5000, true]);
    o = run(['-recheck-with-time-limit', '0']).options;
    assert.deepEqual([o.recheckWithTimeLimitMs, o.recheck], [0, false]);
  });
});

describe('flag errors exit 2 with Go message and usage on stderr', () => {
  test('unknown flag', () => {
    assertUsageError(['-x'], 'flag provided but not defined: -x');
    assertUsageError(['--web.listen_address=:1'], 'flag provided but not defined: -web.listen_address');
    // Debian 0.7.10's -once-to-stdout does not exist in HEAD
    assertUsageError(['-once-to-stdout'], 'flag provided but not defined: -once-to-stdout');
  });

  test('unknown flag after valid ones still fails', () => {
    assertUsageError(['-debug', '-procfs', '/p', '-nope=1'], 'flag provided but not defined: -nope');
  });

  test('missing value for every non-bool flag', () => {
    for (const f of ['web.listen-address', 'web.telemetry-path', 'once-to-stdout-delay', 'procnames', 'procfs',
      'namemapping', 'config.path', 'web.config.file', 'recheck-with-time-limit', 'log.level', 'log.format', 'top-processes']) {
      assertUsageError([`-${f}`], `flag needs an argument: -${f}`);
      assertUsageError(['-debug', `--${f}`], `flag needs an argument: -${f}`);
    }
  });

  test('bad duration values', () => {
    assertUsageError(['-recheck-with-time-limit', 'abc'], 'invalid value "abc" for flag -recheck-with-time-limit: parse error');
    assertUsageError(['-recheck-with-time-limit=5'], 'invalid value "5" for flag -recheck-with-time-limit: parse error');
    assertUsageError(['--once-to-stdout-delay', '1d'], 'invalid value "1d" for flag -once-to-stdout-delay: parse error');
    assertUsageError(['-once-to-stdout-delay='], 'invalid value "" for flag -once-to-stdout-delay: parse error');
  });

  test('bad bool values', () => {
    assertUsageError(['-children=abc'], 'invalid boolean value "abc" for -children: parse error');
    assertUsageError(['--threads=yes'], 'invalid boolean value "yes" for -threads: parse error');
    assertUsageError(['-debug='], 'invalid boolean value "" for -debug: parse error');
  });

  test('values are quoted like Go %q', () => {
    assertUsageError(['-children=a"b\\c'], 'invalid boolean value "a\\"b\\\\c" for -children: parse error');
    assertUsageError(['-recheck-with-time-limit', '1\tday'], 'invalid value "1\\tday" for flag -recheck-with-time-limit: parse error');
    assertUsageError(['-children=\u00e9t\u00e9\u0001'], 'invalid boolean value "\u00e9t\u00e9\\x01" for -children: parse error');
  });

  test('bad flag syntax', () => {
    assertUsageError(['---x'], 'bad flag syntax: ---x');
    assertUsageError(['-=x'], 'bad flag syntax: -=x');
    assertUsageError(['--=x'], 'bad flag syntax: --=x');
  });
});

describe('help', () => {
  for (const argv of [['-h'], ['-help'], ['--help'], ['--h'], ['-h=1'], ['-procfs', '/p', '-help']]) {
    test(argv.join(' '), () => {
      assert.deepEqual(exit(argv), { kind: 'exit', code: 0, stdout: '', stderr: USAGE });
    });
  }

  test('a flag error before -h wins', () => {
    assert.equal(exit(['-x', '-h']).code, 2);
  });
});

describe('parsing stops at the first non-flag argument', () => {
  test('-children false: "false" is positional, later flags ignored', () => {
    const { options, warnings } = run(['-children', 'false', '-threads=false', '-debug']);
    assert.equal(options.children, true);
    assert.equal(options.threads, true);
    assert.equal(options.debug, false);
    assert.deepEqual(warnings, [
      '"false" is not the value of -children (a bool flag takes a value only as -children=false); ' +
        'flag parsing stopped there, ignoring: false -threads=false -debug',
    ]);
  });

  test('any positional stops parsing, even an unknown flag after it', () => {
    const { options, warnings } = run(['-procfs', '/p', 'extra', '-nope', '-debug']);
    assert.equal(options.procfs, '/p');
    assert.equal(options.debug, false);
    assert.deepEqual(warnings, ['flag parsing stopped at the non-flag argument "extra", ignoring: extra -nope -debug']);
  });

  test('a lone "-" is positional', () => {
    const { options, warnings } = run(['-debug', '-', '-threads=false']);
    assert.equal(options.debug, true);
    assert.equal(options.threads, true);
    assert.deepEqual(warnings, ['flag parsing stopped at the non-flag argument "-", ignoring: - -threads=false']);
  });

  test('an empty argument is positional', () => {
    const { options } = run(['', '-debug']);
    assert.equal(options.debug, false);
  });

  test('"--" ends the flags; it is not itself kept', () => {
    const { options, warnings } = run(['-debug', '--', '-threads=false', '-h']);
    assert.equal(options.debug, true);
    assert.equal(options.threads, true);
    assert.deepEqual(warnings, ['ignoring the arguments after "--": -threads=false -h']);
  });

  test('a trailing "--" is no warning', () => {
    assert.deepEqual(run(['-debug', '--']).warnings, []);
  });

  test('-h after a positional is not help', () => {
    assert.equal(parseCommandLine(['x', '-h'], env).kind, 'run');
  });
});

describe('-version', () => {
  test('prints the version from env.version to stdout and exits 0', () => {
    const r = exit(['-version']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'namedprocess-exporter, version 1.2.3 (branch: unknown, revision: unknown)');
    assert.equal(lines[1], '  build user:       unknown');
    assert.equal(lines[2], '  build date:       unknown');
    assert.equal(lines[3], `  node version:     ${process.version}`);
    assert.match(lines[4]!, /^  platform:         [a-z0-9]+\/[a-z0-9]+$/);
    assert.equal(lines[5], '  tags:             unknown');
    assert.equal(lines[6], '');
    assert.equal(lines.length, 7);
  });

  test('platform uses Go names (x64 is amd64)', () => {
    const expectedArch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : null;
    const text = exit(['-version']).stdout;
    if (expectedArch !== null) assert.ok(text.includes(`  platform:         ${process.platform}/${expectedArch}\n`));
    assert.ok(!text.includes('/x64'));
  });

  test('without a version it says unknown', () => {
    const r = parseCommandLine(['--version'], { prog: PROG });
    assert.ok(r.kind === 'exit' && r.stdout.startsWith('namedprocess-exporter, version unknown (branch: unknown, revision: unknown)\n'));
  });

  test('prints the build stamp: branch and revision', () => {
    const r = parseCommandLine(['-version'], { ...env, branch: 'main', revision: 'abc1234-dirty' });
    assert.ok(r.kind === 'exit');
    assert.equal(r.stdout.split('\n')[0], 'namedprocess-exporter, version 1.2.3 (branch: main, revision: abc1234-dirty)');
  });

  test('-version wins over -man and over a config conflict, but not over a flag error', () => {
    assert.equal(exit(['-man', '-version']).stdout, exit(['-version']).stdout);
    assert.equal(exit(['-config.path', 'c', '-procnames', 'a', '-version']).code, 0);
    assert.equal(exit(['-version', '-bogus']).code, 2);
  });

  test('-version=false does not print', () => {
    assert.equal(parseCommandLine(['-version=false'], env).kind, 'run');
  });
});

describe('-man', () => {
  test('prints the reference manual to stdout and exits 0', () => {
    assert.deepEqual(exit(['-man']), { kind: 'exit', code: 0, stdout: MANUAL_TEXT, stderr: '' });
    assert.deepEqual(exit(['--man=true']), { kind: 'exit', code: 0, stdout: MANUAL_TEXT, stderr: '' });
  });

  test('the manual is the reference text', () => {
    assert.ok(MANUAL_TEXT.startsWith('Usage:\n  process-exporter [options] -config.path filename.yml\n\nor \n\n'));
    assert.ok(MANUAL_TEXT.includes('    -namemapping "python2,([^/]+)\\.py,java,-jar\\s+([^/]+).jar" \n'));
    assert.ok(MANUAL_TEXT.includes('    process-exporter -namemapping "upstart,(--user)" \\\n      -procnames chromium-browse,'));
    assert.ok(MANUAL_TEXT.endsWith('Config file process selection (filename.yml):\n\n  See README.md.\n\n'));
    // 44 lines of text then the blank line Go appends: 45 newlines, as the Debian binary prints
    assert.equal(MANUAL_TEXT.split('\n').length, 46);
  });

  test('-man wins over a config conflict', () => {
    assert.equal(exit(['-config.path', 'c', '-namemapping', 'a,b', '-man']).code, 0);
  });
});

describe('-config.path with -procnames or -namemapping', () => {
  const stderr = `ts=${TS} level=error msg="-config.path cannot be used with -namemapping or -procnames"\n`;
  for (const argv of [
    ['-config.path', 'c.yml', '-procnames', 'bash'],
    ['-namemapping=a,b', '--config.path=c.yml'],
    // the reference tests the raw strings, so a -procnames that yields no names still conflicts
    ['-config.path', 'c.yml', '-procnames', ','],
  ]) {
    test(argv.join(' '), () => {
      assert.deepEqual(exit(argv), { kind: 'exit', code: 1, stdout: '', stderr });
    });
  }

  test('an empty -procnames does not conflict', () => {
    assert.equal(run(['-config.path', 'c.yml', '-procnames=']).options.configPath, 'c.yml');
  });

  test('the timestamp defaults to the current time', () => {
    const r = parseCommandLine(['-config.path', 'c', '-procnames', 'x'], { prog: PROG });
    assert.ok(r.kind === 'exit');
    assert.match(r.stderr, /^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=error msg="-config\.path cannot be used with -namemapping or -procnames"\n$/);
  });
});

describe('-web.telemetry-path checks', () => {
  test('"/" would shadow the landing page', () => {
    assert.deepEqual(exit(['-web.telemetry-path', '/']), {
      kind: 'exit', code: 1, stdout: '',
      stderr: `ts=${TS} level=error msg="invalid -web.telemetry-path \\"/\\": \\"/\\" serves the landing page; choose another path such as \\"/metrics\\""\n`,
    });
  });

  test('must start with "/"', () => {
    assert.deepEqual(exit(['-web.telemetry-path=metrics']), {
      kind: 'exit', code: 1, stdout: '',
      stderr: `ts=${TS} level=error msg="invalid -web.telemetry-path \\"metrics\\": the path must start with \\"/\\""\n`,
    });
    assert.equal(exit(['-web.telemetry-path=']).stderr,
      `ts=${TS} level=error msg="invalid -web.telemetry-path \\"\\": the path must start with \\"/\\""\n`);
  });

  test('a nested path is fine', () => {
    assert.equal(run(['-web.telemetry-path', '/a/b/']).options.telemetryPath, '/a/b/');
  });
});

describe('-web.page-interval', () => {
  test('defaults to 3s; zero or negative fails at start', () => {
    assert.equal(run([]).options.pageIntervalMs, 3000);
    for (const v of ['0', '-1s']) {
      assert.deepEqual(exit(['-web.page-interval', v]), {
        kind: 'exit', code: 1, stdout: '',
        stderr: 'ts=2024-01-02T03:04:05.000Z level=error msg="invalid -web.page-interval: it must be a positive duration such as 3s"\n',
      });
    }
  });
});

describe('result objects', () => {
  test('the procnames array is fresh, not the frozen default', () => {
    const a = run([]).options;
    assert.notEqual(a.procnames, defaultOptions.procnames);
    a.procnames.push('x');
    assert.deepEqual(run([]).options.procnames, []);
  });
});

describe('operations flags', () => {
  test('-log.level and -log.format take promslog values; -debug is -log.level=debug', () => {
    assert.equal(run([]).options.logLevel, 'info');
    assert.equal(run([]).options.logFormat, 'logfmt');
    assert.equal(run(['-log.level', 'warn']).options.logLevel, 'warn');
    assert.equal(run(['-log.level=error', '-log.format=json']).options.logFormat, 'json');
    assert.equal(run(['-debug']).options.logLevel, 'debug');
    assert.equal(run(['-debug', '-log.level=error']).options.logLevel, 'debug');
    assertUsageError(['-log.level', 'verbose'], 'invalid value "verbose" for flag -log.level: unrecognized log level "verbose"');
    assertUsageError(['-log.format=text'], 'invalid value "text" for flag -log.format: unrecognized log format "text"');
  });

  test('a start-up error is a JSON line with -log.format=json', () => {
    const r = exit(['-log.format=json', '-web.telemetry-path=x']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stderr), { ts: TS, level: 'error', msg: 'invalid -web.telemetry-path "x": the path must start with "/"' });
  });

  test('-web.enable-lifecycle and -report-configured-groups are off by default', () => {
    assert.equal(run([]).options.enableLifecycle, false);
    assert.equal(run(['-web.enable-lifecycle']).options.enableLifecycle, true);
    assert.equal(run([]).options.reportConfiguredGroups, false);
    assert.equal(run(['-report-configured-groups']).options.reportConfiguredGroups, true);
  });

  test('-top-processes: an int flag as Go parses it, 0 by default, at most 1000', () => {
    assert.equal(run([]).options.topProcesses, 0);
    assert.equal(run(['-top-processes', '10']).options.topProcesses, 10);
    assert.equal(run(['-top-processes=0x10']).options.topProcesses, 16);
    assert.equal(run(['--top-processes=010']).options.topProcesses, 8);
    assert.equal(run(['-top-processes=1000']).options.topProcesses, 1000);
    assertUsageError(['-top-processes', 'ten'], 'invalid value "ten" for flag -top-processes: parse error');
    assertUsageError(['-top-processes=1.5'], 'invalid value "1.5" for flag -top-processes: parse error');
    assertUsageError(['-top-processes='], 'invalid value "" for flag -top-processes: parse error');
    for (const [arg, shown] of [['-1', '-1'], ['1001', '1001']]) {
      const r = exit([`-top-processes=${arg}`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`msg="invalid -top-processes ${shown}: it must be between 0 \\(none\\) and 1000"`));
    }
  });

  test('the settings given as flags are listed (they win over a config file)', () => {
    const r = parseCommandLine(['-threads=false', '-procfs', '/p', '-debug', '-gather-smaps=true', '-recheck-with-time-limit=1m', '-top-processes=2'], env);
    assert.ok(r.kind === 'run');
    assert.deepEqual([...r.given].sort(), ['debug', 'gatherSmaps', 'procfs', 'recheckWithTimeLimitMs', 'threads', 'topProcesses']);
    const none = parseCommandLine([], env);
    assert.ok(none.kind === 'run');
    assert.deepEqual(none.given, []);
  });
});
