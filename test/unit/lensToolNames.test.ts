// The lenses place a tool span by its tool's name, as Go to Source does: the name must survive
// reading (the index keeps only some attributes in memory) and tell two tools' spans apart.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { buildSpanLocations, rangeLenses, type CodeRange } from '../../src/core/source/functionSpans';
import { resolveSpanSource } from '../../src/core/source/resolveSpanSource';
import { runDigests } from '../../src/core/source/runDigest';
import { sourceFileKey } from '../../src/core/source/sourceIndex';
import type { SymbolCandidate } from '../../src/core/source/symbolMatch';
import { runSteps } from '../../src/core/util/steps';
import { ms, otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

test('AI SDK ai.toolCall spans land on the lens of the function their ai.toolCall.name names, each tool on its own', async (t) => {
  const ws = tempDir(t, 'tracerun-ws-');
  const tools = path.join(ws, 'src', 'tools.ts');
  const file = path.join(ws, 'traces.jsonl');
  const trace = 'ab'.repeat(16);
  writeFileSync(
    file,
    otlpLine([
      { traceId: trace, spanId: '01'.repeat(8), name: 'ai.generateText', start: ms(0), end: ms(100), attributes: { 'ai.operationId': 'ai.generateText' } },
      { traceId: trace, spanId: '02'.repeat(8), parentSpanId: '01'.repeat(8), name: 'ai.toolCall', start: ms(10), end: ms(30), attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'lookupOrder', 'ai.toolCall.id': 'call_1' } },
      { traceId: trace, spanId: '03'.repeat(8), parentSpanId: '01'.repeat(8), name: 'ai.toolCall', start: ms(40), end: ms(50), attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'cancelOrder', 'ai.toolCall.id': 'call_2' } },
      { traceId: trace, spanId: '04'.repeat(8), parentSpanId: '01'.repeat(8), name: 'ai.toolCall', start: ms(60), end: ms(90), attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'lookupOrder', 'ai.toolCall.id': 'call_3' } },
    ]),
  );
  const symbols: Record<string, SymbolCandidate> = {
    lookupOrder: { name: 'lookupOrder', container: undefined, kind: 'function', path: tools, line: 5, column: 17 },
    cancelOrder: { name: 'cancelOrder', container: undefined, kind: 'function', path: tools, line: 12, column: 17 },
  };
  const { store } = await readTraceFiles([file]);
  const digests = runSteps(runDigests(store.runs()));
  // What the lens index does (`SpanLocationIndex.resolvePlaces`): each name once, through the chain's quiet context.
  const names = new Map<string, { file: string; line: number }>();
  for (const digest of digests) {
    for (const named of digest.names) {
      const key = named.key;
      const r = await resolveSpanSource(
        { name: named.name, attributes: named.attributes },
        { folders: [ws], exists: async () => false, findSymbols: async (q) => (symbols[q.name] ? [symbols[q.name]] : []) },
      );
      if (r.found?.line !== undefined) names.set(key, { file: r.found.path, line: r.found.line });
    }
  }
  const locations = runSteps(buildSpanLocations(digests, { path: () => undefined, name: (key) => names.get(key) }));
  const functions: CodeRange[] = [
    { name: 'lookupOrder', startLine: 5, endLine: 10, nameLine: 5 },
    { name: 'cancelOrder', startLine: 12, endLine: 14, nameLine: 12 },
  ];
  const lenses = rangeLenses(locations.get(sourceFileKey(tools)) ?? [], functions);
  assert.deepEqual(
    lenses.map((l) => [l.name, l.stats.count, l.stats.recent.map((r) => r.spanId)]),
    [
      ['lookupOrder', 2, ['04'.repeat(8), '02'.repeat(8)]],
      ['cancelOrder', 1, ['03'.repeat(8)]],
    ],
  );
});
