import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWchan, wchanLabel } from '../src/proc/parse/wchan';

test('wchan is taken verbatim, no trimming', () => {
  assert.deepEqual([...parseWchan('ep_poll')], [...Buffer.from('ep_poll')]);
  assert.deepEqual([...parseWchan(Buffer.from('do_wait\n'))], [...Buffer.from('do_wait\n')]);
  assert.equal(wchanLabel('futex_wait_queue '), 'futex_wait_queue ');
});

test('"0" and "" mean no wchan', () => {
  assert.equal(wchanLabel('0'), '');
  assert.equal(wchanLabel(''), '');
  assert.equal(wchanLabel('00'), '00');
});
