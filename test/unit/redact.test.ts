import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mask, Redactor } from '../../src/core/privacy/redact';
import { DEFAULT_PATTERNS } from '../../src/core/privacy/redactRules';

const r = new Redactor();

// Made-up secrets of each documented shape.
const SAMPLES: [string, string, string][] = [
  ['OpenAI key', 'key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv end', 'key ‹redacted: api key› end'],
  ['Anthropic key', 'x-api-key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx_yz-0123', 'x-api-key: ‹redacted: api key›'],
  ['AWS access key id', 'aws AKIAIOSFODNN7EXAMPLE here', 'aws ‹redacted: aws access key› here'],
  ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', '‹redacted: github token›'],
  ['Slack token', 'token=xoxb-1234567890-abcdefghijkl', 'token=‹redacted: slack token›'],
  ['bearer token', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'Authorization: Bearer ‹redacted: bearer token›'],
  ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nafter', '‹redacted: private key›\nafter'],
  ['private key cut short', 'k: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'k: ‹redacted: private key›'],
  ['e-mail address', 'write to jane.doe+tests@mail.example.co.uk today', 'write to ‹redacted: e-mail address› today'],
];

for (const [what, text, expected] of SAMPLES) {
  test(`default pattern: ${what}`, () => {
    assert.equal(r.text(text), expected);
  });
}

test('text without secrets is returned as is; near misses are not masked', () => {
  for (const text of ['sk-short', 'ask-me-anything-please-now', 'AKIA123', 'user@localhost', 'bearer of bad news', 'ghp_tooShort']) {
    assert.equal(r.text(text), text, text);
  }
});

test('overlapping matches merge into one mask, named by the rule listed first', () => {
  // An e-mail address whose local part is an API key: both rules match, overlapping.
  const text = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx@corp.example.com';
  const matches = r.matches(text);
  assert.equal(matches.length, 1);
  assert.deepEqual(matches[0], { start: 0, end: text.length, label: 'api key' });
  assert.equal(r.text(`a ${text} b`), 'a ‹redacted: api key› b');
  // Two separate secrets side by side stay two masks.
  assert.equal(r.text('AKIAIOSFODNN7EXAMPLE jane@example.com'), '‹redacted: aws access key› ‹redacted: e-mail address›');
});

test('attribute keys by glob mask the whole value; other values by pattern', () => {
  const custom = new Redactor({ keys: ['app.customer.*'], patterns: [{ label: 'customer id', regex: 'CUST-[0-9]{6}' }] });
  assert.deepEqual(
    custom.attributes({ 'db.password': 'hunter2', 'app.customer.name': 'Ann', 'note': 'for CUST-123456', 'count': 3, 'http.request.header.authorization': ['Basic abc'] }),
    { 'db.password': mask('secret attribute'), 'app.customer.name': mask('secret attribute'), note: 'for ‹redacted: customer id›', count: 3, 'http.request.header.authorization': mask('secret attribute') },
  );
  assert.deepEqual(custom.value({ messages: [{ role: 'user', content: 'my key is sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv' }], api_key: 'x' }), {
    messages: [{ role: 'user', content: 'my key is ‹redacted: api key›' }],
    api_key: mask('secret attribute'),
  });
});

test('a secret split across attribute values is not claimed', () => {
  const halves = { 'part.a': 'sk-proj-Ab3dEf6hIj', 'part.b': '9kLm2nOp5qRs8tUv' };
  assert.deepEqual(r.attributes(halves), halves);
  assert.deepEqual(r.find(halves, 'attributes'), []);
});

test('defaults can be turned off; a bad pattern is reported, not thrown', () => {
  const none = new Redactor({ defaults: false, patterns: [{ label: 'x', regex: '(' }] });
  assert.equal(none.text('sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv'), 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv');
  assert.equal(none.problems.length, 1);
  assert.match(none.problems[0], /not a regular expression/);
});

test('find names where the secrets are', () => {
  const found = r.find({ input: { messages: [{ content: 'mail me: a@b.example.org' }] }, 'db.password': 'x' }, 'span');
  assert.deepEqual(found, [
    { where: 'span["input"]["messages"][0]["content"]', label: 'e-mail address' },
    { where: 'span["db.password"]', label: 'secret attribute' },
  ]);
});

test('Check for Secrets: which span holds what, and where, JSON payloads searched by path', async () => {
  const { findSpanSecrets } = await import('../../src/core/privacy/spanSecrets');
  const span = { name: 'call', errorMessage: 'auth failed for ops@example.com' } as Parameters<typeof findSpanSecrets>[0];
  const details = {
    attributes: { 'input.value': JSON.stringify({ messages: [{ role: 'user', content: 'use sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv' }] }), 'db.password': 'x', 'plain': 'nothing here' },
    resourceAttributes: {},
    events: [{ name: 'log', timeNs: undefined, attributes: { line: 'Authorization: Bearer abcdefghijklmnop123' } }],
    links: [],
    traceState: undefined,
  };
  assert.deepEqual(findSpanSecrets(span, details, r), [
    { where: 'status message', label: 'e-mail address' },
    { where: 'attributes["input.value"]["messages"][0]["content"]', label: 'api key' },
    { where: 'attributes["db.password"]', label: 'secret attribute' },
    { where: 'events[0] log ["line"]', label: 'bearer token' },
  ]);
});
