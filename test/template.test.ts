import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTime, TemplateError, parseTemplate, type NameTemplateData } from '../src/config/template';

// 2017-10-19T22:52:51.19Z, the start time of the reference's fixture process (upstream)
const START = 1508453571190;

function data(over: Partial<NameTemplateData> = {}): NameTemplateData {
  return {
    Comm: 'bash',
    ExeBase: 'bash',
    ExeFull: '/bin/bash',
    Username: 'root',
    PID: 23,
    StartTime: new GoTime(START),
    Cgroups: ['/a', '/b'],
    SystemdUnit: 'nginx.service',
    ContainerID: '',
    PodUID: '',
    Matches: new Map([['Path', 'pg'], ['', '-D /data/pg']]),
    ...over,
  };
}

function run(src: string, d: NameTemplateData = data()): { text: string; error?: string } {
  return parseTemplate(src).execute(d);
}

function out(src: string, d: NameTemplateData = data()): string {
  const r = run(src, d);
  assert.equal(r.error, undefined, `unexpected error for ${src}: ${r.error}`);
  return r.text;
}

function parseError(src: string): string {
  try {
    parseTemplate(src);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `not a TemplateError: ${e}`);
    return e.message;
  }
  assert.fail(`no parse error for ${src}`);
}

function execError(src: string, d: NameTemplateData = data()): [string, string] {
  const r = run(src, d);
  assert.notEqual(r.error, undefined, `no exec error for ${src}`);
  return [r.text, r.error!];
}

test('reference TestConfigTemplates cases', () => {
  const pg = data({ ExeBase: 'postmaster', Matches: new Map([['', '-D /data/pg'], ['Path', 'pg']]) });
  assert.equal(out('{{.ExeBase}}:{{.Matches.Path}}', pg), 'postmaster:pg');
  assert.equal(out('{{.ExeFull}}:{{.PID}}', data({ ExeFull: '/usr/local/bin/prometheus' })), '/usr/local/bin/prometheus:23');
  assert.equal(out('{{.StartTime}}'), '2017-10-19 22:52:51.19 +0000 UTC');
  assert.equal(out('{{.ExeBase}}'), 'bash');
  assert.equal(parseTemplate('{{.Comm}}').source, '{{.Comm}}');
});

test('fields of the data', () => {
  assert.equal(out('{{.Comm}}|{{.ExeBase}}|{{.ExeFull}}|{{.Username}}|{{.PID}}'), 'bash|bash|/bin/bash|root|23');
  assert.equal(out('{{.Cgroups}}'), '[/a /b]');
  assert.equal(out('{{.Cgroups}}', data({ Cgroups: [] })), '[]');
  assert.equal(out('{{.Matches}}'), 'map[:-D /data/pg Path:pg]');
  assert.equal(out('{{.Matches}}', data({ Matches: new Map([['b', '2'], ['a', '1'], ['B', '3']]) })), 'map[B:3 a:1 b:2]');
  assert.equal(out('{{.Matches}}', data({ Matches: new Map() })), 'map[]');
  assert.equal(out('{{.Matches.Path}}'), 'pg');
  assert.equal(out('{{$.Comm}}'), 'bash');
});

test('missing map keys print <no value>, also further down the chain', () => {
  assert.equal(out('{{.Matches.nokey}}'), '<no value>');
  assert.equal(out('C{{.Matches.x.y}}D'), 'C<no value>D');
  assert.equal(out('{{index .Matches "nokey"}}|{{index .Matches "Path"}}'), '|pg');
  assert.equal(out('{{print .Matches.nokey}}'), '<nil>');
  assert.equal(out('{{printf "%s" .Matches.nokey}}'), '%!s(<nil>)');
  assert.equal(out('{{html .Matches.nokey}}'), '&lt;no value&gt;');
  assert.equal(out('{{not .Matches.nokey}}|{{eq .Matches.nokey "x"}}'), 'true|false');
});

test('time.Time printing and methods', () => {
  assert.equal(out('{{.StartTime}}', data({ StartTime: new GoTime(1508453571000) })), '2017-10-19 22:52:51 +0000 UTC');
  assert.equal(out('{{.StartTime}}', data({ StartTime: new GoTime(1508453571001) })), '2017-10-19 22:52:51.001 +0000 UTC');
  assert.equal(out('{{.StartTime}}', data({ StartTime: new GoTime(0) })), '1970-01-01 00:00:00 +0000 UTC');
  assert.equal(out('{{.StartTime}}', data({ StartTime: new GoTime(-1000) })), '1969-12-31 23:59:59 +0000 UTC');
  assert.equal(out('{{.StartTime.Unix}}', data({ StartTime: new GoTime(1700000123450) })), '1700000123');
  assert.equal(out('{{.StartTime.UnixMilli}} {{.StartTime.UnixMicro}} {{.StartTime.UnixNano}}'),
    '1508453571190 1508453571190000 1508453571190000000');
  assert.equal(out('{{.StartTime.Year}}-{{.StartTime.Month}}-{{.StartTime.Day}} {{.StartTime.Hour}}:{{.StartTime.Minute}}:{{.StartTime.Second}}'),
    '2017-October-19 22:52:51');
  assert.equal(out('{{.StartTime.Nanosecond}} {{.StartTime.YearDay}} {{.StartTime.Weekday}} {{.StartTime.IsZero}}'),
    '190000000 292 Thursday false');
  assert.equal(out('{{.StartTime.String}}'), '2017-10-19 22:52:51.19 +0000 UTC');
  assert.equal(out('{{.StartTime.UTC}}'), '2017-10-19 22:52:51.19 +0000 UTC');
  assert.equal(out('{{.StartTime.GoString}}'), 'time.Date(2017, time.October, 19, 22, 52, 51, 190000000, time.UTC)');
  assert.equal(out('{{.StartTime.Month.String}} {{.StartTime.Weekday.String}}'), 'October Thursday');
  // 2024-03-01 is in a leap year
  const leap = data({ StartTime: new GoTime(1709251200000) });
  assert.equal(out('{{.StartTime.YearDay}} {{.StartTime.Weekday}}', leap), '61 Friday');
});

test('time.Time.Format layouts', () => {
  const f = (layout: string, d = data()): string => out(`{{.StartTime.Format ${JSON.stringify(layout)}}}`, d);
  assert.equal(f('2006-01-02T15:04:05Z07:00'), '2017-10-19T22:52:51Z');
  assert.equal(f('2006-01-02T15:04:05.999999999Z07:00'), '2017-10-19T22:52:51.19Z');
  assert.equal(f('Jan _2 15:04:05.000'), 'Oct 19 22:52:51.190');
  assert.equal(f('Mon Jan 2 3:04:05 PM MST 2006'), 'Thu Oct 19 10:52:51 PM UTC 2017');
  assert.equal(f('02/01/06 -0700 -07:00 -07'), '19/10/17 +0000 +00:00 +00');
  assert.equal(f('Monday January 002 __2'), 'Thursday October 292 292');
  assert.equal(f('15h04m05s .9 ,00 .000000'), '22h52m51s .1 ,19 .190000');
  assert.equal(f('Janet Mondays'), 'Janet Thursdays');
  const early = data({ StartTime: new GoTime(Date.UTC(2021, 2, 5, 0, 7, 9)) });
  assert.equal(f('Jan _2 3:04:05pm 03', early), 'Mar  5 12:07:09am 12');
  assert.equal(f('2006-01-02 .999', early), '2021-03-05 ');
  assert.equal(out('{{.StartTime.Format .Comm}}'), 'bash');
});

test('text, comments and whitespace trimming', () => {
  assert.equal(out('plain text'), 'plain text');
  assert.equal(out(''), '');
  assert.equal(out('a  {{- .Comm -}}  b'), 'abashb');
  assert.equal(out('a \n\t{{- .Comm}} b'), 'abash b');
  assert.equal(out('x {{/* a comment */}} y'), 'x  y');
  assert.equal(out('x {{- /* a comment */ -}} y'), 'xy');
  assert.equal(out('{{ .Comm }}'), 'bash');
  assert.equal(out('{{-3}}'), '-3');
  assert.equal(out('{{- 3}}'), '3');
  assert.equal(out('{{.Comm\n}}'), 'bash');
});

test('literals', () => {
  assert.equal(out('{{"a\\tb\\u00e9\\x41\\101"}}'), 'a\tbéAA');
  assert.equal(out('{{`a\\tb`}}'), 'a\\tb');
  assert.equal(out("{{'a'}} {{'\\n'}}"), '97 10');
  assert.equal(out('{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{+5}} {{-0}}'), '31 15 15 5 1000 5 0');
  assert.equal(out('{{1.5}} {{1e3}} {{1e6}} {{100000.0}} {{0.000012}} {{3.0}}'), '1.5 1000 1e+06 100000 1.2e-05 3');
  assert.equal(out('{{true}} {{false}}'), 'true false');
  assert.equal(out('{{99999999999999999999.0}} {{1e20 | printf "%.0f"}}'), '1e+20 100000000000000000000');
});

test('variables', () => {
  assert.equal(out('{{$x := .Comm}}{{$x}}'), 'bash');
  assert.equal(out('{{$x := .Comm}}{{$x = "zsh"}}{{$x}}'), 'zsh');
  assert.equal(out('{{$x := .StartTime}}{{$x.Year}}'), '2017');
  assert.equal(out('{{range .Cgroups}}{{$.Comm}}{{end}}'), 'bashbash');
  assert.equal(out('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}'), '2');
  assert.equal(out('{{with $x := .Comm}}{{$x}}{{.}}{{end}}'), 'bashbash');
});

test('if, else if, else, with', () => {
  const t = '{{if eq .Comm "sh"}}A{{else if eq .Comm "bash"}}B{{else}}C{{end}}';
  assert.equal(out(t), 'B');
  assert.equal(out(t, data({ Comm: 'sh' })), 'A');
  assert.equal(out(t, data({ Comm: 'ksh' })), 'C');
  assert.equal(out('{{if .Cgroups}}y{{else}}n{{end}}', data({ Cgroups: [] })), 'n');
  assert.equal(out('{{if .Matches}}y{{else}}n{{end}}', data({ Matches: new Map() })), 'n');
  assert.equal(out('{{if 0}}y{{else}}n{{end}}{{if .StartTime}}t{{end}}{{if .PID}}p{{end}}'), 'ntp');
  assert.equal(out('{{with .Matches.Path}}p={{.}}{{else}}none{{end}}'), 'p=pg');
  assert.equal(out('{{with .Matches.nokey}}p={{.}}{{else}}none{{end}}'), 'none');
  assert.equal(out('{{with .Matches.nokey}}A{{else with .Comm}}B{{.}}{{end}}'), 'Bbash');
  assert.equal(out('{{with .Matches}}{{.Path}}/{{.other}}{{end}}'), 'pg/<no value>');
});

test('range over slices, maps and ints, with else, break and continue', () => {
  assert.equal(out('{{range $i, $v := .Cgroups}}{{$i}}={{$v}};{{end}}'), '0=/a;1=/b;');
  assert.equal(out('{{range .Cgroups}}[{{.}}]{{end}}'), '[/a][/b]');
  assert.equal(out('{{range $v := .Cgroups}}{{$v}}{{end}}'), '/a/b');
  assert.equal(out('{{range .Cgroups}}[{{.}}]{{else}}none{{end}}', data({ Cgroups: [] })), 'none');
  const m = data({ Matches: new Map([['b', '2'], ['a', '1']]) });
  assert.equal(out('{{range $k, $v := .Matches}}{{$k}}={{$v}} {{end}}', m), 'a=1 b=2 ');
  assert.equal(out('{{range .Matches}}{{.}}{{end}}', m), '12');
  assert.equal(out('{{range .Matches.nokey}}x{{else}}empty{{end}}'), 'empty');
  const five = data({ Cgroups: ['a', 'b', 'c', 'd', 'e'] });
  assert.equal(out('{{range $i, $v := .Cgroups}}{{if eq $i 1}}{{continue}}{{end}}{{if eq $i 3}}{{break}}{{end}}{{$v}}{{end}}', five), 'ac');
  assert.equal(out('{{range 3}}{{.}}{{end}}'), '012');
  assert.equal(out('{{range $x := 2}}<{{$x}}>{{end}}{{range 0}}x{{else}}none{{end}}'), '<0><1>none');
  assert.equal(out('{{$i := 9}}{{range $i, $v := .Cgroups}}{{end}}{{$i}}'), '9');
});

test('pipelines and parenthesised expressions', () => {
  assert.equal(out('{{.Comm | printf "%s-x"}}'), 'bash-x');
  assert.equal(out('{{.Cgroups | len}}'), '2');
  assert.equal(out('{{.Comm | printf "%s!" | printf "<%s>"}}'), '<bash!>');
  assert.equal(out('{{printf "%s-%d" (index .Cgroups 0) (len .Cgroups)}}'), '/a-2');
  assert.equal(out('{{(.StartTime).Year}}'), '2017');
  assert.equal(out('{{"x" | len}}'), '1');
  assert.equal(out('{{.PID | printf "%05d"}}'), '00023');
});

test('and, or, not', () => {
  assert.equal(out('{{and .Comm .Username}}'), 'root');
  assert.equal(out('{{and 1 0 2}}|{{and "" .Comm}}'), '0|');
  assert.equal(out('{{or "" .Comm}}|{{or 0 ""}}|{{or .Cgroups 5}}'), 'bash||[/a /b]');
  // short-circuit: the failing index is never evaluated
  assert.equal(out('{{or .Comm (index .Cgroups 9)}}|{{and "" (index .Cgroups 9)}}'), 'bash|');
  assert.equal(out('{{.Comm | and true}}|{{"" | or false}}'), 'bash|');
  assert.equal(out('{{not .Cgroups}} {{not ""}} {{not 0}} {{not .StartTime}} {{.Comm | not}}'), 'false true true false false');
});

test('comparisons', () => {
  assert.equal(out('{{eq .Comm "sh" "bash"}} {{eq .Comm "sh" "zsh"}} {{eq .PID 23}} {{ne .Comm "bash"}}'), 'true false true false');
  assert.equal(out('{{eq .StartTime.Month 10}} {{eq .StartTime.Unix 1508453571}} {{eq true true}} {{eq 1.5 1.5}}'), 'true true true true');
  assert.equal(out('{{lt 1 2}} {{lt "a" "b"}} {{le 2 2}} {{gt 3 2}} {{ge .PID 24}} {{gt .StartTime.Year 2016}}'), 'true true true true false true');
  assert.equal(out('{{eq .StartTime .StartTime}}'), 'true');
  assert.equal(out('{{lt "é" "z"}} {{lt "\\U0001F600" "\\uFFFF"}}'), 'false false');
});

test('index, slice, len, call', () => {
  assert.equal(out('{{index .Cgroups 1}} {{index .Cgroups 0}}'), '/b /a');
  assert.equal(out('{{index .Comm 1}}'), '97');
  assert.equal(out('{{slice .Comm 1 3}}|{{slice .Comm 2}}|{{slice .Comm}}|{{slice .Cgroups 1}}|{{slice .Cgroups 0 0}}'), 'as|sh|bash|[/b]|[]');
  assert.equal(out('{{len .Comm}} {{len "é"}} {{len .Matches}} {{len .Cgroups}}'), '4 2 2 2');
  assert.deepEqual(execError('{{call .Comm}}'),
    ['', 'template: cmdname:1:2: executing "cmdname" at <call .Comm>: error calling call: non-function .Comm of type string']);
});

test('print, println, html, js, urlquery', () => {
  assert.equal(out('{{print .Comm .PID}}|{{print .PID .PID}}|{{print .Cgroups}}|{{print nil}}'), 'bash23|23 23|[/a /b]|<nil>');
  assert.equal(out('{{println .Comm .PID}}'), 'bash 23\n');
  assert.equal(out('{{html "<a href=\\"x\\">&\'"}}'), '&lt;a href=&#34;x&#34;&gt;&amp;&#39;');
  assert.equal(out('{{html .PID "<"}}'), '23&lt;');
  assert.equal(out('{{js "a\'b\\"c<d>&=\\\\\\t"}}'), 'a\\\'b\\"c\\u003Cd\\u003E\\u0026\\u003D\\\\\\u0009');
  assert.equal(out('{{urlquery "a b&c/d?é~"}}'), 'a+b%26c%2Fd%3F%C3%A9~');
  assert.equal(out('{{.Comm | urlquery}}'), 'bash');
});

test('printf: strings and flags', () => {
  const p = (args: string, d = data()): string => out(`{{printf ${args}}}`, d);
  assert.equal(p('"%5s|%-5s|%05d|%.2f" .Comm .Comm .PID 3.14159'), ' bash|bash |00023|3.14');
  assert.equal(p('"%q %x %X % x %#x" .Comm .Comm .Comm .Comm .Comm'), '"bash" 62617368 62617368 62 61 73 68 0x62617368');
  assert.equal(p('"%.2s|%05s|%-6q|%T" .Comm "ab" "a" .Comm'), 'ba|000ab|"a"   |string');
  assert.equal(p('"%q %+q %#q" "é\\n" "é" "x"'), '"é\\n" "\\u00e9" `x`');
  assert.equal(p('"%v|%q|%5v|%x|%d" .Cgroups .Cgroups .Cgroups .Cgroups .Cgroups'),
    '[/a /b]|["/a" "/b"]|[   /a    /b]|[2f61 2f62]|[%!d(string=/a) %!d(string=/b)]');
  assert.equal(p('"%v %#v" .Matches .Cgroups'), 'map[:-D /data/pg Path:pg] []string{"/a", "/b"}');
  assert.equal(p('"%#v %#v" .Comm .PID'), '"bash" 23');
  assert.equal(p('"100%%"'), '100%');
});

test('printf: integers', () => {
  const p = (args: string): string => out(`{{printf ${args}}}`);
  assert.equal(p('"%d|%5d|%-5d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b|%#b" 23 23 23 23 23 255 255 255 8 8 8 5 5'),
    '23|   23|23   |+23| 23|ff|FF|0xff|10|010|0o10|101|0b101');
  assert.equal(p('"%c|%q|%U|%#U|%.3d|%08.3d|%-05d|%05d" 65 65 65 65 7 7 7 -7'), "A|'A'|U+0041|U+0041 'A'|007|     007|7    |-0007");
  assert.equal(p('"%d %v %s" .StartTime.Unix .StartTime.Unix .StartTime.Unix'), '1508453571 1508453571 %!s(int64=1508453571)');
  assert.equal(p('"%d %v %s %q %t" .StartTime.Month .StartTime.Month .StartTime.Month .StartTime.Month .StartTime.Month'),
    '10 October October "October" %!t(time.Month=10)');
  assert.equal(p('"%.0d|%5.0d|" 0 0'), '|     |');
});

test('printf: floats', () => {
  const p = (args: string): string => out(`{{printf ${args}}}`);
  assert.equal(p('"%f|%.2f|%8.3f|%-8.3f|%+.1f|%08.3f" 3.14159 3.14159 3.14159 3.14159 3.14159 -3.14159'),
    '3.141590|3.14|   3.142|3.142   |+3.1|-003.142');
  assert.equal(p('"%e|%E|%.2e|%g|%.3g|%G|%v" 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1e-7 1e21'),
    '1.234568e+03|1.234568E+03|1.23e+03|1234.5678|1.23e+03|1E-07|1e+21');
  // exact halfway cases round to even, as Go's strconv does
  assert.equal(p('"%.0f %.0f %.0f %.2f %.1f %.1f" 0.5 1.5 2.5 0.125 0.05 0.25'), '0 2 2 0.12 0.1 0.2');
  assert.equal(p('"%.3g|%.3g|%g|%e" 1.0 100000.0 0.0 0.0'), '1|1e+05|0|0.000000e+00');
  assert.equal(p('"%d|%s" 1.5 2.5'), '%!d(float64=1.5)|%!s(float64=2.5)');
});

test('printf: bad verbs, missing and extra arguments, indexes', () => {
  const p = (args: string): string => out(`{{printf ${args}}}`);
  assert.equal(p('"%d" .Comm'), '%!d(string=bash)');
  assert.equal(p('"%5d" .Comm'), '%!d(string= bash)');
  assert.equal(p('"%s %s" .Comm'), 'bash %!s(MISSING)');
  assert.equal(p('"%s"'), '%!s(MISSING)');
  assert.equal(p('"x" .Comm'), 'x%!(EXTRA string=bash)');
  assert.equal(p('"x" 1 "y" .Cgroups'), 'x%!(EXTRA int=1, string=y, []string=[/a /b])');
  assert.equal(p('"%d %v" nil nil'), '%!d(<nil>) <nil>');
  assert.equal(p('"%t %t" true .Comm'), 'true %!t(string=bash)');
  assert.equal(p('"%z" .Comm'), '%!z(string=bash)');
  assert.equal(p('"%w" .Comm'), '%!w(string=bash)');
  assert.equal(p('"abc%"'), 'abc%!(NOVERB)');
  assert.equal(p('"%[2]s %[1]s" "a" "b"'), 'b a');
  assert.equal(p('"%[3]s" "a"'), '%!s(BADINDEX)');
  assert.equal(p('"%*d|%-*d|%.*f" 5 42 4 7 2 3.14159'), '   42|7   |3.14');
  assert.equal(p('"%*d" "x" 5'), '%!(BADWIDTH)5');
});

test('execution errors keep the text written so far', () => {
  assert.deepEqual(execError('A{{index .Cgroups 5}}B'),
    ['A', 'template: cmdname:1:3: executing "cmdname" at <index .Cgroups 5>: error calling index: index out of range: 5']);
  // Go lets index == len through to reflect, which panics with its own text
  assert.deepEqual(execError('{{index .Cgroups 2}}'),
    ['', 'template: cmdname:1:2: executing "cmdname" at <index .Cgroups 2>: error calling index: reflect: slice index out of range']);
  assert.deepEqual(execError('x\n  {{index .Cgroups 7}}'),
    ['x\n  ', 'template: cmdname:2:4: executing "cmdname" at <index .Cgroups 7>: error calling index: index out of range: 7']);
  assert.deepEqual(execError('{{range .Cgroups}}<{{.}}>{{index $.Cgroups 4}}{{end}}'),
    ['</a>', 'template: cmdname:1:27: executing "cmdname" at <index $.Cgroups 4>: error calling index: index out of range: 4']);
  assert.deepEqual(execError('{{eq .PID "23"}}'),
    ['', 'template: cmdname:1:2: executing "cmdname" at <eq .PID "23">: error calling eq: incompatible types for comparison: int and string']);
  assert.equal(execError('{{lt 1.5 2}}')[1], 'template: cmdname:1:2: executing "cmdname" at <lt 1.5 2>: error calling lt: incompatible types for comparison: float64 and int');
  assert.equal(execError('{{lt true false}}')[1], 'template: cmdname:1:2: executing "cmdname" at <lt true false>: error calling lt: invalid type for comparison');
  assert.equal(execError('{{eq .Comm}}')[1], 'template: cmdname:1:2: executing "cmdname" at <eq .Comm>: error calling eq: missing argument for comparison');
  assert.equal(execError('{{eq .Cgroups .Cgroups}}')[1], 'template: cmdname:1:2: executing "cmdname" at <eq .Cgroups .Cgroups>: error calling eq: non-comparable type [/a /b]: []string');
  assert.equal(execError('{{len 3}}')[1], 'template: cmdname:1:2: executing "cmdname" at <len 3>: error calling len: len of type int');
  assert.equal(execError('{{len .Matches.nokey}}')[1], 'template: cmdname:1:2: executing "cmdname" at <len .Matches.nokey>: error calling len: reflect: call of reflect.Value.Type on zero Value');
  assert.equal(execError('{{index .PID 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <index .PID 1>: error calling index: can\'t index item of type int');
  assert.equal(execError('{{index .Matches 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <index .Matches 1>: error calling index: value has type int; should be string');
  assert.equal(execError('{{index .Comm 4}}')[1], 'template: cmdname:1:2: executing "cmdname" at <index .Comm 4>: error calling index: reflect: string index out of range');
  assert.equal(execError('{{index nil 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <index nil 1>: error calling index: index of untyped nil');
  assert.equal(execError('{{slice .Comm 3 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <slice .Comm 3 1>: error calling slice: invalid slice index: 3 > 1');
  assert.equal(execError('{{slice .PID}}')[1], 'template: cmdname:1:2: executing "cmdname" at <slice .PID>: error calling slice: can\'t slice item of type int');
  assert.equal(execError('{{printf "%s" (index .Cgroups 5)}}')[1], 'template: cmdname:1:15: executing "cmdname" at <index .Cgroups 5>: error calling index: index out of range: 5');
});

test('execution errors that are not function errors', () => {
  assert.equal(execError('{{nil}}')[1], 'template: cmdname:1:2: executing "cmdname" at <nil>: nil is not a command');
  assert.equal(execError('{{and}}')[1], 'template: cmdname:1:2: executing "cmdname" at <and>: wrong number of args for and: want at least 1 got 0');
  assert.equal(execError('{{not}}')[1], 'template: cmdname:1:2: executing "cmdname" at <not>: wrong number of args for not: want 1 got 0');
  assert.equal(execError('{{ne 1 2 3}}')[1], 'template: cmdname:1:2: executing "cmdname" at <ne>: wrong number of args for ne: want 2 got 3');
  assert.equal(execError('{{.Comm 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <.Comm>: Comm has arguments but cannot be invoked as function');
  assert.equal(execError('{{.Matches.Path 1}}')[1], 'template: cmdname:1:10: executing "cmdname" at <.Matches.Path>: Path is not a method but has arguments');
  assert.equal(execError('{{.StartTime.Format}}')[1], 'template: cmdname:1:12: executing "cmdname" at <.StartTime.Format>: wrong number of args for Format: want 1 got 0');
  assert.equal(execError('{{.StartTime.Format 5}}')[1], 'template: cmdname:1:20: executing "cmdname" at <5>: expected string; found 5');
  assert.equal(execError('{{.StartTime.Format nil}}')[1], 'template: cmdname:1:20: executing "cmdname" at <nil>: cannot assign nil to string');
  assert.equal(execError('{{printf .PID}}')[1], 'template: cmdname:1:9: executing "cmdname" at <.PID>: wrong type for value; expected string; got int');
  assert.equal(execError('{{printf .Matches.nokey}}')[1], 'template: cmdname:1:17: executing "cmdname" at <.Matches.nokey>: invalid value; expected string');
  assert.equal(execError('{{.Matches.Path.x}}')[1], 'template: cmdname:1:10: executing "cmdname" at <.Matches.Path.x>: can\'t evaluate field x in type string');
  assert.equal(execError('{{range .Comm}}x{{end}}')[1], 'template: cmdname:1:8: executing "cmdname" at <.Comm>: range can\'t iterate over bash');
  assert.equal(execError('{{range $i, $e := 3}}{{end}}')[1], 'template: cmdname:1:18: executing "cmdname" at <3>: can\'t use 3 to iterate over more than one variable');
  assert.equal(execError('{{"x" 1}}')[1], 'template: cmdname:1:2: executing "cmdname" at <"x">: can\'t give argument to non-function "x"');
});

test('unknown fields are rejected when the template is loaded', () => {
  assert.equal(parseError('{{.Foo}}'), 'template: cmdname:1:2: executing "cmdname" at <.Foo>: can\'t evaluate field Foo in type *config.templateParams');
  assert.equal(parseError('x{{if false}}{{.Foo}}{{end}}'), 'template: cmdname:1:15: executing "cmdname" at <.Foo>: can\'t evaluate field Foo in type *config.templateParams');
  assert.equal(parseError('{{$.Foo}}'), 'template: cmdname:1:3: executing "cmdname" at <$.Foo>: can\'t evaluate field Foo in type *config.templateParams');
  assert.equal(parseError('{{.Comm.Foo}}'), 'template: cmdname:1:7: executing "cmdname" at <.Comm.Foo>: can\'t evaluate field Foo in type string');
  assert.equal(parseError('{{.StartTime.Foo}}'), 'template: cmdname:1:12: executing "cmdname" at <.StartTime.Foo>: can\'t evaluate field Foo in type time.Time');
  assert.equal(parseError('{{.StartTime.Month.Foo}}'), 'template: cmdname:1:12: executing "cmdname" at <.StartTime.Month.Foo>: can\'t evaluate field Foo in type time.Month');
  assert.equal(parseError('{{range .Cgroups}}{{.Foo}}{{end}}'), 'template: cmdname:1:20: executing "cmdname" at <.Foo>: can\'t evaluate field Foo in type string');
  assert.equal(parseError('{{$t := .StartTime}}{{$t.Bar}}'), 'template: cmdname:1:24: executing "cmdname" at <$t.Bar>: can\'t evaluate field Bar in type time.Time');
  assert.equal(parseError('{{printf "%s" (len .Cgroups).X .Nope}}'), 'template: cmdname:1:31: executing "cmdname" at <.Nope>: can\'t evaluate field Nope in type *config.templateParams');
  assert.equal(parseError('é{{.Comm.Foo}}'), 'template: cmdname:1:9: executing "cmdname" at <.Comm.Foo>: can\'t evaluate field Foo in type string');
  assert.equal(parseError('{{.PID.X}}'), 'template: cmdname:1:6: executing "cmdname" at <.PID.X>: can\'t evaluate field X in type int');
  // map keys and values of unknown type are fine at load time
  assert.equal(out('{{with .Matches}}{{.anything}}{{end}}'), '<no value>');
  assert.equal(out('{{$x := .Comm}}{{$x = .StartTime}}{{$x.Year}}'), '2017');
});

test('unknown functions and syntax errors', () => {
  assert.equal(parseError('{{upper .Comm}}'), 'template: cmdname:1: function "upper" not defined');
  assert.equal(parseError('{{.Comm | upper}}'), 'template: cmdname:1: function "upper" not defined');
  assert.equal(parseError('{{.Comm'), 'template: cmdname:1: unclosed action');
  assert.equal(parseError('a\n{{.Comm\n'), 'template: cmdname:3: unclosed action started at cmdname:2');
  assert.equal(parseError('{{.Comm}'), "template: cmdname:1: bad character U+007D '}'");
  assert.equal(parseError('{{end}}'), 'template: cmdname:1: unexpected {{end}}');
  assert.equal(parseError('{{else}}'), 'template: cmdname:1: unexpected {{else}}');
  assert.equal(parseError('{{if .Comm}}x'), 'template: cmdname:1: unexpected EOF');
  assert.equal(parseError('{{if}}{{end}}'), 'template: cmdname:1: missing value for if');
  assert.equal(parseError('{{}}'), 'template: cmdname:1: missing value for command');
  assert.equal(parseError('{{range .Cgroups}}{{else}}{{else}}{{end}}'), 'template: cmdname:1: expected end; found {{else}}');
  assert.equal(parseError('{{break}}'), 'template: cmdname:1: {{break}} outside {{range}}');
  assert.equal(parseError('{{if true}}{{continue}}{{end}}'), 'template: cmdname:1: {{continue}} outside {{range}}');
  assert.equal(parseError('{{/* x }}'), 'template: cmdname:1: unclosed comment');
  assert.equal(parseError('{{/* x */ }}'), 'template: cmdname:1: comment ends before closing delimiter');
  assert.equal(parseError('{{"abc}}'), 'template: cmdname:1: unterminated quoted string');
  assert.equal(parseError('{{`abc}}'), 'template: cmdname:1: unterminated raw quoted string');
  assert.equal(parseError('{{"\\q"}}'), 'template: cmdname:1: invalid syntax');
  assert.equal(parseError('{{.Comm | "x"}}'), 'template: cmdname:1: non executable command in pipeline stage 2');
  assert.equal(parseError('{{)}}'), 'template: cmdname:1: unexpected right paren');
  assert.equal(parseError('{{(.Comm}}'), 'template: cmdname:1: unclosed left paren');
  assert.equal(parseError('{{$x := 1}}{{$y}}'), 'template: cmdname:1: undefined variable "$y"');
  assert.equal(parseError('{{if true}}{{$x := 1}}{{end}}{{$x}}'), 'template: cmdname:1: undefined variable "$x"');
  assert.equal(parseError('{{range $a, $b, $c := .Cgroups}}{{end}}'), 'template: cmdname:1: too many declarations in range');
  assert.equal(parseError('{{3x}}'), 'template: cmdname:1: bad number syntax: "3x"');
  assert.equal(parseError('{{1e400}}'), 'template: cmdname:1: illegal number syntax: "1e400"');
  assert.equal(parseError('{{99999999999999999999}}'), 'template: cmdname:1: integer overflow: "99999999999999999999"');
  assert.equal(parseError('{{08}}'), 'template: cmdname:1: integer overflow: "08"');
  assert.equal(parseError('{{"x".Y}}'), 'template: cmdname:1: unexpected . after term "\\"x\\""');
  assert.equal(parseError('{{.Comm ~}}'), 'template: cmdname:1: unexpected "~" in operand');
  assert.equal(parseError('{{if .Comm}}{{range}}'), 'template: cmdname:1: missing value for range');
  assert.equal(parseError('{{if 1}}{{else "abcdefghijklmnop"}}'), 'template: cmdname:1: unexpected "\\"abcdefghi"... in else');
});

test('features we do not implement are rejected at load time', () => {
  assert.equal(parseError('{{define "x"}}y{{end}}'), 'template: cmdname:1: {{define}} is not supported in namedprocess-exporter name templates');
  assert.equal(parseError('{{template "x"}}'), 'template: cmdname:1: {{template}} is not supported in namedprocess-exporter name templates');
  assert.equal(parseError('{{block "x" .}}{{end}}'), 'template: cmdname:1: {{block}} is not supported in namedprocess-exporter name templates');
  assert.equal(parseError('{{.StartTime.Add 5}}'), 'template: cmdname:1:12: executing "cmdname" at <.StartTime.Add>: method Add of time.Time is not supported in namedprocess-exporter name templates');
  assert.equal(parseError('{{.}}'), 'template: cmdname:1:2: executing "cmdname" at <{{.}}>: printing the template data struct is not supported');
  assert.equal(parseError('{{1+2i}}'), 'template: cmdname:1: complex constant 1+2i is not supported in namedprocess-exporter name templates');
  assert.equal(parseError('{{9007199254740993}}'), 'template: cmdname:1: integer constant 9007199254740993 is too large for namedprocess-exporter name templates');
});

test('a parsed template is reusable across executions', () => {
  const t = parseTemplate('{{.Comm}}:{{index .Cgroups 0}}');
  assert.deepEqual(t.execute(data()), { text: 'bash:/a' });
  assert.deepEqual(t.execute(data({ Comm: 'sh', Cgroups: [] })), {
    text: 'sh:',
    error: 'template: cmdname:1:12: executing "cmdname" at <index .Cgroups 0>: error calling index: reflect: slice index out of range',
  });
  assert.deepEqual(t.execute(data({ Comm: 'zsh' })), { text: 'zsh:/a' });
});
