import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReplayDocument } from '../../src/core/replay/replayDocument';
import { documentEndpoint, noEndpointMessage, withBaseUrl } from '../../src/core/replay/replayEndpoint';

const URL = 'http://127.0.0.1:11434/v1';

test('a document whose "baseUrl" was deleted or blanked names no endpoint: Run refuses it and says why', () => {
  const edited = parseReplayDocument(JSON.stringify({ provider: 'openai', model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
  assert.equal(documentEndpoint(edited), undefined);
  assert.equal(documentEndpoint({ baseUrl: '  ' }), undefined);
  assert.equal(documentEndpoint({ baseUrl: ` ${URL} ` }), URL);
  assert.equal(
    noEndpointMessage('anthropic', 'https://api.anthropic.com'),
    'The replay document names no "baseUrl", so it was not sent: Run sends only to the endpoint the document shows. Add "baseUrl" (tracerun.replay.anthropicBaseUrl is https://api.anthropic.com) and run again.',
  );
});

test('the endpoint is written into the document after "provider" (or into a blank one), keeping the rest as typed', () => {
  const text = '{\n  "notes": [],\n  "provider": "openai",\n  "model": "m",\n  "messages": [{ "role": "user", "content": "say \\"provider\\": \\"x\\"" }]\n}\n';
  const added = withBaseUrl(text, URL)!;
  assert.equal(added, text.replace('"provider": "openai",', `"provider": "openai",\n  "baseUrl": "${URL}",`));
  assert.equal(documentEndpoint(parseReplayDocument(added)), URL);

  const last = withBaseUrl('{\n\t"model": "m",\n\t"provider": "openai"\n}', URL)!;
  assert.equal(last, `{\n\t"model": "m",\n\t"provider": "openai",\n\t"baseUrl": "${URL}"\n}`);
  assert.equal(withBaseUrl('{"model":"m","provider":"anthropic","messages":[]}', URL), `{"model":"m","provider":"anthropic", "baseUrl": "${URL}","messages":[]}`);
  assert.equal(withBaseUrl('{\n  "provider": "openai",\n  "baseUrl": "",\n  "model": "m"\n}', URL), `{\n  "provider": "openai",\n  "baseUrl": "${URL}",\n  "model": "m"\n}`);
  assert.equal(withBaseUrl('{ "model": "m" }', URL), undefined);
});
