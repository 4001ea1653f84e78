// Differential test: the native scanner and the TypeScript reader must return identical columns,
// byte for byte, on the same fake trees (malformed files, huge values, odd names, missing files
// included), and agree on the live /proc up to what moved between the reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DetailColumns, DetailFlag, DetailRequest, ThreadFlag, packedBytes, packedString, Scanner, StatColumns } from '../src/proc/columns';
import { createNativeScanner, loadNative } from '../src/proc/native';
import { createTsScanner } from '../src/proc/ts-reader';
import { FakeProc, FakeProcfs, FakeThread, statusText } from './fakeproc';

const native = loadNative();
const REQUIRE_NATIVE = process.env.NAMEDPROCESS_REQUIRE_NATIVE === '1';
const skip: string | false = native.addon || REQUIRE_NATIVE ? false : `native scanner not built (${native.reason})`;
if (skip) console.log(`# skipping the reader diff: ${skip}`);

function makeNative(procfs: string, threads = 0): Scanner {
  const r = createNativeScanner({ procfs, threads });
  if (!r.scanner) throw new Error(`native scanner unavailable: ${r.reason}`);
  return r.scanner;
}

// ---------------------------------------------------------------- comparing columns

type Settled<T> = { ok: true; value: T } | { ok: false; error: string; type: string };

async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: (e as Error).message, type: (e as Error).constructor.name };
  }
}

/** deepStrictEqual, then the raw bytes of every typed array (so -0, NaN payloads and rounding count). */
function assertIdentical(actual: unknown, expected: unknown, where: string): void {
  assert.deepStrictEqual(actual, expected, where);
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
      const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      assert.ok(x.equals(y), `${where}: ${at} differs in its bytes`);
      return;
    }
    if (a && typeof a === 'object' && b && typeof b === 'object') {
      for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    } else if (typeof a === 'number') {
      assert.ok(Object.is(a, b), `${where}: ${at} ${a} vs ${b}`);
    }
  };
  walk(actual, expected, 'columns');
}

const COMBOS: Array<{ threads: boolean; static: boolean; smaps: boolean; threadIo: boolean; someSmaps?: boolean; sched?: boolean; threadHold?: boolean }> = [
  { threads: true, static: true, smaps: true, threadIo: true },
  { threads: false, static: false, smaps: false, threadIo: false },
  { threads: true, static: false, smaps: true, threadIo: false },
  // the refresh policy's per-row decision: rows not asked get no smaps values and no SMAPS_ERR
  { threads: false, static: true, smaps: true, threadIo: false, someSmaps: true },
  // the idle hold's per-row request: no schedstat, schedstat, schedstat compared with a previous pair
  { threads: true, static: false, smaps: false, threadIo: false, sched: true },
  // the thread hold: plain walks, walks that read each thread's schedstat, schedstat of known threads first
  { threads: true, static: false, smaps: false, threadIo: true, sched: true, threadHold: true },
];

/** Runs both readers over the tree and asserts identical answers; returns the TS listing. */
async function compareOnTree(root: string, extraPids: number[] = [], label = ''): Promise<StatColumns | undefined> {
  const ts = createTsScanner({ procfs: root });
  const nat = makeNative(root, 3);
  try {
    const [bt, bn] = [await settle(ts.bootTime()), await settle(nat.bootTime())];
    assertIdentical(bn, bt, `${label} bootTime`);
    const [lt, ln] = [await settle(ts.listProcs()), await settle(nat.listProcs())];
    assertIdentical(ln, lt, `${label} listProcs`);
    if (!lt.ok) return undefined;
    const pids = [...lt.value.pid, ...extraPids];
    for (const o of COMBOS) {
      const req: DetailRequest = {
        pids: Int32Array.from(pids),
        // every other row asks for threads too, whatever its num_threads says
        wantThreads: Uint8Array.from(pids, (_, i) => (o.threads && i % 4 !== 3 ? 1 : 0)),
        wantStatic: Uint8Array.from(pids, (_, i) => (o.static && i % 3 !== 2 ? 1 : 0)),
        gatherSmaps: o.smaps,
        threadIo: o.threadIo,
      };
      if (o.someSmaps) req.readSmaps = Uint8Array.from(pids, (_, i) => (i % 2 === 0 ? 1 : 0));
      if (o.sched) {
        req.sched = Uint8Array.from(pids, (_, i) => i % 3);
        // every other row's previous pair is "123 0 4", the schedstat most variants below have
        req.schedPrev = Float64Array.from({ length: 2 * pids.length }, (_, k) => ((k >> 1) % 2 === 0 ? (k % 2 === 0 ? 123 : 4) : 0));
      }
      if (o.threadHold) {
        // each row knows of two threads, its pid and the next; the main thread's last pair is "123 0 4"
        req.threadHold = Uint8Array.from(pids, (_, i) => i % 3);
        req.knownStart = Uint32Array.from({ length: pids.length + 1 }, (_, i) => 2 * i);
        req.knownTid = Int32Array.from({ length: 2 * pids.length }, (_, k) => pids[k >> 1] + (k % 2));
        req.knownSched = Float64Array.from({ length: 4 * pids.length }, (_, k) => (k % 4 === 0 ? 123 : k % 4 === 1 ? 4 : k % 8 === 2 ? NaN : 0));
        req.knownState = Uint8Array.from({ length: 2 * pids.length }, () => 'S'.charCodeAt(0));
      }
      const [dt, dn] = [await settle(ts.readDetails(req)), await settle(nat.readDetails(req))];
      assertIdentical(dn, dt, `${label} readDetails ${JSON.stringify(o)}`);
    }
    return lt.value;
  } finally {
    ts.close();
    nat.close();
  }
}

// ---------------------------------------------------------------- malformed file material

/** fields 3..52 of a plain stat line, as tokens */
function statTokens(): string[] {
  return (
    'S 1 5 5 0 -1 4194304 10 0 2 0 30 40 0 0 20 0 1 0 1000 3133440 100 18446744073709551615 ' +
    '94015970144256 94015970164137 140733740747264 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 ' +
    '94015970180144 94015970181760 94016606982144 140733740755683 140733740755703 140733740755703 140733740756971 0'
  ).split(' ');
}

/** A stat line with some fields (numbered like proc(5), 3..52) replaced. */
function stat(pid: number, comm: string | Buffer, edits: Record<number, string> = {}, opts: { keep?: number; sep?: string; tail?: string } = {}): Buffer {
  const toks = statTokens();
  for (const [k, v] of Object.entries(edits)) toks[Number(k) - 3] = v;
  const kept = opts.keep !== undefined ? toks.slice(0, opts.keep - 2) : toks;
  const c = typeof comm === 'string' ? Buffer.from(comm, 'utf8') : comm;
  return Buffer.concat([Buffer.from(`${pid} (`), c, Buffer.from(`) ${kept.join(opts.sep ?? ' ')}${opts.tail ?? '\n'}`)]);
}

const STAT_CASES: Array<[string, Buffer | string]> = [
  ['plain', stat(0, 'plain')],
  ['parens', stat(0, 'a) (b) c (')],
  ['newline in comm', stat(0, 'a\nb')],
  ['nul in comm', stat(0, Buffer.from([0x61, 0, 0x62]))],
  ['invalid utf8 comm', stat(0, Buffer.from([0x62, 0x61, 0xff, 0xfe, 0x73, 0x68]))],
  ['long comm', stat(0, 'k'.repeat(3000))],
  ['no close paren', '0 (x S 1 2 3\n'],
  ['no open paren', '0 x) S 1 2 3\n'],
  ['reversed parens', '0 )x( S 1 2 3\n'],
  ['ends at paren', '0 (x)'],
  ['ends one past paren', '0 (x) '],
  ['empty', ''],
  ['44 fields exactly', stat(0, 'f44', {}, { keep: 44 })],
  ['43 fields', stat(0, 'f43', {}, { keep: 43 })],
  ['extra fields', stat(0, 'extra', {}, { tail: ' 1 2 3 garbage\n' })],
  ['tabs and newlines', stat(0, 'ws', {}, { sep: '\t\n ' })],
  ['nbsp separators', stat(0, 'nbsp', {}, { sep: '\u00a0' })],
  ['em space separators', stat(0, 'em', {}, { sep: '\u2003' })],
  ['ideographic space', stat(0, 'ideo', {}, { sep: '\u3000' })],
  ['no space after paren', Buffer.from('0 (x)S 1 5 5 0 -1 4194304 10 0 2 0 30 40 0 0 20 0 1 0 1000 3133440 100 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n')],
  ['hex', stat(0, 'hex', { 14: '0x1f', 22: '0XFF', 4: '0x10' })],
  ['octal', stat(0, 'oct', { 14: '017', 10: '0o17', 12: '0b101' })],
  ['octal with 9', stat(0, 'oct9', { 14: '019' })],
  ['underscores', stat(0, 'us', { 14: '1_000', 15: '1__0' })],
  ['leading underscore', stat(0, 'us2', { 14: '_1' })],
  ['trailing underscore', stat(0, 'us3', { 14: '1_' })],
  ['plus on int', stat(0, 'plusint', { 4: '+5', 24: '+7' })],
  ['plus on uint', stat(0, 'plusuint', { 14: '+5' })],
  ['minus on uint', stat(0, 'minus', { 14: '-5' })],
  ['minus on int', stat(0, 'minusint', { 4: '-5', 20: '-3', 24: '-100' })],
  ['negative zero rss', stat(0, 'negzero', { 24: '-0' })],
  ['negative double zero rss', stat(0, 'negzero2', { 24: '-00' })],
  ['uint64 max', stat(0, 'max', { 10: '18446744073709551615', 22: '18446744073709551615', 23: '18446744073709551615' })],
  ['uint64 overflow', stat(0, 'ovf', { 10: '18446744073709551616' })],
  ['int64 overflow', stat(0, 'iovf', { 24: '9223372036854775808' })],
  ['int64 min', stat(0, 'imin', { 24: '-9223372036854775808', 4: '-9223372036854775808' })],
  ['ppid over int32', stat(0, 'ppidbig', { 4: '4294967297', 20: '2147483648' })],
  ['ppid over 2^53', stat(0, 'ppid53', { 4: '9007199254740993' })],
  ['2^53+1 ticks', stat(0, 'round', { 22: '9007199254740993', 14: '123456789012345678' })],
  ['glued token', stat(0, 'glued', { 14: '12abc' })],
  ['hex with letters glued', stat(0, 'hexg', { 14: '0xfg' })],
  ['bare 0x', stat(0, 'bare', { 14: '0x' })],
  ['multichar state', stat(0, 'state', { 3: 'Sx' })],
  ['multibyte state', stat(0, 'mbstate', { 3: 'é' })],
  ['16 digit decimal', stat(0, 'd16', { 14: '1234567890123456' })],
  ['leading zeros long', stat(0, 'lz', { 14: '0000000000000000000012' })],
];

const STATUS_CASES: Array<[string, (base: string) => string]> = [
  ['plain', (s) => s],
  ['no Uid', (s) => s.replace(/^Uid:.*\n/m, '')],
  ['Uid one field', (s) => s.replace(/^Uid:.*$/m, 'Uid:\t42')],
  ['Uid five fields', (s) => s.replace(/^Uid:.*$/m, 'Uid:\t1\t2\t3\t4\t5')],
  ['Uid garbage', (s) => s.replace(/^Uid:.*$/m, 'Uid:\tabc\t1\t1\t1')],
  ['Uid spaces', (s) => s.replace(/^Uid:.*$/m, 'Uid:\t1 2 3 4')],
  ['Uid 2^32-1', (s) => s.replace(/^Uid:.*$/m, 'Uid:\t4294967295\t4294967295\t0\t0')],
  ['Uid huge', (s) => s.replace(/^Uid:.*$/m, 'Uid:\t0\t9007199254740993\t0\t0')],
  ['Uid kB trimmed', (s) => s.replace(/^Uid:.*$/m, 'Uid:\tk5\t7 kB')],
  ['Gid garbage', (s) => s.replace(/^Gid:.*$/m, 'Gid:\tx')],
  ['VmSwap garbage', (s) => s.replace(/^VmSwap:.*$/m, 'VmSwap:\tabc kB')],
  ['VmSwap wraps', (s) => s.replace(/^VmSwap:.*$/m, 'VmSwap:\t18014398509481985 kB')],
  ['VmSwap max', (s) => s.replace(/^VmSwap:.*$/m, 'VmSwap:\t18446744073709551615 kB')],
  ['ctx odd', (s) => s.replace(/^voluntary_ctxt_switches:.*$/m, 'voluntary_ctxt_switches:  \t 12 kB \t').replace(/^nonvoluntary_ctxt_switches:.*$/m, 'nonvoluntary_ctxt_switches:\t-1')],
  ['ctx overflow', (s) => s.replace(/^voluntary_ctxt_switches:.*$/m, 'voluntary_ctxt_switches:\t18446744073709551616')],
  ['ctx huge', (s) => s.replace(/^voluntary_ctxt_switches:.*$/m, 'voluntary_ctxt_switches:\t12345678901234567890')],
  ['CRLF', (s) => s.replace(/\n/g, '\r\n')],
  ['no final newline', (s) => s.replace(/\n$/, '')],
  ['key with spaces', (s) => s.replace(/^VmSwap:/m, '  VmSwap  :')],
  ['duplicate keys', (s) => s + 'voluntary_ctxt_switches:\t99\nUid:\t1\t2\t3\t4\n'],
  ['5000 groups', (s) => s.replace(/^Groups:.*$/m, `Groups:\t${Array.from({ length: 5000 }, (_, i) => 100000 + i).join(' ')}`)],
  ['empty', () => ''],
  ['colon only lines', () => ':\n::\nUid:\n'],
];

const IO_CASES: Array<[string, string]> = [
  ['plain', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['no final newline', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7'],
  ['extra spaces', 'rchar:   1\nwchar:\t2\nsyscr: 3  \nsyscw: 4\nread_bytes:  5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['no space', 'rchar:1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['missing line', 'rchar: 1\nwchar: 2\nsyscr: 3\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['truncated', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\n'],
  ['signed cancelled', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: -7\n'],
  ['plus cancelled', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: +7\n'],
  ['minus read', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: -5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['max', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 18446744073709551615\nwrite_bytes: 9007199254740993\ncancelled_write_bytes: 0\n'],
  ['overflow', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 18446744073709551616\nwrite_bytes: 6\ncancelled_write_bytes: 0\n'],
  ['trailing junk', 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\njunk here\n'],
  ['glued junk', 'rchar: 1x\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['CRLF', 'rchar: 1\r\nwchar: 2\r\nsyscr: 3\r\nsyscw: 4\r\nread_bytes: 5\r\nwrite_bytes: 6\r\ncancelled_write_bytes: 7\r\n'],
  ['leading space', ' rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['value on next line', 'rchar: \n1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n'],
  ['empty', ''],
];

function limitsWith(rows: string[], header = 'Limit                     Soft Limit           Hard Limit           Units     '): string {
  return [header, ...rows].join('\n') + '\n';
}
const L = (name: string, soft: string, hard = soft, unit = 'files') => `${name.padEnd(25)} ${soft.padEnd(20)} ${hard.padEnd(20)} ${unit}`;

const LIMITS_CASES: Array<[string, string]> = [
  ['plain', limitsWith([L('Max cpu time', 'unlimited', 'unlimited', 'seconds'), L('Max open files', '1024', '4096')])],
  ['unlimited', limitsWith([L('Max open files', 'unlimited')])],
  ['no open files row', limitsWith([L('Max cpu time', 'unlimited', 'unlimited', 'seconds')])],
  ['header only', 'Limit Soft Hard Units\n'],
  ['empty', ''],
  ['bad line', limitsWith([L('Max open files', '1024'), 'garbage'])],
  ['empty line', limitsWith([L('Max open files', '1024'), ''])],
  ['unknown row', limitsWith([L('Max foo bar baz', '1'), L('Max open files', '77')])],
  ['single spaces', limitsWith(['Max open files 1024 4096 files'])],
  ['bad value', limitsWith([L('Max open files', '12abc')])],
  ['hex value', limitsWith([L('Max open files', '0x10')])],
  ['overflow value', limitsWith([L('Max open files', '18446744073709551616')])],
  ['bad value in unknown row', limitsWith([L('Max frobs', 'abc'), L('Max open files', '5')])],
  ['bad value in known row', limitsWith([L('Max processes', 'abc'), L('Max open files', '5')])],
  ['twice', limitsWith([L('Max open files', '5'), L('Max open files', '6')])],
  ['tabs', limitsWith(['Max open files\t\t1024\t\t4096\t\tfiles'])],
  ['no units', limitsWith(['Max open files            1024                 4096'])],
  ['two word values', limitsWith(['Max open files  1024  4096'])],
  ['CRLF', limitsWith([L('Max open files', '1024')]).replace(/\n/g, '\r\n')],
  ['inner CR', limitsWith(['Max open\rfiles      1024      4096   files'])],
  ['prefix junk', limitsWith(['xx Max open files      1024      4096   files'])],
  ['Max Max', limitsWith(['Max Max open files      1024      4096   files'])],
  ['three words then value', limitsWith(['Max open files extra      9      9   files'])],
  ['double space inside name', limitsWith(['Max open  files      9      9   files'])],
  ['long line', limitsWith([L('Max open files', '1024'), 'Max ' + 'x'.repeat(70000)])],
  ['long header', 'L'.repeat(70000) + '\n' + L('Max open files', '3') + '\n'],
];

const SMAPS_ROLLUP_CASES: Array<[string, string]> = [
  ['plain', '00400000-ffffffffff601000 ---p 00000000 00:00 0      [rollup]\nRss:     400 kB\nPss:    100 kB\nSwapPss:   3 kB\n'],
  ['no kB', 'h\nPss: 5\nSwapPss: 6\n'],
  ['glued kB', 'h\nPss:5kB\nSwapPss:6 kBkB\n'],
  ['garbage line', 'h\nPss: 5 kB\ngarbage\n'],
  ['VmFlags', 'h\nPss: 5 kB\nVmFlags: rd wr\n'],
  ['empty', ''],
  ['header only', 'h'],
  ['CRLF', 'h\r\nPss: 5 kB\r\nSwapPss: 1 kB\r\n'],
  ['blank lines', 'h\n\nPss: 5 kB\n\n\nSwapPss: 1 kB\n'],
  ['wraps', 'h\nPss: 18014398509481985 kB\nPss: 18014398509481985 kB\nSwapPss: 9007199254740993 kB\n'],
  ['negative', 'h\nPss: -5 kB\n'],
  ['repeated', 'h\nPss: 1 kB\nPss: 2 kB\nSwapPss: 3 kB\nSwapPss: 4 kB\n'],
  ['value with spaces', 'h\nPss: 1 2 kB\n'],
];

const SMAPS_CASES: Array<[string, string]> = [
  ['plain', '00400000-00452000 r-xp 00000000 08:02 173521  /usr/bin/app\nPss: 3 kB\nSwapPss: 1 kB\nVmFlags: rd ex\n7fff0000-7fff1000 rw-p 00000000 00:00 0  [stack]\nPss: 4 kB\n'],
  ['garbage line', 'deadbeef-f00 r-xp 0 0:0 0\nPss: 3 kB\ngarbage without colon\n'],
  ['uppercase header', 'DEADBEEF-F00 r-xp 0 0:0 0\nPss: 3 kB\n'],
  ['long line', 'Pss: 3 kB\nZ' + 'z'.repeat(70000) + ': 1 kB\n'],
  ['empty', ''],
];

const SCHEDSTAT_CASES: Array<[string, string]> = [
  ['plain', '123 0 4\n'],
  ['plain again', '123 0 4\n'],
  ['no newline', '123 0 4'],
  ['other values', '124 9 4\n'],
  ['largest', '18446744073709551615 0 18446744073709551615\n'],
  ['overflow', '18446744073709551616 0 4\n'],
  ['four fields', '123 0 4 5\n'],
  ['two fields', '123 4\n'],
  ['double space', '123  0 4\n'],
  ['tab', '123\t0 4\n'],
  ['sign', '+123 0 4\n'],
  ['letters', 'a b c\n'],
  ['two newlines', '123 0 4\n\n'],
  ['empty', ''],
];

interface TreeCase {
  name: string;
  procs: FakeProc[];
  /** pids asked for that are not in the listing (vanished processes) */
  extra?: number[];
  prepare?: (root: string) => Promise<void>;
}

function cases(): TreeCase[] {
  const out: TreeCase[] = [];
  let pid = 100;
  const base = (over: Partial<FakeProc> = {}): FakeProc => ({ pid: pid++, comm: 'p', ...over });
  out.push({
    name: 'stat variants',
    procs: STAT_CASES.map(([, text]) => {
      const p = base();
      const b = Buffer.isBuffer(text) ? text : Buffer.from(text);
      // the pid prefix is cosmetic: readers take the pid from the directory name
      return { ...p, raw: { stat: b } };
    }),
  });
  out.push({
    name: 'stat variants as threads',
    procs: [
      base({
        numThreads: STAT_CASES.length,
        threads: STAT_CASES.map((_, i) => ({ tid: 5000 + i })),
        raw: Object.fromEntries(STAT_CASES.map(([, text], i) => [`task/${5000 + i}/stat`, Buffer.isBuffer(text) ? text : Buffer.from(text)])),
      }),
    ],
  });
  const statusBase = statusText({
    name: 'p', state: 'S', tgid: 1, pid: 1, ppid: 0, uid: 1000, threads: 1, vsizeBytes: 4096, rssPages: 1, vmSwapKb: 10, ctxVol: 5, ctxNonvol: 6,
  });
  out.push({ name: 'status variants', procs: STATUS_CASES.map(([, f]) => base({ raw: { status: f(statusBase) } })) });
  out.push({
    name: 'status variants as threads',
    procs: [
      base({
        threads: STATUS_CASES.map((_, i) => ({ tid: 6000 + i })),
        raw: Object.fromEntries(STATUS_CASES.map(([, f], i) => [`task/${6000 + i}/status`, f(statusBase)])),
      }),
    ],
  });
  out.push({ name: 'io variants', procs: IO_CASES.map(([, t]) => base({ raw: { io: t } })) });
  out.push({
    name: 'io variants as threads',
    procs: [base({ threads: IO_CASES.map((_, i) => ({ tid: 7000 + i })), raw: Object.fromEntries(IO_CASES.map(([, t], i) => [`task/${7000 + i}/io`, t])) })],
  });
  out.push({ name: 'schedstat variants', procs: SCHEDSTAT_CASES.map(([, t]) => base({ raw: { schedstat: t } })) });
  out.push({ name: 'limits variants', procs: LIMITS_CASES.map(([, t]) => base({ raw: { limits: t } })) });
  out.push({ name: 'smaps_rollup variants', procs: SMAPS_ROLLUP_CASES.map(([, t]) => base({ raw: { smaps_rollup: t } })) });
  out.push({ name: 'smaps fallback variants', procs: SMAPS_CASES.map(([, t]) => base({ omit: ['smaps_rollup'], raw: { smaps: t } })) });
  out.push({
    name: 'strings: cmdline, cgroup, wchan',
    procs: [
      base({ cmdline: ['x'.repeat(1_000_000)] }),
      base({ cmdline: ['y'.repeat(2 * 1024 * 1024)] }),
      base({ raw: { cmdline: '' } }),
      base({ raw: { cmdline: '\0\0\0' } }),
      base({ raw: { cmdline: Buffer.from([0xc3, 0x28, 0, 0xff, 0]) } }),
      base({ omit: ['cgroup'] }),
      base({ cgroup: '12:cpu,cpuacct:/a:b\n0::/x\n' }),
      base({ raw: { wchan: '' } }),
      base({ raw: { wchan: Buffer.from([0x66, 0xff]) } }),
      base({ raw: { wchan: 'w'.repeat(100_000) } }),
      base({ raw: { cgroup: 'c'.repeat(1_500_000) } }),
    ],
  });
  const odd: FakeProc[] = [
      base({ omit: ['io'] }),
      base({ omit: ['fd'] }),
      base({ fdCount: 0 }),
      base({ fdCount: 200 }),
      base({ omit: ['wchan'] }),
      base({ omit: ['smaps_rollup'] }),
      base({ omit: ['task'] }),
      base({ omit: ['status'] }),
      base({ omit: ['limits'] }),
      base({ omit: ['cmdline'] }),
      base({ omit: ['status', 'limits', 'io', 'fd', 'wchan', 'smaps_rollup', 'task', 'cmdline', 'cgroup'] }),
      base({ raw: { 'task/notanumber/stat': 'x' } }),
      base({ threads: [{ tid: 9001 }, { tid: 9002 }], omit: ['task/9002'] }),
      base({ threads: [{ tid: 9003 }, { tid: 9004 }, { tid: 9005 }], omit: ['task/9004/io', 'task/9005/wchan'] }),
      base({ threads: [{ tid: 9006 }, { tid: 9007 }], omit: ['task/9007/status'] }),
      base({ numThreads: 3, threads: [{ tid: 9008, comm: 'a (b)' }, { tid: 9009, comm: 'c' }, { tid: 9010, comm: 'd' }] }),
  ];
  const [last, second, third] = odd.slice(-3).reverse().map((p) => p.pid);
  out.push({
    name: 'missing files and odd entries',
    procs: odd,
    extra: [99999, -5, 0],
    prepare: async (root) => {
      // a pid entry that is a file, a dangling link, a link to a live pid dir, "007" (read as 7/)
      await fsp.writeFile(path.join(root, '555'), 'not a dir');
      await fsp.symlink('/nonexistent/target', path.join(root, '556'));
      await fsp.symlink(path.join(root, '100'), path.join(root, '557'));
      await fsp.mkdir(path.join(root, '007'));
      await fsp.mkdir(path.join(root, 'self'));
      // a status that is a directory (read fails with EISDIR) and an fd/ that is a file
      const p = path.join(root, String(last));
      await fsp.rm(path.join(p, 'status'));
      await fsp.mkdir(path.join(p, 'status'));
      await fsp.rm(path.join(p, 'fd'), { recursive: true });
      await fsp.writeFile(path.join(p, 'fd'), '');
      // a task/ that is a file, and a tid dir spelled "0100"
      const q = path.join(root, String(second));
      await fsp.rm(path.join(q, 'task'), { recursive: true });
      await fsp.writeFile(path.join(q, 'task'), '');
      await fsp.mkdir(path.join(root, String(third), 'task', '0100'));
    },
  });
  return out;
}

describe('native vs TS reader on fake trees', { skip }, () => {
  for (const c of cases()) {
    test(c.name, async () => {
      const f = await FakeProcfs.create();
      try {
        await f.set(c.procs);
        if (c.prepare) await c.prepare(f.root);
        const listing = await compareOnTree(f.root, [...(c.extra ?? []), ...c.procs.map((p) => p.pid)], c.name);
        assert.ok(listing, `${c.name}: the tree lists`);
      } finally {
        await f.remove();
      }
    });
  }

  test('readSmaps: only the rows asked read smaps; the others get 0 and no SMAPS_ERR', async () => {
    const f = await FakeProcfs.create();
    try {
      await f.set([
        { pid: 1, comm: 'a', pssKb: 8, swapPssKb: 2 },
        { pid: 2, comm: 'b', pssKb: 16, swapPssKb: 4 },
        { pid: 3, comm: 'c', omit: ['smaps_rollup', 'smaps'] },
        { pid: 4, comm: 'd', omit: ['smaps_rollup', 'smaps'] },
      ]);
      for (const s of [createTsScanner({ procfs: f.root }), makeNative(f.root, 2)]) {
        try {
          const d = await s.readDetails({
            pids: Int32Array.from([1, 2, 3, 4]),
            wantThreads: new Uint8Array(4),
            wantStatic: new Uint8Array(4),
            gatherSmaps: true,
            readSmaps: Uint8Array.from([1, 0, 1, 0]),
            threadIo: false,
          });
          assert.deepEqual([...d.pss], [8192, 0, 0, 0], s.kind);
          assert.deepEqual([...d.swapPss], [2048, 0, 0, 0], s.kind);
          assert.deepEqual([...d.flags].map((x) => x & DetailFlag.SMAPS_ERR), [0, 0, DetailFlag.SMAPS_ERR, 0], s.kind);
        } finally {
          s.close();
        }
      }
    } finally {
      await f.remove();
    }
  });

  test('sched: a row whose schedstat equals its previous pair is HELD (status, io, wchan unread); the others read in full', async () => {
    const f = await FakeProcfs.create();
    try {
      const proc = (pid: number, schedstat: [number, number]): FakeProc => ({ pid, comm: 'p', schedstat, ctxVol: 7, readBytes: 100, vmSwapKb: 2, wchan: 'do_nanosleep' });
      await f.set([proc(1, [500, 3]), proc(2, [500, 3]), proc(3, [500, 3]), proc(4, [500, 3]), { pid: 5, comm: 'p' }]);
      for (const s of [createTsScanner({ procfs: f.root }), makeNative(f.root, 2)]) {
        try {
          const d = await s.readDetails({
            pids: Int32Array.from([1, 2, 3, 4, 5]),
            wantThreads: new Uint8Array(5),
            wantStatic: new Uint8Array(5),
            gatherSmaps: false,
            threadIo: false,
            sched: Uint8Array.from([2, 2, 1, 0, 2]),
            schedPrev: Float64Array.from([500, 3, 500, 2, 500, 3, 500, 3, 500, 3]),
          });
          const F = DetailFlag;
          assert.deepEqual([...d.flags], [F.HELD, 0, 0, 0, F.SCHED_ERR], s.kind);
          assert.deepEqual([...d.schedRun], [500, 500, 500, 0, 0], s.kind);
          assert.deepEqual([...d.schedSlices], [3, 3, 3, 0, 0], s.kind);
          assert.deepEqual([...d.ctxVol], [0, 7, 7, 7, 0], s.kind);
          assert.deepEqual([...d.readBytes], [0, 100, 100, 100, 0], s.kind);
          assert.deepEqual([...d.swapBytes], [0, 2048, 2048, 2048, 0], s.kind);
          assert.deepEqual([0, 1, 2, 3, 4].map((i) => packedString(d.wchan, i)), ['', 'do_nanosleep', 'do_nanosleep', 'do_nanosleep', '0'], s.kind);
          assert.deepEqual([...d.fdOpen], [3, 3, 3, 3, 3], s.kind);
        } finally {
          s.close();
        }
      }
    } finally {
      await f.remove();
    }
  });

  test('threadHold: threads whose schedstat and state equal the known ones are HELD; with nothing moved, the whole process', async () => {
    const f = await FakeProcfs.create();
    const S = 'S'.charCodeAt(0);
    try {
      const t = (tid: number, schedstat: [number, number], state = 'S'): FakeThread => ({ tid, comm: `t${tid}`, state, schedstat, ctxVol: tid, readBytes: 10 * tid, wchan: 'futex_wait_queue' });
      await f.set([
        { pid: 1, comm: 'a', ctxVol: 5, readBytes: 50, threads: [t(1, [100, 1]), t(2, [200, 2]), t(3, [300, 3], 'R')] },
        { pid: 4, comm: 'b', ctxVol: 5, readBytes: 50, threads: [t(4, [100, 1]), t(5, [200, 2])] },
        { pid: 6, comm: 'c', ctxVol: 5, readBytes: 50, threads: [t(6, [100, 1]), t(7, [200, 2])] },
      ]);
      const req: DetailRequest = {
        pids: Int32Array.from([1, 4, 6]),
        wantThreads: Uint8Array.from([1, 1, 1]),
        wantStatic: new Uint8Array(3),
        gatherSmaps: false,
        threadIo: true,
        // row 1: 2 moved (slices), 3 woken (state); row 4: nothing moved; row 6: 7 moved
        threadHold: Uint8Array.from([2, 2, 2]),
        knownStart: Uint32Array.from([0, 3, 5, 7]),
        knownTid: Int32Array.from([1, 2, 3, 4, 5, 6, 7]),
        knownSched: Float64Array.from([100, 1, 200, 1, 300, 3, 100, 1, 200, 2, 100, 1, 201, 2]),
        knownState: Uint8Array.from([S, S, S, S, S, S, S]),
      };
      const answers: unknown[] = [];
      // the TS reader in its worker and on the main thread (the rows cut into slices either way)
      for (const s of [createTsScanner({ procfs: f.root }), createTsScanner({ procfs: f.root, workers: 0 }), makeNative(f.root, 2)]) {
        try {
          const d = await s.readDetails(req);
          answers.push(d);
          const F = DetailFlag;
          assert.deepEqual([...d.flags], [0, F.THREADS_HELD | F.HELD, 0], s.kind);
          assert.deepEqual([...d.ctxVol], [5, 0, 5], s.kind);
          assert.deepEqual([...d.readBytes], [50, 0, 50], s.kind);
          assert.deepEqual([...d.threadStart], [0, 3, 3, 5], s.kind);
          // by tid: the listing order is the file system's
          const byTid = new Map<number, unknown[]>();
          for (let j = 0; j < d.threads.count; j++) {
            const c = d.threads;
            byTid.set(c.tid[j], [c.flags[j], c.schedRun[j], c.schedSlices[j], c.ctxVol[j], c.readBytes[j], packedString(c.wchan, j), packedString(c.comm, j)]);
          }
          const H = ThreadFlag.HELD;
          assert.deepEqual(
            [...byTid].sort((a, b) => a[0] - b[0]),
            [
              [1, [H, 100, 1, 0, 0, '', 't1']],
              [2, [0, 200, 2, 2, 20, 'futex_wait_queue', 't2']],
              [3, [0, 300, 3, 3, 30, 'futex_wait_queue', 't3']],
              [6, [H, 100, 1, 0, 0, '', 't6']],
              [7, [0, 200, 2, 7, 70, 'futex_wait_queue', 't7']],
            ],
            s.kind,
          );
        } finally {
          s.close();
        }
      }
      assertIdentical(answers[1], answers[0], 'threadHold, TS on the main thread');
      assertIdentical(answers[2], answers[0], 'threadHold, native');
      // the same rows 24 times: the TS reader on the main thread reads them in slices of 32 rows, each with
      // its own part of the known threads
      const times = 24;
      const many: DetailRequest = {
        ...req,
        pids: Int32Array.from({ length: 3 * times }, (_, i) => req.pids[i % 3]),
        wantThreads: new Uint8Array(3 * times).fill(1),
        wantStatic: new Uint8Array(3 * times),
        threadHold: Uint8Array.from({ length: 3 * times }, (_, i) => 1 + ((i >> 2) % 2)),
        knownStart: Uint32Array.from({ length: 3 * times + 1 }, (_, i) => 7 * Math.floor(i / 3) + req.knownStart![i % 3]),
        knownTid: Int32Array.from({ length: 7 * times }, (_, k) => req.knownTid![k % 7]),
        knownSched: Float64Array.from({ length: 14 * times }, (_, k) => req.knownSched![k % 14]),
        knownState: new Uint8Array(7 * times).fill(S),
      };
      const [main, nat] = [createTsScanner({ procfs: f.root, workers: 0 }), makeNative(f.root, 3)];
      try {
        const [a, b] = [await main.readDetails(many), await nat.readDetails(many)];
        // pid 4's rows: held whole where they asked for 2, walked where they asked for 1
        const held4 = [...a.flags].filter((fl, i) => i % 3 === 1 && fl & DetailFlag.THREADS_HELD).length;
        assert.equal(held4, [...many.threadHold!].filter((h, i) => i % 3 === 1 && h === 2).length);
        assert.ok(held4 > 0 && held4 < times);
        assertIdentical(b, a, 'threadHold in slices');
      } finally {
        main.close();
        nat.close();
      }
      // known arrays that do not fit the request: both refuse it with the same error
      for (const bad of [{ knownStart: Uint32Array.from([0, 3, 5]) }, { knownStart: Uint32Array.from([0, 3, 2, 7]) }, { knownSched: new Float64Array(3) }, { knownTid: undefined }]) {
        const r = { ...req, ...bad } as DetailRequest;
        const [ts, nat] = [createTsScanner({ procfs: f.root }), makeNative(f.root, 2)];
        try {
          const [a, b] = [await settle(ts.readDetails(r)), await settle(nat.readDetails(r))];
          assert.equal(a.ok, false);
          assertIdentical(b, a, `bad known arrays ${Object.keys(bad)[0]}`);
        } finally {
          ts.close();
          nat.close();
        }
      }
    } finally {
      await f.remove();
    }
  });

  test('a bad root: both fail bootTime and listProcs alike, and agree on readDetails', async () => {
    const f = await FakeProcfs.create();
    try {
      await compareOnTree(path.join(f.root, 'missing'), [1, 2]);
      const file = path.join(f.root, 'file');
      await fsp.writeFile(file, 'x');
      await compareOnTree(file, [1]);
      await fsp.writeFile(path.join(f.root, 'stat'), 'btime abc\n');
      await compareOnTree(f.root, [1]);
      await fsp.writeFile(path.join(f.root, 'stat'), 'cpu  1 2 x\nbtime 5\n');
      await compareOnTree(f.root, [1]);
      await fsp.writeFile(path.join(f.root, 'stat'), 'nothing here\n');
      await compareOnTree(f.root, [1]);
    } finally {
      await f.remove();
    }
  });
});

// ---------------------------------------------------------------- live /proc

interface LiveRead {
  list: StatColumns;
  details: DetailColumns;
  index: Map<string, number>;
}

async function liveRead(s: Scanner, pids?: Int32Array): Promise<LiveRead> {
  const list = await s.listProcs();
  const ask = pids ?? list.pid;
  const details = await s.readDetails({
    pids: ask,
    wantThreads: new Uint8Array(ask.length).fill(1),
    wantStatic: new Uint8Array(ask.length).fill(1),
    gatherSmaps: true,
    threadIo: true,
  });
  const index = new Map<string, number>();
  for (let i = 0; i < list.count; i++) index.set(`${list.pid[i]}/${list.startTicks[i]}`, i);
  return { list, details, index };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('native vs TS reader on the live /proc', { skip }, () => {
  test('identity and static columns agree; counters only move forward (native, TS, native sandwich)', async () => {
    const ts = createTsScanner({ procfs: '/proc' });
    const nat = makeNative('/proc', 2);
    const first = await nat.listProcs();
    const pids = first.pid;
    // Same pid list for all three reads, so details rows line up; a vanished pid reads as GONE.
    const a = await liveRead(nat, pids);
    const b = await liveRead(ts, pids);
    const c = await liveRead(nat, pids);
    let compared = 0;
    for (const [key, ib] of b.index) {
      const ia = a.index.get(key);
      const ic = c.index.get(key);
      if (ia === undefined || ic === undefined) continue; // born or gone between the reads
      const stable = (col: (r: LiveRead, i: number) => unknown) => {
        const va = col(a, ia);
        const vc = col(c, ic);
        if (!isDeepStrictEqual(va, vc)) return; // changed under us (exec, prctl): nothing to compare
        assert.deepEqual(col(b, ib), va, `${key}: ${col.toString()}`);
      };
      // kernel workers (children of kthreadd, pid 2) rename themselves after each workqueue, back and forth
      if (a.list.ppid[ia] !== 2 && a.list.pid[ia] !== 2) stable((r, i) => hex(packedBytes(r.list.comm, i)));
      stable((r, i) => r.list.ppid[i]);
      const forward = (col: (r: LiveRead, i: number) => number) => {
        const [x, y, z] = [col(a, ia), col(b, ib), col(c, ic)];
        assert.ok(x <= y && y <= z, `${key}: ${col.toString()} went ${x} -> ${y} -> ${z}`);
      };
      forward((r, i) => r.list.utime[i]);
      forward((r, i) => r.list.stime[i]);
      forward((r, i) => r.list.minflt[i]);
      forward((r, i) => r.list.majflt[i]);
      // details rows are indexed by the shared pid list
      const da = pids.indexOf(a.list.pid[ia]);
      if (da < 0) continue; // listed by a later read only (born after the first listing): no details row
      const okAll = [a, b, c].every((r) => (r.details.flags[da] & (DetailFlag.STATUS_ERR | DetailFlag.LIMITS_ERR | DetailFlag.GONE)) === 0);
      if (okAll) {
        stable((r) => hex(packedBytes(r.details.cmdline, da)));
        stable((r) => hex(packedBytes(r.details.cgroup, da)));
        stable((r) => r.details.uid[da]);
        stable((r) => r.details.fdLimit[da]);
        stable((r) => r.details.flags[da]);
        const ioOk = [a, b, c].every((r) => (r.details.flags[da] & 4) === 0);
        if (ioOk) {
          const dforward = (col: (r: LiveRead) => number) => {
            const [x, y, z] = [col(a), col(b), col(c)];
            assert.ok(x <= y && y <= z, `${key}: ${col.toString()} went ${x} -> ${y} -> ${z}`);
          };
          dforward((r) => r.details.readBytes[da]);
          dforward((r) => r.details.writeBytes[da]);
        }
      }
      compared++;
    }
    assert.ok(compared >= 5, `compared ${compared} processes`);
    // our own process is certainly in all three, with its threads
    const self = b.index.get([...b.index.keys()].find((k) => k.startsWith(`${process.pid}/`))!);
    assert.ok(self !== undefined);
    nat.close();
    ts.close();
  });
});
