import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeySecretName, isLoopbackUrl, LOCAL_PLACEHOLDER_KEY, lookUpApiKey, resolveApiKey, type SecretReader } from '../../src/core/replay/apiKey';
import { agreement, answerFacts, answerText, lineDiff } from '../../src/core/replay/replayDiff';

test('the key: stored first, then the provider variable, a placeholder only for this machine', () => {
  const env = { OPENAI_API_KEY: 'sk-env', ANTHROPIC_API_KEY: ' ' };
  assert.equal(resolveApiKey('openai', 'https://api.openai.com/v1', 'sk-stored', env), 'sk-stored');
  assert.equal(resolveApiKey('openai', 'https://api.openai.com/v1', undefined, env), 'sk-env');
  assert.equal(resolveApiKey('openai', 'https://api.openai.com/v1', '', env), 'sk-env', 'an empty stored key does not hide the variable');
  assert.equal(resolveApiKey('anthropic', 'https://api.anthropic.com', undefined, env), undefined, 'a blank variable is no key: ask');
  assert.equal(resolveApiKey('anthropic', 'http://localhost:8080', undefined, env), LOCAL_PLACEHOLDER_KEY);
  assert.equal(resolveApiKey('openai', 'http://127.0.0.1:11434/v1', undefined, {}), LOCAL_PLACEHOLDER_KEY);
  // Another provider's key is never sent.
  assert.equal(resolveApiKey('anthropic', 'https://api.anthropic.com', undefined, { OPENAI_API_KEY: 'sk-env' }), undefined);
  for (const url of ['http://[::1]:8000/v1', 'http://127.1.2.3/v1', 'http://localhost/v1']) assert.ok(isLoopbackUrl(url), url);
  for (const url of ['http://localhost.evil.example/v1', 'http://10.0.0.1/v1', 'not a url', 'http://127.0.0.1.nip.io/v1']) assert.ok(!isLoopbackUrl(url), url);
});

test("Replay's key lookup (ReplaySecrets.get): the provider's own secret, then its variable, then the placeholder for this machine", async () => {
  // A fake of VS Code's SecretStorage: what was stored, and which names were asked for.
  const stored = new Map<string, string>();
  const asked: string[] = [];
  const secrets: SecretReader = { get: async (key) => (asked.push(key), stored.get(key)) };
  const env = { OPENAI_API_KEY: 'sk-env-openai', ANTHROPIC_API_KEY: 'sk-env-anthropic' };
  // The names users' keys are kept under: renaming them would lose every stored key.
  assert.equal(apiKeySecretName('openai'), 'tracerun.replay.apiKey.openai');
  assert.equal(apiKeySecretName('anthropic'), 'tracerun.replay.apiKey.anthropic');

  assert.equal(await lookUpApiKey(secrets, 'openai', 'https://api.openai.com/v1', env), 'sk-env-openai', 'nothing stored: the variable');
  stored.set('tracerun.replay.apiKey.openai', ' sk-stored-openai ');
  assert.equal(await lookUpApiKey(secrets, 'openai', 'https://api.openai.com/v1', env), 'sk-stored-openai', 'the stored key wins over the variable');
  assert.equal(await lookUpApiKey(secrets, 'anthropic', 'https://api.anthropic.com', env), 'sk-env-anthropic', "another provider's stored key is not used");
  assert.equal(await lookUpApiKey(secrets, 'anthropic', 'https://api.anthropic.com', {}), undefined, 'no key anywhere: ask');
  assert.equal(await lookUpApiKey(secrets, 'anthropic', 'http://localhost:8080', {}), LOCAL_PLACEHOLDER_KEY, 'a server on this machine needs none');
  stored.set('tracerun.replay.apiKey.anthropic', 'sk-stored-anthropic');
  assert.equal(await lookUpApiKey(secrets, 'anthropic', 'http://localhost:8080', {}), 'sk-stored-anthropic', 'a stored key is sent to a local server too');
  assert.deepEqual([...new Set(asked)], ['tracerun.replay.apiKey.openai', 'tracerun.replay.apiKey.anthropic']);
});

test('answers as text with tool calls, a line diff, facts, and agreement', () => {
  const recorded = { text: 'Order A1042\nhas shipped.', toolCalls: [] };
  const replay = { text: 'Order A1042\nis on its way.', toolCalls: [{ id: 'c1', name: 'lookup_order', arguments: '{ "order_id": "A1042" }' }] };
  assert.equal(answerText(replay), 'Order A1042\nis on its way.\n\n→ tool call lookup_order({"order_id":"A1042"})\n');
  assert.deepEqual(lineDiff(answerText(recorded), answerText(replay)), [
    ' Order A1042',
    '-has shipped.',
    '+is on its way.',
    '+',
    '+→ tool call lookup_order({"order_id":"A1042"})',
  ]);
  assert.equal(answerFacts({ tokens: { input: 12, output: 5 }, latencyMs: 340.4, ttftMs: 119.6 }), '12 in / 5 out tokens · 340 ms · first token 120 ms');
  assert.equal(answerFacts({}), 'no timing or tokens');
  // Tool call ids differ from run to run; what was called with what is compared.
  const a = { text: '', toolCalls: [{ id: 'x', name: 'lookup_order', arguments: '{"order_id":"A1042"}' }] };
  const b = { text: '', toolCalls: [{ id: 'y', name: 'lookup_order', arguments: '{"order_id": "A1042"}' }] };
  assert.deepEqual(agreement([a, b, { text: 'I cannot', toolCalls: [] }]), { agree: 2, of: 3 });
  assert.deepEqual(agreement([]), { agree: 0, of: 0 });
});
