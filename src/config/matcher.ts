// Deciding a new process's group: config rules (docs/behaviour.md#matching), -procnames/-namemapping (docs/behaviour.md#procnames-and-namemapping), or the
// default of grouping every process by comm (docs/behaviour.md#differences-from-the-reference). A namer runs once per new process.
import { GoRegex, RegexSyntaxError } from './regex';
import type * as TemplateEngine from './template';
import { plainTemplate, type PlainTemplate } from './template/plain';
import { ConfigError, type RuleSource } from './load';
import { goQuote } from '../go/quote';
import { errorMessage } from '../base/errors';
import { NO_CGROUP_IDENTITY, type CgroupIdentity } from '../proc/parse/cgroup-identity';

/** What a namer may look at: the static facts of one process. */
export interface ProcAttributes {
  comm: string;
  cmdline: string[];
  cgroups: string[];
  /** systemd unit, container and pod from the cgroup path (docs/behaviour.md#cgroup-identity); absent: none */
  cgroup?: CgroupIdentity;
  username: string;
  pid: number;
  startTimeMs: number;
}

export interface Namer {
  /** the group name, or undefined when no rule matches */
  matchAndName(p: ProcAttributes): string | undefined;
  /** for the start-up log line */
  readonly description: string;
  /** the rule that names p (for the debug log: run only for the few processes it explains) */
  explain?(p: ProcAttributes): RuleRef | undefined;
  /** the group names known before any process is seen: rules whose name has no template action */
  fixedNames?(): string[];
}

/** A rule as the debug log shows it: its position and its name (template, procname or mapping). */
export interface RuleRef {
  index: number;
  name: string;
}

/** Go filepath.Base: trailing slashes stripped, "" is ".", all slashes is "/". */
function goBase(path: string): string {
  if (path === '') return '.';
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  if (end === 0) return '/';
  const trimmed = path.slice(0, end);
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

// Identical cmdlines (a pool of 2,000 workers) are matched once: results are kept per joined cmdline.
// The memo holds at most MEMO_LIMIT cmdlines and MEMO_CHARS characters of them, so processes with long,
// distinct cmdlines cannot make it grow without bound.
const MEMO_LIMIT = 10_000;
const MEMO_CHARS = 4 * 1024 * 1024;

// A name template made only of these fields never reads .Matches: its rule needs no capture groups,
// and a match without them is a DFA scan (about a millisecond per MiB) instead of tracking groups
// through the whole cmdline (up to a second per MiB; bench/match-cost.ts).
const WITHOUT_MATCHES = /^(?:[^{]|\{(?!\{))*(?:\{\{-?\s*\.(?:Comm|ExeBase|ExeFull|Username|PID|SystemdUnit|ContainerID|PodUID)\s*-?\}\}(?:[^{]|\{(?!\{))*)*$/;

class CmdlineSelector {
  private readonly memo = new Map<string, Map<string, string> | null>();
  private memoChars = 0;
  constructor(
    private readonly regexes: GoRegex[],
    private readonly needCaptures: boolean,
  ) {}

  /** The captures of every regex (Go's Matches map), or null when any regex fails to match. */
  match(joined: string): Map<string, string> | null {
    const memoize = joined.length <= MEMO_CHARS / 16;
    const hit = memoize ? this.memo.get(joined) : undefined;
    if (hit !== undefined) return hit;
    let captures: Map<string, string> | null = new Map();
    for (const re of this.regexes) {
      if (!this.needCaptures) {
        if (!re.test(joined)) {
          captures = null;
          break;
        }
        continue;
      }
      const sub = re.findSubmatch(joined);
      if (sub === null) {
        captures = null;
        break;
      }
      // later names overwrite earlier ones, so "" ends up holding the last unnamed group (docs/behaviour.md#matching)
      re.subexpNames.forEach((name, i) => captures!.set(name, sub[i] ?? ''));
    }
    if (!memoize) return captures;
    if (this.memo.size >= MEMO_LIMIT || this.memoChars + joined.length > MEMO_CHARS) {
      this.memo.clear();
      this.memoChars = 0;
    }
    this.memo.set(joined, captures);
    this.memoChars += joined.length;
    return captures;
  }
}

interface ExeEntry {
  base: string;
  /** set when the config entry has a '/': argv[0] must equal it too */
  full?: string;
}

class ConfigRule {
  readonly index: number;
  readonly nameSource: string;
  private readonly comms?: Set<string>;
  private readonly exes?: ExeEntry[];
  private readonly cmdline?: CmdlineSelector;
  /** a name of text and plain fields, rendered without the template engine */
  private readonly plain?: PlainTemplate;
  /** any other name: the template engine, loaded for the first such rule */
  private readonly engine?: typeof TemplateEngine;
  private readonly template?: TemplateEngine.NameTemplate;
  private templateErrorLogged = false;

  constructor(src: RuleSource, file: string, private readonly onTemplateError: (msg: string) => void) {
    this.index = src.index;
    this.nameSource = src.name === '' ? '{{.ExeBase}}' : src.name;
    const where = (p: { line: number; col: number }) => `${file}:${p.line}:${p.col}: process_names[${src.index}]${src.name ? ` (name ${JSON.stringify(src.name)})` : ''}: `;
    if (src.comm !== undefined) this.comms = new Set(src.comm);
    // every exe entry is kept, even with the same basename (docs/behaviour.md differences #10)
    if (src.exe !== undefined) this.exes = src.exe.map((e) => (e.includes('/') ? { base: goBase(e), full: e } : { base: e }));
    if (src.cmdline !== undefined) {
      const regexes = src.cmdline.map((re, i) => {
        try {
          return new GoRegex(re);
        } catch (e) {
          if (e instanceof RegexSyntaxError) throw new ConfigError(`${where(src.cmdlinePos[i] ?? src)}bad cmdline regex ${goQuote(re)}: ${e.message}`);
          throw e;
        }
      });
      this.cmdline = new CmdlineSelector(regexes, !WITHOUT_MATCHES.test(this.nameSource));
    }
    if (this.comms === undefined && this.exes === undefined && this.cmdline === undefined) {
      throw new ConfigError(`${where(src)}no matchers provided`);
    }
    this.plain = plainTemplate(this.nameSource);
    if (this.plain !== undefined) return;
    const engine = (this.engine = require('./template') as typeof TemplateEngine);
    try {
      this.template = engine.parseTemplate(this.nameSource);
    } catch (e) {
      if (e instanceof engine.TemplateError) throw new ConfigError(`${where(src.namePos)}bad name template ${goQuote(this.nameSource)}: ${e.message}`);
      throw e;
    }
  }

  /** `joined`: the cmdline joined with spaces, computed once per process for all rules */
  matchAndName(p: ProcAttributes, joined?: string): string | undefined {
    if (this.comms !== undefined && !this.comms.has(p.comm)) return undefined;
    const argv0 = p.cmdline.length > 0 ? p.cmdline[0] : undefined;
    if (this.exes !== undefined) {
      if (argv0 === undefined) return undefined;
      const base = goBase(argv0);
      if (!this.exes.some((e) => e.base === base && (e.full === undefined || e.full === argv0))) return undefined;
    }
    let matches: Map<string, string> = new Map();
    if (this.cmdline !== undefined) {
      const m = this.cmdline.match(joined ?? p.cmdline.join(' '));
      if (m === null) return undefined;
      matches = m;
    }
    // with an empty cmdline both fall back to comm, without basename (docs/behaviour.md#differences-from-the-reference)
    const exeBase = argv0 === undefined ? p.comm : goBase(argv0);
    const exeFull = argv0 === undefined ? p.comm : argv0;
    const id = p.cgroup ?? NO_CGROUP_IDENTITY;
    if (this.plain !== undefined) {
      return this.plain.render({ Comm: p.comm, ExeBase: exeBase, ExeFull: exeFull, Username: p.username, SystemdUnit: id.systemdUnit, ContainerID: id.containerId, PodUID: id.podUid });
    }
    const result = this.template!.execute({
      Comm: p.comm,
      ExeBase: exeBase,
      ExeFull: exeFull,
      Username: p.username,
      PID: p.pid,
      StartTime: new this.engine!.GoTime(p.startTimeMs),
      Cgroups: p.cgroups,
      SystemdUnit: id.systemdUnit,
      ContainerID: id.containerId,
      PodUID: id.podUid,
      Matches: matches,
    });
    if (result.error !== undefined && !this.templateErrorLogged) {
      // the reference swallows these; we keep its partial name but say so once per rule (docs/behaviour.md differences #11)
      this.templateErrorLogged = true;
      this.onTemplateError(`name template of process_names[${this.index}] failed for pid ${p.pid}, using the partial name ${JSON.stringify(result.text)}: ${result.error}`);
    }
    return result.text;
  }
}

/** Config rules: the first rule that matches names the process. */
class ConfigNamer implements Namer {
  readonly description: string;
  constructor(readonly rules: ConfigRule[], file: string) {
    this.description = `based on ${goQuote(file)}`;
  }
  matchAndName(p: ProcAttributes): string | undefined {
    // one join (and one string hash for the memo) per process, not per rule
    const joined = p.cmdline.join(' ');
    for (const rule of this.rules) {
      const name = rule.matchAndName(p, joined);
      if (name !== undefined) return name;
    }
    return undefined;
  }
  explain(p: ProcAttributes): RuleRef | undefined {
    for (const rule of this.rules) if (rule.matchAndName(p) !== undefined) return { index: rule.index, name: rule.nameSource };
    return undefined;
  }
  fixedNames(): string[] {
    // text/template actions all start with "{{": a name without one is the group name itself
    return this.rules.filter((r) => !r.nameSource.includes('{{')).map((r) => r.nameSource);
  }
}

export function buildConfigNamer(rules: RuleSource[], file: string, onTemplateError: (msg: string) => void): ConfigNamer {
  return new ConfigNamer(rules.map((r) => new ConfigRule(r, file, onTemplateError)), file);
}

/** The packaged all.yaml: `name: "{{.Comm}}"`, `cmdline: ['.+']` (kernel threads have no cmdline). */
export function buildDefaultNamer(): Namer {
  const rule = new ConfigRule(
    { index: 0, name: '{{.Comm}}', cmdline: ['.+'], line: 1, col: 1, cmdlinePos: [], namePos: { line: 1, col: 1 } },
    'built-in default',
    () => {},
  );
  return {
    description: 'grouping every process by {{.Comm}} (no -config.path or -procnames given)',
    matchAndName: (p) => rule.matchAndName(p),
    explain: (p) => (rule.matchAndName(p) !== undefined ? { index: 0, name: '{{.Comm}}' } : undefined),
    fixedNames: () => [],
  };
}

export class NameMappingError extends Error {}

interface CommMapping {
  regex?: GoRegex;
}

/** -procnames and -namemapping (docs/behaviour.md#procnames-and-namemapping). */
export class ProcnamesNamer implements Namer {
  readonly description: string;
  private readonly byComm = new Map<string, CommMapping>();

  constructor(procnames: string[], namemapping: string) {
    if (namemapping !== '') {
      const tokens = namemapping.split(',');
      if (tokens.length % 2 !== 0) throw this.mappingError(namemapping, 'bad namemapper: odd number of tokens');
      tokens.forEach((t, i) => {
        if (t === '') throw this.mappingError(namemapping, `bad namemapper: token ${i} is empty`);
      });
      for (let i = 0; i < tokens.length; i += 2) {
        let regex: GoRegex;
        try {
          regex = new GoRegex(tokens[i + 1]);
        } catch (e) {
          throw this.mappingError(namemapping, `error compiling regexp '${tokens[i + 1]}': ${errorMessage(e)}`);
        }
        this.byComm.set(tokens[i], { regex });
      }
    }
    for (const name of procnames) if (name !== '' && !this.byComm.has(name)) this.byComm.set(name, {});
    this.description = `for procnames: [${procnames.filter((n) => n !== '').join(' ')}]`;
  }

  explain(p: ProcAttributes): RuleRef | undefined {
    if (this.matchAndName(p) === undefined) return undefined;
    const index = [...this.byComm.keys()].indexOf(p.comm);
    const m = this.byComm.get(p.comm)!;
    return { index, name: m.regex === undefined ? p.comm : `${p.comm},${m.regex.source}` };
  }

  /** -procnames entries without a -namemapping regex name their group as is */
  fixedNames(): string[] {
    return [...this.byComm].filter(([, m]) => m.regex === undefined).map(([comm]) => comm);
  }

  private mappingError(arg: string, msg: string): NameMappingError {
    return new NameMappingError(`Error parsing -namemapping argument '${arg}': ${msg}`);
  }

  matchAndName(p: ProcAttributes): string | undefined {
    const m = this.byComm.get(p.comm);
    if (m === undefined) return undefined;
    if (m.regex === undefined) return p.comm;
    const sub = m.regex.findSubmatch(p.cmdline.join(' '));
    if (sub === null) return undefined;
    for (let i = 1; i < sub.length; i++) if (sub[i] !== '') return `${p.comm}:${sub[i]}`;
    // no group or only empty captures: not matched, and not tracked under the plain comm either
    return undefined;
  }
}
