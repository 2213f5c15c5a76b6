import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { rankSymbols, symbolQueries, type SymbolCandidate } from '../../src/core/source/symbolMatch';

const names = (spanName: string, attributes?: Record<string, string>) => symbolQueries(spanName, attributes).map((q) => (q.container ? `${q.container}.${q.name}` : q.name));

test('span names under the usual instrumentation patterns give the name of their code', () => {
  assert.deepEqual(names('execute_tool lookup_order'), ['lookup_order']);
  assert.deepEqual(names('invoke_agent SupportAgent'), ['SupportAgent']);
  assert.deepEqual(names('support_agent.run'), ['support_agent.run']);
  assert.deepEqual(names('OrderTools.lookupOrder'), ['OrderTools.lookupOrder']);
  assert.deepEqual(names('lookup_order.tool'), ['lookup_order'], 'OpenLLMetry @tool');
  assert.deepEqual(names('support_workflow.workflow'), ['support_workflow']);
  assert.deepEqual(names('classify_question'), ['classify_question'], '@observe / @traceable / a LangGraph node');
  assert.deepEqual(names('call_model()'), ['call_model']);
  assert.deepEqual(names('chat gpt-4o'), [], 'a model is no code');
  assert.deepEqual(names('POST /orders'), []);
  assert.deepEqual(names('gpt-4o'), []);
});

test('code.function (with code.namespace) and the tool name come before the span name', () => {
  assert.deepEqual(names('ai.toolCall', { 'ai.toolCall.name': 'lookupOrder' }), ['lookupOrder', 'ai.toolCall']);
  assert.deepEqual(names('tool', { 'code.function': 'lookup', 'code.namespace': 'shop.OrderTools', 'gen_ai.tool.name': 'lookup_order' }), ['OrderTools.lookup', 'lookup_order', 'tool']);
  assert.deepEqual(names('execute_tool lookup_order', { 'gen_ai.tool.name': 'lookup_order' }), ['lookup_order'], 'one query per name');
});

const WS = path.resolve('/work/shop');
const sym = (name: string, file: string, line: number, kind: SymbolCandidate['kind'] = 'function', container?: string): SymbolCandidate => ({ name, container, kind, path: path.join(WS, file), line, column: 1 });

test('symbols rank by the query they answer, exactness, container and kind; fuzzy others and dependencies are dropped', () => {
  const queries = symbolQueries('execute_tool lookup_order', { 'code.function': 'OrderTools.lookup_order' });
  const ranked = rankSymbols(
    queries,
    [
      sym('lookup_order_status', 'agent/tools.py', 40),
      sym('lookupOrder', 'web/orders.ts', 12),
      sym('lookup_order', 'agent/tools.py', 29),
      sym('lookup_order', 'agent/legacy.py', 3, 'method', 'OrderTools'),
      sym('lookup_order', 'node_modules/shop-sdk/index.py', 1),
      { ...sym('lookup_order', 'x.py', 1), path: path.resolve('/elsewhere/x.py') },
      sym('lookup_order', 'agent/tools.py', 29),
    ],
    [WS],
  );
  assert.deepEqual(ranked.map((c) => `${path.relative(WS, c.path)}:${c.line}`), ['agent/legacy.py:3', 'agent/tools.py:29', 'web/orders.ts:12']);
});

test('a provider’s signature after the name still matches', () => {
  assert.equal(rankSymbols(symbolQueries('Agent.run', undefined), [sym('run()', 'src/Agent.java', 9, 'method', 'Agent')], [WS]).length, 1);
});
