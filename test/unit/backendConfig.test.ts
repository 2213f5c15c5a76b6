// `tracerun.backends` as users write it: what is kept, what is reported and left out, and
// where a header's secret is kept (by name and URL, so it never goes to another URL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendSecretKey, readBackends } from '../../src/core/remote/backendConfig';

test('valid backends are kept; each wrong one is named and left out', () => {
  const problems: string[] = [];
  const backends = readBackends(
    [
      { name: 'team', type: 'jaeger', url: 'http://jaeger.internal:16686', header: 'Authorization' },
      { name: 'ci', type: 'jaeger', url: ' https://ci.example.com/jaeger/ ' },
      { name: 'team', type: 'jaeger', url: 'http://other:16686' },
      { name: 'tempo', type: 'tempo', url: 'http://tempo:3200' },
      { name: 'typo', type: 'jaeger', url: 'jaeger:16686' },
      { name: 'leak', type: 'jaeger', url: 'http://x:16686', header: 'Authorization: Bearer abc' },
      { type: 'jaeger', url: 'http://x:16686' },
      'http://x:16686',
    ],
    problems,
  );
  assert.deepEqual(backends, [
    { name: 'team', type: 'jaeger', url: 'http://jaeger.internal:16686', header: 'Authorization' },
    { name: 'ci', type: 'jaeger', url: 'https://ci.example.com/jaeger/' },
  ]);
  assert.deepEqual(problems, [
    'tracerun.backends[2]: a second backend named "team"; ignored',
    'tracerun.backends[3] ("tempo"): "type" must be "jaeger"; ignored',
    'tracerun.backends[4] ("typo"): "url" must be the http(s) URL of Jaeger\'s query service, e.g. http://jaeger.internal:16686; ignored',
    'tracerun.backends[5] ("leak"): "header" must be a header name such as "Authorization" (its value goes in secret storage); ignored',
    'tracerun.backends[6] needs a "name"; ignored',
    'tracerun.backends[7] must be an object; ignored',
  ]);
  assert.deepEqual(readBackends(undefined, problems), []);
  const more: string[] = [];
  assert.deepEqual(readBackends({ name: 'team' }, more), []);
  assert.equal(more.length, 1);
});

test('a header secret is keyed by the backend’s name and URL', () => {
  const a = backendSecretKey({ name: 'team', url: 'http://jaeger.internal:16686' });
  assert.notEqual(a, backendSecretKey({ name: 'team', url: 'http://attacker.example:16686' }), 'a workspace reusing the name with its own URL gets no secret');
  assert.equal(a, backendSecretKey({ name: 'team', url: 'http://jaeger.internal:16686' }));
});
