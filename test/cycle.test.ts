// The whole cycle on fake procfs trees: tracker and grouper semantics (docs/behaviour.md#counting, docs/behaviour.md#errors, docs/behaviour.md#differences-from-the-reference), asserted on
// the exposition text. The reference's tracker and grouper tests (upstream) are re-expressed here.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { Harness, groupSamples, AFTER_START_TICKS, type ScannerFactory, tsScanner } from './harness';
import type { FakeProc, FakeThread } from './fakeproc';
import { assertGolden } from './golden';

export function cycleSuite(label: string, scanner: ScannerFactory): void {
  const open: Harness[] = [];
  const start = async (procs: FakeProc[], opts: Parameters<typeof Harness.start>[1] = {}) => {
    const h = await Harness.start(procs, opts, scanner);
    open.push(h);
    return h;
  };
  after(async () => {
    for (const h of open) await h.close();
  });

  describe(`${label}: tracker basics (upstream test TestTrackerBasic)`, () => {
    test('unmatched procs are not reported; pid reuse starts a new identity', async () => {
      const h = await start([{ pid: 1, comm: 'g1', starttime: 10, ppid: 0 }, { pid: 3, comm: 'g3', starttime: 10, ppid: 0 }], { procnames: ['g1', 'g2', 'g4'] });
      let s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g1"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g3"}'), undefined);

      await h.set([{ pid: 1, comm: 'g1', starttime: 10, ppid: 0 }, { pid: 2, comm: 'g2', starttime: 20, ppid: 0 }]);
      s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g1"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g2"}'), '1');

      // pid 1 comes back with another start time and another name
      await h.set([{ pid: 1, comm: 'g4', starttime: 30, ppid: 0 }, { pid: 2, comm: 'g2', starttime: 20, ppid: 0 }]);
      s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g4"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g2"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g1"}'), '0');
      assert.equal(s.get('namedprocess_namegroup_oldest_start_time_seconds{groupname="g4"}'), '1.7e+09');
    });
  });

  describe(`${label}: proportional memory refresh (-gather-smaps.max-age)`, () => {
    const PSS = 'namedprocess_namegroup_memory_bytes{groupname="app",memtype="proportionalResident"}';
    const SWAP_PSS = 'namedprocess_namegroup_memory_bytes{groupname="app",memtype="proportionalSwapped"}';
    const base: FakeProc = { pid: 10, comm: 'app', starttime: 500, utime: 50, stime: 20, minflt: 100, majflt: 5, rss: 10, vsize: 40960, pssKb: 8, swapPssKb: 1 };
    // the same trees scraped by the default policy and by -gather-smaps.max-age=0s (every scrape)
    const pair = async () => [await start([base], { procnames: ['app'] }), await start([base], { procnames: ['app'], smapsMaxAgeMs: 0 })];
    const both = async (hs: Harness[], procs: FakeProc[]) => {
      const out: Array<Map<string, string>> = [];
      for (const h of hs) {
        await h.set(procs);
        out.push(await h.samples());
      }
      return out;
    };

    test('equal to reading every scrape whenever the stat changed, whichever field moved', async () => {
      const hs = await pair();
      const moves: Array<Partial<FakeProc>> = [{ utime: 51 }, { stime: 21 }, { minflt: 101 }, { majflt: 6 }, { rss: 11 }, { vsize: 45056 }, { numThreads: 2 }];
      let p = base;
      let kb = 8;
      for (const move of moves) {
        kb += 4;
        p = { ...p, ...move, pssKb: kb, swapPssKb: kb / 4 };
        const [policy, every] = await both(hs, [p]);
        assert.equal(every.get(PSS), String(kb * 1024), JSON.stringify(move));
        assert.equal(policy.get(PSS), every.get(PSS), JSON.stringify(move));
        assert.equal(policy.get(SWAP_PSS), every.get(SWAP_PSS), JSON.stringify(move));
      }
    });

    test('an unchanged stat keeps the last values read until the maximum age; then smaps is read again', async () => {
      const hs = await pair();
      const [policy0, every0] = await both(hs, [{ ...base, pssKb: 12 }]);
      assert.equal(every0.get(PSS), '12288');
      assert.equal(policy0.get(PSS), '8192', 'nothing in stat moved: the last value read');
      // each scrape advances the clock 15 s; the value read at start is 5 minutes old after 20 scrapes
      const policy = hs[0];
      let s = policy0;
      let scrapes = 1;
      while (s.get(PSS) === '8192' && scrapes < 30) {
        s = await policy.samples();
        scrapes++;
      }
      assert.equal(s.get(PSS), '12288');
      assert.equal(scrapes, 20);
    });

    test('a failed read is retried next cycle even when the stat did not change', async () => {
      const hs = await pair();
      const moved = { ...base, utime: 60 };
      let [policy, every] = await both(hs, [{ ...moved, omit: ['smaps_rollup'] }]);
      assert.equal(policy.get(PSS), '0');
      assert.equal(policy.get('namedprocess_scrape_partial_errors'), '1');
      assert.equal(every.get('namedprocess_scrape_partial_errors'), '1');
      [policy, every] = await both(hs, [{ ...moved, pssKb: 16 }]);
      assert.equal(every.get(PSS), '16384');
      assert.equal(policy.get(PSS), '16384');
    });

    test('-gather-smaps=false reads no smaps and reports no proportional memory', async () => {
      const h = await start([base], { procnames: ['app'], gatherSmaps: false });
      const s = await h.samples();
      assert.equal(s.get(PSS), undefined);
    });
  });

  // The idle hold's tests: the samples, plus the tracker's counts of held processes and threads (served as
  // the self metrics of those names), and the same trees scraped by the hold and by -gather-idle.max-age=0s.
  const HELD = 'namedprocess_exporter_cycle_idle_held';
  const THREADS_HELD = 'namedprocess_exporter_cycle_threads_held';
  const scrapeHeld = async (h: Harness) => {
    const m = await h.samples();
    m.set(HELD, String(h.collector.tracker.lastIdleHeld));
    m.set(THREADS_HELD, String(h.collector.tracker.lastThreadsHeld));
    return m;
  };
  const bothHeld = async (hs: Harness[], procs: FakeProc[]) => {
    const out: Array<Map<string, string>> = [];
    for (const h of hs) {
      await h.set(procs);
      out.push(await scrapeHeld(h));
    }
    return out;
  };
  const groupFamilies = (m: Map<string, string>) => new Map([...m].filter(([key]) => key.startsWith('namedprocess_namegroup_')));

  describe(`${label}: processes that have not run (-gather-idle.max-age)`, () => {
    const base: FakeProc = {
      pid: 10, comm: 'app', starttime: 500, utime: 50, stime: 20, minflt: 100, majflt: 5, rss: 10, vsize: 40960,
      ctxVol: 7, ctxNonvol: 3, readBytes: 1000, writeBytes: 2000, vmSwapKb: 4, wchan: 'do_nanosleep', schedstat: [900_000, 40],
    };
    // what status, io and wchan say: changed between scrapes below, whether or not the process ran
    let k = 0;
    const fileValues = (): Partial<FakeProc> => {
      k++;
      return { ctxVol: 7 + k, ctxNonvol: 3 + 2 * k, readBytes: 1000 + 10 * k, writeBytes: 2000 + 20 * k, vmSwapKb: 4 + k, wchan: `wait_${k}`, uid: 1000 + k };
    };
    // the same trees scraped by the default policy and by -gather-idle.max-age=0s (every process in full every scrape)
    const pair = async (procs: FakeProc[] = [base]) => [await start(procs, { procnames: ['app'] }), await start(procs, { procnames: ['app'], idleMaxAgeMs: 0 })];
    const scrape = scrapeHeld;
    const both = bothHeld;
    const withoutSelf = groupFamilies;

    test('equal to reading every scrape whenever the process ran, whatever showed it', async () => {
      const hs = await pair();
      const moves: Array<Partial<FakeProc>> = [
        { schedstat: [900_001, 40] }, { schedstat: [900_001, 41] }, { utime: 51 }, { stime: 21 }, { minflt: 101 }, { majflt: 6 },
        { rss: 11 }, { vsize: 45056 }, { state: 'D' }, { numThreads: 2 }, { numThreads: 1 },
      ];
      let p = base;
      for (const move of moves) {
        p = { ...p, ...move, ...fileValues() };
        const [policy, every] = await both(hs, [p]);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every), JSON.stringify(move));
        assert.equal(policy.get(HELD), '0', JSON.stringify(move));
      }
    });

    test('a process that has not run keeps what status, io and wchan said, until the maximum age', async () => {
      const hs = await pair();
      const wchan = (m: Map<string, string>, w: string) => m.get(`namedprocess_namegroup_threads_wchan{groupname="app",wchan="${w}"}`);
      const still = { ...base, ...fileValues() };
      const [policy0, every0] = await both(hs, [still]);
      assert.equal(policy0.get(HELD), '1');
      assert.equal(every0.get(HELD), '0');
      const g = groupSamples(policy0, 'app');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary"}'), '0');
      assert.equal(g.get('namedprocess_namegroup_read_bytes_total'), '0');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="swapped"}'), '4096');
      assert.equal(wchan(policy0, 'do_nanosleep'), '1');
      const readSince = String(Number(still.readBytes) - Number(base.readBytes));
      assert.equal(groupSamples(every0, 'app').get('namedprocess_namegroup_read_bytes_total'), readSince);
      assert.equal(wchan(every0, still.wchan!), '1');
      // each scrape advances the clock 15 s; the full read at start is 5 minutes old after 20 scrapes
      const policy = hs[0];
      let s = policy0;
      let scrapes = 1;
      while (s.get(HELD) === '1' && scrapes < 30) {
        s = await scrape(policy);
        scrapes++;
      }
      assert.equal(scrapes, 20);
      assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_read_bytes_total'), readSince);
      assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_memory_bytes{memtype="swapped"}'), String(Number(still.vmSwapKb) * 1024));
      assert.equal(wchan(s, still.wchan!), '1');
      // and held again from there
      s = await scrape(policy);
      assert.equal(s.get(HELD), '1');
    });

    test('the counters a held process kept add up once it runs again', async () => {
      const hs = await pair();
      await both(hs, [{ ...base, ...fileValues() }]);
      await both(hs, [{ ...base, ...fileValues() }]);
      const [policy, every] = await both(hs, [{ ...base, ...fileValues(), schedstat: [950_000, 44] }]);
      assert.equal(policy.get(HELD), '0');
      assert.deepEqual(withoutSelf(policy), withoutSelf(every));
    });

    test('a read that failed is not held: the next cycle reads in full', async () => {
      for (const file of ['io', 'status', 'wchan']) {
        const hs = await pair();
        // it ran (schedstat moved), so it is read, and the read fails
        const ran: FakeProc = { ...base, schedstat: [900_500, 41] };
        let [policy, every] = await both(hs, [{ ...ran, ...fileValues(), omit: [file] }]);
        assert.equal(policy.get('namedprocess_scrape_partial_errors'), every.get('namedprocess_scrape_partial_errors'), file);
        // then it stands still: read in full all the same
        [policy, every] = await both(hs, [{ ...ran, ...fileValues() }]);
        assert.equal(policy.get(HELD), '0', file);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every), file);
      }
    });

    test('without a readable schedstat (a kernel without it) every process is read in full; a bad one is no error', async () => {
      for (const schedstat of [undefined, 'x y z\n']) {
        const p: FakeProc = { ...base, schedstat: undefined, raw: schedstat === undefined ? undefined : { schedstat } };
        const hs = await pair([p]);
        for (let i = 0; i < 3; i++) {
          const [policy, every] = await both(hs, [{ ...p, ...fileValues() }]);
          assert.equal(policy.get(HELD), '0');
          assert.equal(policy.get('namedprocess_scrape_partial_errors'), '0');
          assert.deepEqual(withoutSelf(policy), withoutSelf(every));
        }
      }
    });

    test('a multi-threaded process whose threads have no schedstat is read in full', async () => {
      const p: FakeProc = { ...base, threads: [{ tid: 10 }, { tid: 11 }] };
      const hs = await pair([p]);
      for (let i = 0; i < 2; i++) {
        const [policy, every] = await both(hs, [{ ...p, ...fileValues() }]);
        assert.equal(policy.get(HELD), '0');
        assert.equal(hs[0].collector.tracker.lastThreadsHeld, 0);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every));
      }
    });
  });

  describe(`${label}: threads that have not run (-gather-idle.max-age)`, () => {
    const thread = (tid: number, comm: string, sched: number): FakeThread => ({
      tid, comm, utime: 10 * tid, stime: tid, minflt: 100 + tid, majflt: 1, ctxVol: 5 * tid, ctxNonvol: tid, readBytes: 1000 * tid, writeBytes: 10 * tid,
      wchan: 'futex_wait_queue', schedstat: [sched, 30 + tid],
    });
    const base: FakeProc = {
      pid: 10, comm: 'app', starttime: 500, utime: 60, stime: 20, minflt: 300, majflt: 3, rss: 10, vsize: 40960,
      ctxVol: 50, ctxNonvol: 10, readBytes: 30000, writeBytes: 300, vmSwapKb: 4, schedstat: [800_000, 40],
      threads: [thread(10, 'app', 800_000), thread(11, 'worker', 700_000), thread(12, 'gc', 600_000)],
    };
    // one thread's run: its schedstat moves, and so may everything it reports
    let k = 0;
    const ran = (t: FakeThread): FakeThread => {
      k++;
      return {
        ...t, schedstat: [Number(t.schedstat![0]) + 1000 * k, Number(t.schedstat![1]) + (k % 2)], ctxVol: Number(t.ctxVol) + k, ctxNonvol: Number(t.ctxNonvol) + 1,
        readBytes: Number(t.readBytes) + 100 * k, writeBytes: Number(t.writeBytes) + 10 * k, wchan: `wait_${k}`, utime: Number(t.utime) + (k % 3 === 0 ? 1 : 0),
      };
    };
    // the process files that threads running move: status (the main thread's switches), io (every thread's bytes)
    const procRan = (p: FakeProc): FakeProc => ({ ...p, ctxVol: Number(p.ctxVol) + 1, readBytes: Number(p.readBytes) + 100, writeBytes: Number(p.writeBytes) + 10 });
    const pair = async (procs: FakeProc[] = [base], threads = true) => [
      await start(procs, { procnames: ['app'], threads }),
      await start(procs, { procnames: ['app'], threads, idleMaxAgeMs: 0 }),
    ];
    const scrape = scrapeHeld;
    const both = bothHeld;
    const withoutSelf = groupFamilies;
    const th = (p: FakeProc, tid: number) => p.threads!.find((t) => t.tid === tid)!;
    const withThreads = (p: FakeProc, threads: FakeThread[]): FakeProc => ({ ...p, threads });

    test('thread values equal reading every thread every scrape whenever the thread ran', async () => {
      for (const threads of [true, false]) {
        const hs = await pair([base], threads);
        let p = base;
        // each step: what changed since the last scrape, and how many threads the policy held
        const steps: Array<[string, (p: FakeProc) => FakeProc, number]> = [
          ['nothing ran', (q) => q, 3],
          ['one thread ran', (q) => procRan(withThreads(q, [th(q, 10), ran(th(q, 11)), th(q, 12)])), 2],
          ['two ran, one of them only switched in', (q) => procRan(withThreads(q, [ran(th(q, 10)), { ...th(q, 11), schedstat: [th(q, 11).schedstat![0], Number(th(q, 11).schedstat![1]) + 1], ctxVol: Number(th(q, 11).ctxVol) + 1 }, th(q, 12)])), 1],
          ['nothing ran again', (q) => q, 3],
          ['a thread woken but not yet on a CPU while another ran: its state moved', (q) => procRan(withThreads(q, [ran(th(q, 10)), th(q, 11), { ...th(q, 12), state: 'R', wchan: '0' }])), 1],
          ['a thread renamed by another', (q) => procRan(withThreads(q, [ran(th(q, 10)), th(q, 11), { ...th(q, 12), comm: 'gc-renamed' }])), 2],
          ['a thread created', (q) => procRan(withThreads(q, [ran(th(q, 10)), th(q, 11), th(q, 12), thread(13, 'new', 5_000)])), 2],
          ['a thread exited', (q) => procRan(withThreads(q, [ran(th(q, 10)), th(q, 12), th(q, 13)])), 2],
          ['the process stat moved', (q) => ({ ...procRan(withThreads(q, [ran(th(q, 10)), th(q, 12), th(q, 13)])), utime: Number(q.utime) + 1 }), 2],
          ['nothing ran once more', (q) => q, 3],
          ['a thread created and another exited: the same count', (q) => procRan(withThreads(q, [ran(th(q, 10)), th(q, 12), thread(14, 'new2', 9_000)])), 1],
          ['nothing ran at last', (q) => q, 3],
        ];
        for (const [what, step, held] of steps) {
          p = step(p);
          p = { ...p, numThreads: p.threads!.length };
          const [policy, every] = await both(hs, [p]);
          assert.deepEqual(withoutSelf(policy), withoutSelf(every), `${what} (threads ${threads})`);
          assert.equal(policy.get(THREADS_HELD), String(held), `${what} (threads ${threads})`);
          assert.equal(every.get(THREADS_HELD), '0');
          assert.equal(policy.get(HELD), held === p.threads!.length ? '1' : '0', what);
        }
      }
    });

    test('a thread that has not run keeps what status, io and wchan said, until the maximum age', async () => {
      // files change under threads that did not run (no kernel does this): what is reported shows what was read
      const moved = (t: FakeThread): FakeThread => ({ ...t, ctxVol: Number(t.ctxVol) + 1000, readBytes: Number(t.readBytes) + 1000, wchan: 'moved' });
      for (const other of ['none ran', 'thread 10 ran'] as const) {
        const hs = await pair();
        const policy = hs[0];
        const wchanMoved = (m: Map<string, string>) => m.get('namedprocess_namegroup_threads_wchan{groupname="app",wchan="moved"}');
        let p = withThreads(base, [th(base, 10), moved(th(base, 11)), moved(th(base, 12))]);
        let s = await (async () => {
          await policy.set([p]);
          return scrape(policy);
        })();
        assert.equal(wchanMoved(s), undefined, other);
        assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_thread_io_bytes_total{iomode="read",threadname="worker"}'), '0', other);
        // each scrape advances the clock 15 s; the full read at start is 5 minutes old after 20 scrapes
        let scrapes = 1;
        while (wchanMoved(s) === undefined && scrapes < 30) {
          if (other === 'thread 10 ran') {
            p = procRan(withThreads(p, [ran(th(p, 10)), th(p, 11), th(p, 12)]));
            await policy.set([p]);
          }
          s = await scrape(policy);
          scrapes++;
        }
        assert.equal(scrapes, 20, other);
        assert.equal(wchanMoved(s), '2', other);
        assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_thread_io_bytes_total{iomode="read",threadname="worker"}'), '1000', other);
        // and held again from there, all three once nothing runs
        s = await scrape(policy);
        assert.equal(s.get(THREADS_HELD), '3', other);
      }
    });

    test('a process of which no thread ran keeps its status and io too, until the maximum age', async () => {
      const hs = await pair();
      const policy = hs[0];
      await policy.set([procRan(procRan(base))]);
      let s = await scrape(policy);
      assert.equal(s.get(HELD), '1');
      assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_read_bytes_total'), '0');
      let scrapes = 1;
      while (s.get(HELD) === '1' && scrapes < 30) {
        s = await scrape(policy);
        scrapes++;
      }
      assert.equal(scrapes, 20);
      assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_read_bytes_total'), '200');
    });

    test('a read that failed is not held: the next cycle reads that thread in full', async () => {
      for (const file of ['task/11/io', 'task/11/wchan']) {
        const hs = await pair();
        let p = procRan(withThreads(base, [th(base, 10), ran(th(base, 11)), th(base, 12)]));
        let [policy, every] = await both(hs, [{ ...p, omit: [file] }]);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every), file);
        // then nothing runs: thread 11 is read in full all the same, the others are held
        [policy, every] = await both(hs, [p]);
        assert.equal(policy.get(THREADS_HELD), '2', file);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every), file);
        [policy, every] = await both(hs, [p]);
        assert.equal(policy.get(THREADS_HELD), '3', file);
        p = procRan(withThreads(p, [ran(th(p, 10)), th(p, 11), th(p, 12)]));
        [policy, every] = await both(hs, [p]);
        assert.deepEqual(withoutSelf(policy), withoutSelf(every), file);
      }
    });

    test('a bad thread schedstat holds nothing and is no error', async () => {
      const p: FakeProc = { ...base, raw: { 'task/11/schedstat': 'x y z\n' } };
      const hs = await pair([p]);
      for (let i = 0; i < 3; i++) {
        const [policy, every] = await both(hs, [p]);
        assert.equal(policy.get(THREADS_HELD), '2');
        assert.equal(policy.get('namedprocess_scrape_partial_errors'), '0');
        assert.deepEqual(withoutSelf(policy), withoutSelf(every));
      }
    });
  });

  describe(`${label}: counters (docs/behaviour.md#first-sight, docs/behaviour.md#counters, docs/behaviour.md differences #1)`, () => {
    test('pre-existing processes count from zero, then by deltas; gauges are replaced', async () => {
      const p: FakeProc = { pid: 10, comm: 'app', starttime: 500, utime: 50, stime: 20, minflt: 100, majflt: 5, readBytes: 1000, writeBytes: 2000, ctxVol: 7, ctxNonvol: 3, rss: 10, vsize: 40960, fdCount: 4, fdSoftLimit: 400, vmSwapKb: 10, pssKb: 8, swapPssKb: 2 };
      const h = await start([p], { procnames: ['app'] });
      let g = groupSamples(await h.samples(), 'app');
      assert.equal(g.get('namedprocess_namegroup_cpu_seconds_total{mode="user"}'), '0');
      assert.equal(g.get('namedprocess_namegroup_read_bytes_total'), '0');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="resident"}'), '40960');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="virtual"}'), '40960');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="swapped"}'), '10240');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="proportionalResident"}'), '8192');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="proportionalSwapped"}'), '2048');
      assert.equal(g.get('namedprocess_namegroup_open_filedesc'), '4');
      assert.equal(g.get('namedprocess_namegroup_worst_fd_ratio'), '0.01');

      await h.set([{ ...p, utime: 70, stime: 25, minflt: 150, majflt: 6, readBytes: 1500, writeBytes: 2100, ctxVol: 10, ctxNonvol: 4, rss: 20, fdCount: 100 }]);
      g = groupSamples(await h.samples(), 'app');
      // ticks become seconds before the subtraction, as in the reference: 0.7 - 0.5
      assert.equal(g.get('namedprocess_namegroup_cpu_seconds_total{mode="user"}'), '0.19999999999999996');
      assert.equal(g.get('namedprocess_namegroup_cpu_seconds_total{mode="system"}'), '0.04999999999999999');
      assert.equal(g.get('namedprocess_namegroup_minor_page_faults_total'), '50');
      assert.equal(g.get('namedprocess_namegroup_major_page_faults_total'), '1');
      assert.equal(g.get('namedprocess_namegroup_read_bytes_total'), '500');
      assert.equal(g.get('namedprocess_namegroup_write_bytes_total'), '100');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary"}'), '3');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="nonvoluntary"}'), '1');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="resident"}'), '81920');
      assert.equal(g.get('namedprocess_namegroup_worst_fd_ratio'), '0.25');
    });

    test('a counter that goes down adds nothing and counting resumes from the new value', async () => {
      const p: FakeProc = { pid: 10, comm: 'app', starttime: 500, readBytes: 1000 };
      const h = await start([p], { procnames: ['app'] });
      await h.samples();
      await h.set([{ ...p, readBytes: 400 }]);
      assert.equal(groupSamples(await h.samples(), 'app').get('namedprocess_namegroup_read_bytes_total'), '0');
      await h.set([{ ...p, readBytes: 1500 }]);
      assert.equal(groupSamples(await h.samples(), 'app').get('namedprocess_namegroup_read_bytes_total'), '1100');
    });

    test('an unreadable io adds 0, keeps the last good baseline, and is a partial error', async () => {
      const p: FakeProc = { pid: 10, comm: 'app', starttime: 500, readBytes: 1000 };
      const h = await start([p], { procnames: ['app'] });
      let s = await h.samples();
      const partial0 = Number(s.get('namedprocess_scrape_partial_errors'));
      await h.set([{ ...p, readBytes: 1200, omit: ['io'] }]);
      s = await h.samples();
      assert.equal(groupSamples(s, 'app').get('namedprocess_namegroup_read_bytes_total'), '0');
      assert.equal(Number(s.get('namedprocess_scrape_partial_errors')), partial0 + 1);
      await h.set([{ ...p, readBytes: 1300 }]);
      assert.equal(groupSamples(await h.samples(), 'app').get('namedprocess_namegroup_read_bytes_total'), '300');
    });

    test('a process born after start counts from birth, even when found a scrape later', async () => {
      const h = await start([{ pid: 10, comm: 'app', starttime: 500 }], { procnames: ['app'] });
      await h.samples();
      await h.set([{ pid: 10, comm: 'app', starttime: 500 }, { pid: 11, comm: 'app', starttime: AFTER_START_TICKS, utime: 30, readBytes: 4096, ctxVol: 9 }]);
      const g = groupSamples(await h.samples(), 'app');
      assert.equal(g.get('namedprocess_namegroup_num_procs'), '2');
      assert.equal(g.get('namedprocess_namegroup_cpu_seconds_total{mode="user"}'), '0.3');
      assert.equal(g.get('namedprocess_namegroup_read_bytes_total'), '4096');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary"}'), '9');
    });

    test('a process exits: its group keeps its counters and shows as empty (docs/behaviour.md#groups)', async () => {
      const p: FakeProc = { pid: 10, comm: 'app', starttime: 500, readBytes: 100 };
      const h = await start([p], { procnames: ['app'] });
      await h.samples();
      await h.set([{ ...p, readBytes: 300 }]);
      await h.samples();
      await h.set([]);
      const text = await h.scrape();
      const g = groupSamples((await import('./harness')).parseSamples(text), 'app');
      assert.equal(g.get('namedprocess_namegroup_num_procs'), '0');
      assert.equal(g.get('namedprocess_namegroup_read_bytes_total'), '200');
      assert.equal(g.get('namedprocess_namegroup_oldest_start_time_seconds'), '-6.21355968e+10');
      assert.equal(g.get('namedprocess_namegroup_memory_bytes{memtype="proportionalResident"}'), '0');
      assert.equal(g.get('namedprocess_namegroup_states{state="Sleeping"}'), '0');
      assert.ok(!text.includes('threads_wchan{'), 'no wchan samples for an empty group');
    });

    test('-remove-empty-groups forgets the group and its counters', async () => {
      const p: FakeProc = { pid: 10, comm: 'app', starttime: 500, readBytes: 100 };
      const h = await start([p], { procnames: ['app'], removeEmptyGroups: true });
      await h.samples();
      await h.set([{ ...p, readBytes: 300 }]);
      assert.equal(groupSamples(await h.samples(), 'app').get('namedprocess_namegroup_read_bytes_total'), '200');
      await h.set([]);
      assert.equal(groupSamples(await h.samples(), 'app').size, 0);
      await h.set([{ pid: 12, comm: 'app', starttime: 600, readBytes: 999 }]);
      // a pre-existing process picked up late counts from now: the group restarted from 0
      assert.equal(groupSamples(await h.samples(), 'app').get('namedprocess_namegroup_read_bytes_total'), '0');
    });
  });

  describe(`${label}: children (docs/behaviour.md#ignoring-recheck-and-children, upstream test TestTrackerChildren)`, () => {
    test('children of a tracked process join its group, grandchildren too', async () => {
      const h = await start([{ pid: 1, comm: 'g1', ppid: 0, starttime: 1 }, { pid: 2, comm: 'g2', ppid: 1, starttime: 2 }], { procnames: ['g2'] });
      let s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g2"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g1"}'), undefined);
      await h.set([
        { pid: 1, comm: 'g1', ppid: 0, starttime: 1 },
        { pid: 2, comm: 'g2', ppid: 1, starttime: 2 },
        { pid: 3, comm: 'g3', ppid: 2, starttime: 3 },
        { pid: 4, comm: 'g4', ppid: 3, starttime: 4 },
      ]);
      s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="g2"}'), '3');
    });
    test('-children=false does not adopt', async () => {
      const h = await start([{ pid: 2, comm: 'g2', ppid: 1, starttime: 2 }, { pid: 3, comm: 'g3', ppid: 2, starttime: 3 }], { procnames: ['g2'], children: false });
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="g2"}'), '1');
    });
    test('a ppid loop does not hang', async () => {
      const h = await start([{ pid: 5, comm: 'a', ppid: 6, starttime: 2 }, { pid: 6, comm: 'b', ppid: 5, starttime: 3 }, { pid: 7, comm: 'c', ppid: 7, starttime: 3 }], { procnames: ['z'] });
      assert.equal([...(await h.samples()).keys()].filter((k) => k.includes('groupname')).length, 0);
    });
  });

  describe(`${label}: ignoring and recheck (docs/behaviour.md#ignoring-recheck-and-children, docs/behaviour.md differences #5, #8)`, () => {
    test('an ignored process is not picked up after a rename without -recheck', async () => {
      const h = await start([{ pid: 5, comm: 'foo', starttime: 2 }], { procnames: ['zsh'] });
      await h.samples();
      await h.set([{ pid: 5, comm: 'zsh', starttime: 2 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="zsh"}'), undefined);
    });
    test('with -recheck it is', async () => {
      const h = await start([{ pid: 5, comm: 'foo', starttime: 2 }], { procnames: ['zsh'], recheck: true });
      await h.samples();
      await h.set([{ pid: 5, comm: 'zsh', starttime: 2 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="zsh"}'), '1');
    });
    test('-children=false alone does not recheck (docs/behaviour.md differences #5)', async () => {
      const h = await start([{ pid: 5, comm: 'foo', starttime: 2 }], { procnames: ['zsh'], children: false });
      await h.samples();
      await h.set([{ pid: 5, comm: 'zsh', starttime: 2 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="zsh"}'), undefined);
    });
    test('-recheck-with-time-limit rechecks young processes only', async () => {
      // starts 999.98 s after boot: 20 ms before the exporter; the limit is 30 s
      const h = await start([{ pid: 5, comm: 'foo', starttime: 99_998 }, { pid: 6, comm: 'foo', starttime: 50 }], { procnames: ['zsh'], recheck: true, recheckWithTimeLimitMs: 30_000 });
      await h.samples(); // t = +15 s
      await h.set([{ pid: 5, comm: 'zsh', starttime: 99_998 }, { pid: 6, comm: 'zsh', starttime: 50 }]);
      const s = await h.samples(); // t = +30 s: pid 5 is still inside its window (start + 30 s > now)
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="zsh"}'), '1');
    });
    test('a negative -recheck-with-time-limit ignores at once, it does not recheck forever', async () => {
      const h = await start([{ pid: 5, comm: 'foo', starttime: 99_998 }], { procnames: ['zsh'], recheck: true, recheckWithTimeLimitMs: -1000 });
      await h.samples();
      await h.set([{ pid: 5, comm: 'zsh', starttime: 99_998 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="zsh"}'), undefined);
    });
    test('an exec under -recheck re-matches a tracked process (docs/behaviour.md differences #8)', async () => {
      const h = await start([{ pid: 5, comm: 'bash', starttime: 2 }], { procnames: ['bash', 'fish'], recheck: true });
      await h.samples();
      await h.set([{ pid: 5, comm: 'fish', starttime: 2 }]);
      const s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="fish"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="bash"}'), '0');
    });
    test('without -recheck a renamed process stays in its group (docs/behaviour.md#sticky-names)', async () => {
      const h = await start([{ pid: 5, comm: 'bash', starttime: 2 }], { procnames: ['bash', 'fish'] });
      await h.samples();
      await h.set([{ pid: 5, comm: 'fish', starttime: 2 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="bash"}'), '1');
    });
  });

  describe(`${label}: threads (docs/behaviour.md#threads, docs/behaviour.md differences #2, #3, #7)`, () => {
    const threads = (vol: [number, number, number?]) =>
      [
        { tid: 20, comm: 'main', state: 'S', ctxVol: vol[0], utime: 10, wchan: 'ep_poll' },
        { tid: 21, comm: 'worker', state: 'R', ctxVol: vol[1], utime: 20 },
        ...(vol[2] !== undefined ? [{ tid: 22, comm: 'worker', state: 'S', ctxVol: vol[2], utime: 5, wchan: 'futex_wait_queue' }] : []),
      ];
    test('per-thread deltas; an exiting thread keeps what it gave; every thread counted once', async () => {
      const base: FakeProc = { pid: 20, comm: 'java', starttime: 5, state: 'S' };
      const h = await start([{ ...base, threads: threads([100, 200, 300]) }], { procnames: ['java'] });
      let g = groupSamples(await h.samples(), 'java');
      assert.equal(g.get('namedprocess_namegroup_num_threads'), '3');
      assert.equal(g.get('namedprocess_namegroup_states{state="Sleeping"}'), '2');
      assert.equal(g.get('namedprocess_namegroup_states{state="Running"}'), '1');
      assert.equal(g.get('namedprocess_namegroup_threads_wchan{wchan="ep_poll"}'), '1');
      assert.equal(g.get('namedprocess_namegroup_thread_count{threadname="worker"}'), '2');
      assert.equal(g.get('namedprocess_namegroup_thread_count{threadname="main"}'), '1');

      await h.set([{ ...base, threads: threads([110, 230, 301]) }]);
      g = groupSamples(await h.samples(), 'java');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary"}'), '41');
      assert.equal(g.get('namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",threadname="worker"}'), '31');

      // thread 22 exits: the group counter must not drop or wrap
      await h.set([{ ...base, threads: threads([115, 235]) }]);
      g = groupSamples(await h.samples(), 'java');
      assert.equal(g.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary"}'), '51');
      assert.equal(g.get('namedprocess_namegroup_thread_count{threadname="worker"}'), '1');
      assert.equal(g.get('namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",threadname="worker"}'), '36');
    });
    test('thread families are not written with -threads=false, but states still count threads', async () => {
      const h = await start([{ pid: 20, comm: 'java', starttime: 5, threads: threads([1, 2, 3]) }], { procnames: ['java'], threads: false });
      const text = await h.scrape();
      assert.ok(!text.includes('namegroup_thread_'), text);
      assert.ok(text.includes('namedprocess_namegroup_states{groupname="java",state="Running"} 1'));
    });
    test('a thread name absent for a cycle keeps its history (docs/behaviour.md differences #7)', async () => {
      const base: FakeProc = { pid: 20, comm: 'java', starttime: 5 };
      const h = await start([{ ...base, threads: [{ tid: 20, comm: 'main', utime: 0 }, { tid: 21, comm: 'gc', utime: 100 }] }], { procnames: ['java'] });
      await h.samples();
      await h.set([{ ...base, threads: [{ tid: 20, comm: 'main', utime: 0 }, { tid: 21, comm: 'gc', utime: 150 }] }]);
      assert.equal(groupSamples(await h.samples(), 'java').get('namedprocess_namegroup_thread_cpu_seconds_total{mode="user",threadname="gc"}'), '0.5');
      await h.set([{ ...base, threads: [{ tid: 20, comm: 'main' }, { tid: 23, comm: 'other' }] }]);
      assert.equal(groupSamples(await h.samples(), 'java').get('namedprocess_namegroup_thread_cpu_seconds_total{mode="user",threadname="gc"}'), undefined);
      await h.set([{ ...base, threads: [{ tid: 20, comm: 'main' }, { tid: 24, comm: 'gc', utime: 10 }] }]);
      await h.samples();
      await h.set([{ ...base, threads: [{ tid: 20, comm: 'main' }, { tid: 24, comm: 'gc', utime: 30 }] }]);
      assert.equal(groupSamples(await h.samples(), 'java').get('namedprocess_namegroup_thread_cpu_seconds_total{mode="user",threadname="gc"}'), '0.7');
    });
  });

  describe(`${label}: errors never cost the scrape (docs/behaviour.md#errors, docs/behaviour.md differences #4, #13, #16)`, () => {
    test('limits unreadable for a new process: a read error every cycle, not tracked', async () => {
      const h = await start([{ pid: 5, comm: 'a', starttime: 2, omit: ['limits'] }, { pid: 6, comm: 'a', starttime: 2 }], { procnames: ['a'] });
      let s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="a"}'), '1');
      assert.equal(s.get('namedprocess_scrape_procread_errors'), '2');
      s = await h.samples();
      assert.equal(s.get('namedprocess_scrape_procread_errors'), '3');
    });
    test('status unreadable for a tracked process: it stays tracked, a partial error', async () => {
      const p: FakeProc = { pid: 5, comm: 'a', starttime: 2, vmSwapKb: 4 };
      const h = await start([p], { procnames: ['a'] });
      await h.samples();
      await h.set([{ ...p, omit: ['status'] }]);
      const s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="a"}'), '1');
      assert.equal(s.get('namedprocess_namegroup_memory_bytes{groupname="a",memtype="swapped"}'), '4096');
      assert.equal(s.get('namedprocess_scrape_partial_errors'), '1');
      assert.equal(s.get('namedprocess_scrape_procread_errors'), '0');
    });
    test('missing wchan, fd, smaps: partial errors, one per process and cycle', async () => {
      const h = await start([{ pid: 5, comm: 'a', starttime: 2, omit: ['wchan', 'fd', 'smaps_rollup'] }], { procnames: ['a'] });
      const s = await h.samples();
      assert.equal(s.get('namedprocess_scrape_partial_errors'), '2');
      assert.equal(s.get('namedprocess_namegroup_open_filedesc{groupname="a"}'), '0');
    });
    test('garbage in stat skips that process only', async () => {
      const h = await start([{ pid: 5, comm: 'a', starttime: 2, raw: { stat: 'garbage' } }, { pid: 6, comm: 'a', starttime: 2 }], { procnames: ['a'] });
      assert.equal((await h.samples()).get('namedprocess_namegroup_num_procs{groupname="a"}'), '1');
    });
    test('invalid UTF-8 in comm and thread names becomes U+FFFD', async () => {
      const bad = Buffer.from([0x62, 0x61, 0xff, 0x73, 0x68]);
      const h = await start(
        [{ pid: 5, comm: 'x', starttime: 2, raw: { stat: statWithComm(5, bad) }, threads: [{ tid: 5, comm: 'x' }, { tid: 6, comm: 'y' }] }],
        {},
      );
      const text = await h.scrape();
      assert.ok(text.includes('groupname="ba\uFFFDsh"'), text);
    });
    test('the procfs root disappearing is a scrape error; it recovers when it comes back', async () => {
      const p: FakeProc = { pid: 5, comm: 'a', starttime: 2, readBytes: 10 };
      const h = await start([p], { procnames: ['a'] });
      await h.samples();
      await rm(h.fs.root, { recursive: true, force: true });
      const text = await h.scrape();
      assert.equal(text.split('\n').filter((l) => l.startsWith('namedprocess_') && !l.startsWith('namedprocess_scrape')).length, 0, text);
      assert.match(text, /^namedprocess_scrape_errors 1$/m);
      await h.fs.set([{ ...p, readBytes: 50 }]);
      assert.equal((await h.samples()).get('namedprocess_namegroup_read_bytes_total{groupname="a"}'), '40');
    });
  });
  describe(`${label}: the exact exposition`, () => {
    test('two live groups (one multi-threaded) and an empty one, after one change', async () => {
      const base: FakeProc[] = [
        { pid: 10, comm: 'web', starttime: 500, utime: 50, readBytes: 100, fdCount: 5, fdSoftLimit: 1024, rss: 2, vsize: 8192, wchan: 'ep_poll', pssKb: 4 },
        { pid: 20, comm: 'java', starttime: 600, state: 'S', threads: [{ tid: 20, comm: 'java', state: 'S', ctxVol: 1 }, { tid: 21, comm: 'C2 "x"', state: 'R', ctxVol: 2, utime: 3 }] },
        { pid: 30, comm: 'gone', starttime: 700, readBytes: 10 },
      ];
      const h = await start(base, { procnames: ['web', 'java', 'gone'] });
      await h.scrape();
      await h.set([
        { ...base[0], utime: 60, readBytes: 300, fdCount: 6 },
        { ...base[1], threads: [{ tid: 20, comm: 'java', state: 'S', ctxVol: 4 }, { tid: 21, comm: 'C2 "x"', state: 'R', ctxVol: 2, utime: 13 }] },
      ]);
      // checked by hand: e.g. web user cpu 0.6 - 0.5 as Go computes it, the empty group in Go zero time,
      // java states once per thread
      assertGolden('two-cycles.prom', await h.scrape());
    });
  });
}

/** A stat line with arbitrary comm bytes. */
function statWithComm(pid: number, comm: Buffer): Buffer {
  const rest = ' S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 2 1000 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
  return Buffer.concat([Buffer.from(`${pid} (`), comm, Buffer.from(')'), Buffer.from(rest)]);
}

cycleSuite('ts reader', tsScanner);

// the same suite on the native scanner, when it is built (the reader-diff tests prove the columns equal)
{
  const { loadNative, createNativeScanner } = require('../src/proc/native') as typeof import('../src/proc/native');
  const native = loadNative();
  if (native.addon !== undefined) cycleSuite('native reader', (procfs) => createNativeScanner({ procfs }).scanner!);
  else test('native reader: cycle suite', { skip: `the native scanner is not built: ${native.reason}` }, () => {});
}
