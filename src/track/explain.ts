// The debug log's answer to "why is my process (not) in that group?": one line per process seen for the
// first time, saying which rule named it, that none did, or which parent's group adopted it.
//
// Bounded: at most `perCycle` lines per update cycle, then one summary line with the number left out,
// so the first cycle on a host with 30,000 processes writes 101 lines, not 30,000. Under -recheck an
// unmatched process is looked at again every cycle; its miss is logged once per (pid, start time).
import type { Logger } from '../base/log';
import type { Namer } from '../config/matcher';
import type { NewProcessEvent } from './tracker';

const EXPLAIN_LINES_PER_CYCLE = 100;
// the longest cmdline written in a line; longer ones end with "..."
const CMDLINE_CHARS = 200;
// misses remembered for -recheck; past this the memory starts over (a miss may then be logged again)
const MISSES_REMEMBERED = 100_000;

export class MatchExplainer {
  private written = 0;
  private skipped = 0;
  private readonly missesLogged = new Map<number, number>();

  constructor(
    private readonly log: Logger,
    private readonly namer: () => Namer,
    private readonly perCycle: number = EXPLAIN_LINES_PER_CYCLE,
  ) {}

  /** The tracker's hook: called as each new process is classified. */
  readonly onNewProcess = (e: NewProcessEvent): void => {
    if (e.group === undefined) {
      if (this.missesLogged.get(e.pid) === e.startTicks) return;
      if (this.missesLogged.size >= MISSES_REMEMBERED) this.missesLogged.clear();
      this.missesLogged.set(e.pid, e.startTicks);
    } else {
      this.missesLogged.delete(e.pid);
    }
    if (this.written >= this.perCycle) {
      this.skipped++;
      return;
    }
    this.written++;
    const base = { pid: e.pid, comm: e.attrs.comm };
    if (e.group === undefined) {
      this.log.debug('new process matched no rule', { ...base, cmdline: shortCmdline(e.attrs.cmdline) });
    } else if (e.adoptedBy !== undefined) {
      this.log.debug("new process joined its parent's group", { ...base, group: e.group, parent: e.adoptedBy });
    } else {
      const rule = this.namer().explain?.(e.attrs);
      this.log.debug('new process matched', { ...base, group: e.group, rule: rule?.index, rule_name: rule?.name });
    }
  };

  /** At the end of each cycle: the summary line, if lines were left out, and a fresh budget. */
  endCycle(): void {
    if (this.skipped > 0) this.log.debug(`${this.skipped} more new processes not logged`, { limit_per_cycle: this.perCycle });
    this.written = 0;
    this.skipped = 0;
  }

  /** After a reload every process is named again: its misses may be logged again. */
  reset(): void {
    this.missesLogged.clear();
  }
}

function shortCmdline(argv: string[]): string {
  const s = argv.join(' ');
  return s.length > CMDLINE_CHARS ? s.slice(0, CMDLINE_CHARS) + '...' : s;
}
