import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLimits } from '../src/proc/parse/limits';
import { limitsText } from './fakeproc';

// Verbatim from a 6.18 kernel (trailing spaces included).
const REAL = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             96364                96364                processes 
Max open files            20000                20000                files     
Max locked memory         8388608              8388608              bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       96364                96364                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`;

test('soft Max open files of a real limits file', () => {
  assert.equal(parseLimits(REAL).openFilesSoft, 20000);
});

test('unlimited is 2^64-1 as a float64', () => {
  assert.equal(parseLimits(REAL.replace('Max open files            20000 ', 'Max open files            unlimited')).openFilesSoft, 2 ** 64);
});

test('the fakeproc table parses', () => {
  assert.equal(parseLimits(limitsText(1024)).openFilesSoft, 1024);
  assert.equal(parseLimits(limitsText('unlimited')).openFilesSoft, 2 ** 64);
});

test('a line that does not match the row pattern fails the read', () => {
  assert.throws(() => parseLimits(REAL + 'garbage\n'), /couldn't parse line/);
  // One space between the columns is not enough.
  assert.throws(() => parseLimits(REAL.replace('Max open files            20000                20000', 'Max open files 20000 20000')), /couldn't parse/);
});

test('a bad soft value of any known row fails, not only open files', () => {
  assert.throws(() => parseLimits(REAL.replace('Max stack size            8388608 ', 'Max stack size            lots    ')), /couldn't parse value "lots"/);
  assert.throws(() => parseLimits(REAL.replace('20000                20000', '99999999999999999999  20000')), /out of range/);
});

test('the header line is skipped unread; header-only and empty files give 0 without error', () => {
  assert.equal(parseLimits('anything at all\n').openFilesSoft, 0);
  assert.equal(parseLimits('').openFilesSoft, 0);
  // An unknown row that matches the pattern is ignored.
  assert.equal(parseLimits('h\nMax widgets               5                    5                    w\n').openFilesSoft, 0);
});
