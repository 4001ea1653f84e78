// Names made only of text and {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}} are rendered without
// the template engine: the engine is the reference for every such template, and anything else must
// still reach the engine (same names, same config errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GoTime, TemplateError, parseTemplate } from '../src/config/template';
import { plainTemplate } from '../src/config/template/plain';
import { buildConfigNamer, type ProcAttributes } from '../src/config/matcher';
import { ConfigError, type RuleSource } from '../src/config/load';
import { identityOfPath } from '../src/proc/parse/cgroup-identity';

const PROCS: ProcAttributes[] = [
  { comm: 'bash', cmdline: ['/bin/bash', '-c', 'x'], cgroups: ['/a'], username: 'root', pid: 23, startTimeMs: 1508453571190 },
  {
    comm: 'nginx', cmdline: ['nginx'], cgroups: ['/kubepods.slice/kubepods-pod1a2b_3c.slice/crio-' + 'ab'.repeat(32) + '.scope'], username: 'root', pid: 9, startTimeMs: 5,
    cgroup: identityOfPath('/kubepods.slice/kubepods-pod1a2b_3c.slice/crio-' + 'ab'.repeat(32) + '.scope'),
  },
  { comm: 'kworker/0:1', cmdline: [], cgroups: [], username: '', pid: 2, startTimeMs: 0 },
  { comm: 'a{{b}}', cmdline: ['rel/pa th/', 'x'], cgroups: [], username: 'ü s€r', pid: 7, startTimeMs: 1 },
];

function engineName(src: string, p: ProcAttributes): { text: string; error?: string } {
  const argv0 = p.cmdline[0];
  const base = argv0 === undefined ? p.comm : argv0.replace(/\/+$/, '').split('/').pop() || '/';
  return parseTemplate(src).execute({
    Comm: p.comm,
    ExeBase: base,
    ExeFull: argv0 ?? p.comm,
    Username: p.username,
    PID: p.pid,
    StartTime: new GoTime(p.startTimeMs),
    Cgroups: p.cgroups,
    SystemdUnit: p.cgroup?.systemdUnit ?? '',
    ContainerID: p.cgroup?.containerId ?? '',
    PodUID: p.cgroup?.podUid ?? '',
    Matches: new Map([['', '']]),
  });
}

function fields(p: ProcAttributes) {
  return {
    Comm: p.comm, ExeBase: '', ExeFull: '', Username: p.username,
    SystemdUnit: p.cgroup?.systemdUnit ?? '', ContainerID: p.cgroup?.containerId ?? '', PodUID: p.cgroup?.podUid ?? '',
  };
}

function rule(name: string): RuleSource {
  return { index: 0, name, cmdline: ['.*'], line: 1, col: 1, cmdlinePos: [], namePos: { line: 2, col: 9 } };
}

/** the matcher's name for p, or the config error it fails with */
function matcherResult(src: string, p: ProcAttributes): { name?: string; error?: string } {
  try {
    return { name: buildConfigNamer([rule(src)], 'all.yaml', () => {}).matchAndName(p) };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e.message };
    throw e;
  }
}

function engineResult(src: string, p: ProcAttributes): { name?: string; error?: string } {
  let text: string;
  try {
    text = engineName(src, p).text;
  } catch (e) {
    if (e instanceof TemplateError) return { error: e.message };
    throw e;
  }
  return { name: text };
}

const PIECES = [
  '{{.Comm}}', '{{.ExeBase}}', '{{.ExeFull}}', '{{.Username}}', '{{.PID}}', '{{ .Comm }}', '{{- .Comm}}', '{{.Comm -}}',
  '{{.Comm | printf "%q"}}', '{{.Comm', '{{.comm}}', '{{.Commx}}', '{{.Matches.x}}', '{{/* c */}}', '{{.}}', '{{', '}}',
  '{', '}', '{{{.Comm}}', '{{.Comm}}}', '{{.SystemdUnit}}', '{{.ContainerID}}', '{{.PodUID}}', '{{.PodUid}}', 'text', ' ', '-', ':', '$', '.', '\n', 'é😀', '{{.StartTime}}', '{{printf "%s" .Comm}}',
];
const template = fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((a) => a.join(''));

test('plain templates render exactly as the engine, and other templates keep the engine\'s names and errors (property)', () => {
  fc.assert(
    fc.property(template, (src) => {
      const plain = plainTemplate(src);
      for (const p of PROCS) {
        const want = engineResult(src, p);
        if (plain !== undefined) {
          assert.equal(want.error, undefined, `engine rejects plain ${JSON.stringify(src)}`);
          assert.deepEqual(engineName(src, p), { text: plain.render({ ...fields(p), ExeBase: engineName('{{.ExeBase}}', p).text, ExeFull: engineName('{{.ExeFull}}', p).text }) });
        }
        const got = matcherResult(src, p);
        if (want.error !== undefined) {
          assert.equal(got.error, `all.yaml:2:9: process_names[0] (name ${JSON.stringify(src)}): bad name template ${JSON.stringify(src)}: ${want.error}`);
        } else if (src !== '') {
          assert.deepEqual(got, { name: want.name });
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('which templates are plain', () => {
  for (const src of ['', 'x', '{{.Comm}}', 'a{{.ExeBase}}b{{.ExeFull}}{{.Username}}c', '{', '}}', 'a{b}c', '{{.Comm}}}', '{{.SystemdUnit}}/{{.ContainerID}}/{{.PodUID}}']) {
    assert.notEqual(plainTemplate(src), undefined, src);
  }
  for (const src of ['{{', '{{.PID}}', '{{ .Comm}}', '{{.Comm }}', '{{- .Comm}}', '{{.Comm -}}', '{{{.Comm}}', '{{.Matches.x}}', '{{/* */}}', 'a{{.Comm|len}}']) {
    assert.equal(plainTemplate(src), undefined, src);
  }
  const f = { Comm: 'c', ExeBase: 'b', ExeFull: 'f', Username: 'u', SystemdUnit: 's', ContainerID: 'i', PodUID: 'p' };
  assert.equal(plainTemplate('{{.Comm}}-{{.Username}}')!.render(f), 'c-u');
  assert.equal(plainTemplate('{{.PodUID}}:{{.ContainerID}}@{{.SystemdUnit}}')!.render(f), 'p:i@s');
});
