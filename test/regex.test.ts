// GoRegex answers the most common patterns with string operations: they must give exactly what the
// real engine (re2js, Go's RE2) gives, on any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { GoRegex, RegexSyntaxError } from '../src/config/regex';

function reference(source: string, s: string): { test: boolean; match: string[] | null; names: string[] } {
  const re = RE2JS.compile(source);
  const names = new Array<string>(re.groupCount() + 1).fill('');
  for (const [name, i] of Object.entries(re.namedGroups())) names[i] = name;
  const m = re.matcher(s);
  const match = m.find() ? names.map((_, i) => m.group(i) ?? '') : null;
  return { test: re.test(s), match, names };
}

function assertSame(source: string, s: string): void {
  const want = reference(source, s);
  const re = new GoRegex(source);
  assert.deepEqual([...re.subexpNames], want.names, `subexpNames of ${JSON.stringify(source)}`);
  assert.equal(re.test(s), want.test, `test(${JSON.stringify(s)}) of ${JSON.stringify(source)}`);
  assert.deepEqual(re.findSubmatch(s), want.match, `findSubmatch(${JSON.stringify(s)}) of ${JSON.stringify(source)}`);
}

// newlines, unicode (astral, combining), a lone surrogate, and the characters the patterns use
const CHARS = ['a', 'b', 'c', ' ', '\n', '\r', '\t', 'é', 'e\u0301', '😀', '\uD800', '\uDC00', '/', '-', '=', ':', '.', '$', '^', '\0'];
const text = fc.oneof(
  fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);
const LITERAL_CHARS = ['a', 'b', ' ', '\n', 'é', '😀', '/', '-', '=', ':', '#', '"', "'", '<', '>', ',', '~'];
const literal = fc.array(fc.constantFrom(...LITERAL_CHARS), { maxLength: 4 }).map((a) => a.join(''));
const pattern = fc.oneof(
  fc.constantFrom('.+', '.*', '', '^', '$', '^$'),
  fc.tuple(fc.boolean(), literal, fc.boolean()).map(([s, l, e]) => `${s ? '^' : ''}${l}${e ? '$' : ''}`),
  // near misses that must go to the engine
  fc.constantFrom('.', '.+$', '^.+', '.*$', '$$', '^^', 'a.b', 'a|b', '(a)', '(?P<x>a)', 'a+', 'a?', '[a]', 'a{2}', '\\d', 'a$b', 'a^b', '(?m)a$', '(?s).+'),
);

test('string patterns match exactly as the engine on any text (property)', () => {
  fc.assert(
    fc.property(pattern, text, (p, s) => {
      assertSame(p, s);
      // a text that contains the literal, at its start and end
      const lit = p.replace(/^\^/, '').replace(/\$$/, '');
      for (const t of [lit + s, s + lit, s + lit + s, lit]) assertSame(p, t);
    }),
    { numRuns: 3000 },
  );
});

test('string patterns: the cases that decide them', () => {
  const cases: Array<[string, string]> = [
    ['.+', ''], ['.+', '\n'], ['.+', '\n\n'], ['.+', '\nab\ncd'], ['.+', 'ab\n'], ['.+', '😀\n'],
    ['.*', ''], ['.*', '\nab'], ['.*', 'ab\ncd'],
    ['', ''], ['', 'abc'], ['^', 'x'], ['$', 'x\n'], ['^$', ''], ['^$', '\n'],
    ['bin', '/usr/bin/x'], ['^/usr', '/usr/bin'], ['^/usr', ' /usr'], ['sh$', 'bash'], ['sh$', 'bash\n'],
    ['^bash$', 'bash'], ['^bash$', 'bash\n'], ['^bash$', 'bashbash'], ['a b', 'xa by'],
  ];
  for (const [p, s] of cases) assertSame(p, s);
});

test('other patterns still go to the engine, with its groups and Go error texts', () => {
  assertSame('^(?P<Comm>[a-z]+) (.*)$', 'bash -c x');
  assert.deepEqual(new GoRegex('(?P<a>x)(y)').subexpNames, ['', 'a', '']);
  assert.throws(() => new GoRegex('a('), (e: unknown) => e instanceof RegexSyntaxError && e.message === 'error parsing regexp: missing closing ): `a(`');
  assert.throws(() => new GoRegex('a\\'), (e: unknown) => e instanceof RegexSyntaxError && e.message === 'error parsing regexp: trailing backslash at end of expression: ``');
  assert.throws(() => new GoRegex('*'), (e: unknown) => e instanceof RegexSyntaxError && e.message === 'error parsing regexp: missing argument to repetition operator: `*`');
});
