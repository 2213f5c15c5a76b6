import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setupSnippet } from '../../src/extension/setupSnippet';

test('the setup snippet offers the terminal variables, or says they are on', () => {
  const off = setupSnippet({ httpPort: 4318, grpcPort: 4317 });
  assert.match(off, /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4318/);
  assert.match(off, /Turn on `tracerun\.configureTerminals`/);
  const on = setupSnippet({ httpPort: 4318, grpcPort: 4317 }, true);
  assert.match(on, /`tracerun\.configureTerminals` is on: terminals opened .* already have these variables/);
  assert.doesNotMatch(setupSnippet({ httpPort: undefined, grpcPort: undefined }), /configureTerminals/, 'nothing to point terminals at');
});
