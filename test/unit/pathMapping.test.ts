import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isDependencyPath, mappedSourceCandidates } from '../../src/core/source/pathMapping';

const WS = path.resolve('/work/shop');

test('a container path maps into the workspace by its longest suffix first', () => {
  assert.deepEqual(mappedSourceCandidates('/app/agent/tools.py', [WS]), [
    path.join(WS, 'app/agent/tools.py'),
    path.join(WS, 'agent/tools.py'),
    path.join(WS, 'tools.py'),
    path.resolve('/app/agent/tools.py'),
  ]);
});

test('tracerun.pathMappings comes first, ${workspaceFolder} and ${workspaceFolder:name} expanded; the longest prefix first', () => {
  const other = path.resolve('/work/lib');
  const mappings = { '/srv': '${workspaceFolder:lib}', '/srv/app': '${workspaceFolder}/src', '/nothing': '${workspaceFolder:missing}' };
  const [first, second] = mappedSourceCandidates('/srv/app/agent/tools.py', [WS, other], mappings);
  assert.equal(first, path.join(WS, 'src/agent/tools.py'));
  assert.equal(second, path.join(other, 'app/agent/tools.py'));
  // A prefix matches whole folders only: /srv/application is not under /srv/app.
  assert.notEqual(mappedSourceCandidates('/srv/application/a.py', [WS], { '/srv/app': WS })[0], path.join(WS, 'lication/a.py'));
});

test('Windows paths and file:// URLs recorded elsewhere map by their suffix too', () => {
  assert.ok(mappedSourceCandidates('C:\\build\\src\\Acme.Agent\\OrderTools.cs', [WS]).includes(path.join(WS, 'Acme.Agent', 'OrderTools.cs')));
  assert.ok(mappedSourceCandidates('file:///home/ci/build/src/agent/my%20tools.ts', [WS]).includes(path.join(WS, 'src/agent/my tools.ts')));
});

test('a path inside the workspace is its own first candidate; network paths have none', () => {
  assert.equal(mappedSourceCandidates(path.join(WS, 'agent/tools.py'), [WS])[0], path.join(WS, 'agent/tools.py'));
  assert.equal(mappedSourceCandidates('agent/tools.py', [WS])[0], path.join(WS, 'agent/tools.py'));
  assert.deepEqual(mappedSourceCandidates('\\\\evil-host\\share\\tools.py', [WS]), []);
  assert.deepEqual(mappedSourceCandidates('//evil-host/share/tools.py', [WS]), []);
});

test('dependencies and runtime libraries are told from the app’s code', () => {
  for (const p of [
    '/app/node_modules/ai/dist/index.mjs',
    '/usr/local/lib/python3.12/site-packages/httpx/_client.py',
    '/usr/lib/python3/dist-packages/requests/api.py',
    '/usr/lib/python3.12/asyncio/runners.py',
    '/root/go/pkg/mod/github.com/x/y@v1.2.0/z.go',
    '/usr/local/go/src/runtime/panic.go',
    'C:\\app\\node_modules\\x\\index.js',
  ]) assert.ok(isDependencyPath(p), p);
  for (const p of ['/app/agent/tools.py', '/home/ci/go/src/github.com/acme/agent/main.go', 'src/lib/python_helpers.py', 'C:\\build\\src\\Acme.Agent\\OrderTools.cs']) assert.ok(!isDependencyPath(p), p);
});
