// Reliability, round two: what one connection, one long command line or one reload may cost, through the
// built exporter on a fake procfs tree, on both readers. (The push's bounds are in push.test.ts, the
// shutdown with a blocking password_file in reliability-shutdown.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeProcfs } from './fakeproc';
import { OUR_MAIN, startExporter } from './procs';
import { loadNative } from '../src/proc/native';
import { CMDLINE_CUT_MARKER, CMDLINE_SHOWN_BYTES } from '../src/page/processes';

const nativeSkip: string | false = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';

/** A command line of about `bytes` bytes: `python3 job-<i>.py` and one long argument. */
function longCmdline(i: number, bytes: number): string[] {
  return ['python3', `job-${i}.py`, `--data=${String(i).repeat(bytes)}`];
}

for (const reader of ['native', 'ts'] as const) {
  describe(`${reader} reader`, { skip: reader === 'native' && nativeSkip }, () => {
    test('/api/processes cuts each command line to a few KiB with a marker: 3 processes of 1.7 MB, a response of KiBs', async () => {
      const tree = await FakeProcfs.create();
      try {
        await tree.set([1, 2, 3].map((i) => ({ pid: 100 + i, comm: 'python3', cmdline: longCmdline(i, 1_700_000) })));
        const ex = await startExporter(OUR_MAIN, ['-procfs', tree.root, '-procnames', 'python3', '-web.page-expose-cmdlines'], { NAMEDPROCESS_READER: reader });
        try {
          const res = await ex.scrape('/api/processes?group=python3');
          assert.equal(res.status, 200);
          assert.ok(res.body.length < 3 * (CMDLINE_SHOWN_BYTES + 200) + 1000, `response of ${res.body.length} bytes`);
          const body = JSON.parse(res.body) as { total: number; processes: Array<{ pid: number; cmdline: string }> };
          assert.equal(body.total, 3);
          for (const p of body.processes) {
            const i = p.pid - 100;
            const want = ('python3 job-' + i + '.py --data=' + String(i).repeat(CMDLINE_SHOWN_BYTES)).slice(0, CMDLINE_SHOWN_BYTES) + CMDLINE_CUT_MARKER;
            assert.equal(p.cmdline, want);
          }
        } finally {
          await ex.stop();
        }
      } finally {
        await tree.remove();
      }
    });
  });
}
