import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStat, parseSystemStat, type ProcStat } from '../src/proc/parse/stat';

const commString = (s: ProcStat): string => Buffer.from(s.comm).toString('utf8');

// A real line from a 6.18 kernel (52 fields).
const REAL =
  '5090 (cat) R 5088 5088 2961 0 -1 4194304 100 0 3 0 7 2 0 0 20 0 1 0 29461 3133440 387 18446744073709551615 ' +
  '94015970144256 94015970164137 140733740747264 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94015970180144 94015970181760 ' +
  '94016606982144 140733740755683 140733740755703 140733740755703 140733740756971 0\n';

function withComm(comm: string, rest = REAL.slice(REAL.indexOf(')') + 1)): string {
  return `42 (${comm})${rest}`;
}

test('parses the fields we use from a real stat line', () => {
  const s = parseStat(REAL);
  assert.equal(commString(s), 'cat');
  assert.equal(String.fromCharCode(s.state), 'R');
  assert.equal(s.ppid, 5088);
  assert.equal(s.minflt, 100);
  assert.equal(s.majflt, 3);
  assert.equal(s.utime, 7);
  assert.equal(s.stime, 2);
  assert.equal(s.numThreads, 1);
  assert.equal(s.starttime, 29461);
  assert.equal(s.vsize, 3133440);
  assert.equal(s.rss, 387);
});

test('comm runs from the first ( to the last )', () => {
  assert.equal(commString(parseStat(withComm('(a) b)'))), '(a) b)');
  assert.equal(commString(parseStat(withComm('a b c'))), 'a b c');
  assert.equal(commString(parseStat(withComm(''))), '');
  // Kernel threads on current kernels show comm values longer than 15 bytes.
  assert.equal(commString(parseStat(withComm('kworker/0:0H-events_highpri'))), 'kworker/0:0H-events_highpri');
});

test('comm keeps raw bytes, invalid UTF-8 included', () => {
  const buf = Buffer.concat([Buffer.from('42 (ba'), Buffer.from([0xff]), Buffer.from('sh)' + REAL.slice(REAL.indexOf(')') + 1))]);
  const s = parseStat(buf);
  assert.deepEqual([...s.comm], [0x62, 0x61, 0xff, 0x73, 0x68]);
});

test('the comm copy does not alias the input buffer', () => {
  const buf = Buffer.from(REAL);
  const s = parseStat(buf);
  buf.fill(0x41);
  assert.equal(commString(s), 'cat');
});

test('44 fields are enough, 43 are not', () => {
  const fields = REAL.trim().split(' ');
  assert.equal(fields.length, 52);
  const s = parseStat(fields.slice(0, 44).join(' '));
  assert.equal(s.rss, 387);
  assert.throws(() => parseStat(fields.slice(0, 43).join(' ')), /EOF/);
  assert.throws(() => parseStat('1 (x) S'), /EOF/);
});

test('unparsable stat lines fail', () => {
  assert.throws(() => parseStat(''), /couldn't extract comm/);
  assert.throws(() => parseStat('1 x S 0'), /couldn't extract comm/);
  assert.throws(() => parseStat('1 (x)'), /truncated/);
  // A non-number where an integer belongs.
  assert.throws(() => parseStat(REAL.replace(' 5088 5088 ', ' abc 5088 ')), /expected integer/);
  // A negative value in an unsigned field (minflt).
  assert.throws(() => parseStat(REAL.replace(' 4194304 100 ', ' 4194304 -100 ')), /expected integer/);
  // Beyond uint64.
  assert.throws(() => parseStat(REAL.replace(' 18446744073709551615 ', ' 18446744073709551616 ')), /out of range/);
});

test('huge unsigned values parse to the nearest float64', () => {
  const s = parseStat(REAL.replace(' 4194304 100 0 3 ', ' 4194304 18446744073709551615 0 9007199254740993 '));
  assert.equal(s.minflt, 18446744073709551615);
  assert.equal(s.minflt, 2 ** 64);
  assert.equal(s.majflt, 9007199254740992);
});

test('integers are scanned like Go fmt.Fscan %v (signs, base prefixes)', () => {
  // Signed fields take a sign; ppid -1 is fine.
  assert.equal(parseStat(REAL.replace(' 5088 5088 ', ' -1 5088 ')).ppid, -1);
  // A leading 0 means octal, 0x hex.
  assert.equal(parseStat(REAL.replace(' 29461 ', ' 010 ')).starttime, 8);
  assert.equal(parseStat(REAL.replace(' 29461 ', ' 0x10 ')).starttime, 16);
  assert.equal(parseStat(REAL.replace(' 29461 ', ' 1_000 ')).starttime, 1000);
  assert.throws(() => parseStat(REAL.replace(' 29461 ', ' 0x ')), /invalid syntax/);
});

test('a multi-character state token becomes ? (Other)', () => {
  assert.equal(parseStat(REAL.replace(') R ', ') RS ')).state, '?'.charCodeAt(0));
});

test('system stat: btime, absent btime, and Go-style errors', () => {
  const text = 'cpu  2891 0 1528 54067 204 0 75 10 0 0\ncpu0 1096 0 603 27649 12 0 28 6 0 0\nintr 1 0 0\nctxt 312861\nbtime 1508450329\nprocesses 5097\nprocs_running 1\nprocs_blocked 0\nsoftirq 79893 0 7267 4 3513 33131 0 3 19827 0 16148\n';
  assert.equal(parseSystemStat(text).btime, 1508450329);
  assert.equal(parseSystemStat('cpu  1 2 3 4\n').btime, 0);
  assert.throws(
    () => parseSystemStat('btime abc\n'),
    (e: Error) => e.message === 'couldn\'t parse "abc" (btime): strconv.ParseUint: parsing "abc": invalid syntax',
  );
  assert.throws(() => parseSystemStat('cpu x 1 2\nbtime 5\n'), /\(cpu\)/);
  assert.throws(() => parseSystemStat('cpuz 1 2\nbtime 5\n'), /cpu\/cpuid/);
  assert.throws(() => parseSystemStat('softirq 1 2 3\n'), /softirq/);
});
