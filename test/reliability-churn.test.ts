// Reliability, short form of the churn: 200 short-lived processes per second on the live /proc for a
// few seconds while the built exporter is scraped; no scrape fails, no counter goes down; with distinct
// names and no flags, no group outlives its processes. Both readers.
// The long form (5 minutes, with the RSS check) is npm run reliability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildSpawner, runChurn, startOurs } from '../bench/churn';
import { loadNative } from '../src/proc/native';

const probe = buildSpawner();
const spawnerSkip = 'reason' in probe ? probe.reason : false;
if (!('reason' in probe)) rmSync(dirname(probe.bin), { recursive: true, force: true });
const nativeSkip = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';

for (const reader of ['ts', 'native'] as const) {
  test(`reliability: churn of 200 processes/s while scraping, ${reader} reader`, { skip: spawnerSkip || (reader === 'native' && nativeSkip) }, async () => {
    const again = buildSpawner();
    if ('reason' in again) throw new Error(again.reason);
    const prefix = `npechurn${reader}`;
    const ours = await startOurs(['-procnames', prefix], { NAMEDPROCESS_READER: reader });
    try {
      const r = await runChurn(again.bin, { seconds: 6, perSecond: 200, lifeMs: 300, scrapeEveryMs: 250, baselineAtSeconds: 2, port: ours.port, pid: ours.child.pid!, prefix });
      assert.deepEqual(r.failed, []);
      assert.deepEqual(r.decreases, []);
      assert.ok(r.sawChurnGroup, 'the churned processes were seen in their group');
      assert.ok(r.processesStarted >= 200, `only ${r.processesStarted} processes were started`);
    } finally {
      ours.child.kill('SIGTERM');
    }
  });
}

for (const reader of ['ts', 'native'] as const) {
  test(`no flags: 150 short-lived programs of distinct names come and go; ten seconds after the last exits no series names them, ${reader} reader`, { skip: spawnerSkip || (reader === 'native' && nativeSkip) }, async () => {
    const again = buildSpawner();
    if ('reason' in again) throw new Error(again.reason);
    // at most 8 characters: the spawner names each process prefix<number>, within comm's 15
    const prefix = reader === 'ts' ? 'npe1ts' : 'npe1nat';
    const ours = await startOurs([], { NAMEDPROCESS_READER: reader });
    try {
      const r = await runChurn(again.bin, { seconds: 3, perSecond: 50, lifeMs: 4000, scrapeEveryMs: 250, baselineAtSeconds: 1, port: ours.port, pid: ours.child.pid!, prefix, distinct: true });
      assert.deepEqual(r.failed, []);
      assert.deepEqual(r.decreases, []);
      assert.ok(r.sawChurnGroup, 'the churned processes were seen, each in a group of its own');
      assert.ok(r.processesStarted >= 150, `only ${r.processesStarted} processes were started`);
      assert.equal(r.leftoverSeries, 0);
      // and no row of the page names one, hidden or not: the groups are gone, not just empty
      const page = (await (await fetch(`http://127.0.0.1:${ours.port}/api/groups`)).json()) as { groups: Array<{ name: string; procs: number }> };
      assert.deepEqual(page.groups.filter((g) => g.name.startsWith(prefix)), []);
    } finally {
      ours.child.kill('SIGTERM');
    }
  });
}
