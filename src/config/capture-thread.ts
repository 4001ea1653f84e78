// The worker thread of capture-offload.ts: finds one regex's groups in one long text. re2js tracks groups
// through the whole text (about half a microsecond to a microsecond per character), which is what must
// not run on the main thread for a megabyte-long command line.
import { parentPort } from 'node:worker_threads';
import { GoRegex } from './regex';
import type { CaptureJob, CaptureReply } from './capture-offload';
import { errorMessage } from '../base/errors';

const compiled = new Map<string, GoRegex>();

parentPort?.on('message', (job: CaptureJob) => {
  let reply: CaptureReply;
  try {
    let re = compiled.get(job.source);
    if (re === undefined) {
      if (compiled.size >= 1000) compiled.clear();
      re = new GoRegex(job.source, { inline: true });
      compiled.set(job.source, re);
    }
    reply = { id: job.id, groups: re.findSubmatch(job.text) };
  } catch (e) {
    reply = { id: job.id, error: errorMessage(e) };
  }
  parentPort!.postMessage(reply);
});
