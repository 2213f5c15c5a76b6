import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { sourceCandidates } from '../../src/core/source/source';
import { isNetworkPath, sourceAccess } from '../../src/core/source/sourceAccess';

test('files inside a workspace folder open; elsewhere, or out through `..`, ask first', () => {
  const folders = ['/work/agent', '/work/api/'];
  const access = (file: string) => sourceAccess(file, folders, path.posix);
  assert.equal(access('/work/agent/src/tools.py'), 'inside');
  assert.equal(access('/work/api/main.py'), 'inside');
  assert.equal(access('/work/agent/../secrets/key.pem'), 'ask');
  assert.equal(access('/work/agent-other/x.py'), 'ask', 'a sibling sharing a prefix is not inside');
  assert.equal(access('/etc/passwd'), 'ask');
  assert.equal(access('/work/agent'), 'ask', 'the folder itself is no file');
  assert.equal(access('/work/agent/..foo/x.py'), 'inside', 'a name starting with two dots is still inside');
  assert.equal(sourceAccess('/etc/passwd', [], path.posix), 'ask', 'no folder open: everything asks');
});

test('UNC and other network paths are never opened, with either slash, on any platform', () => {
  for (const p of ['\\\\host\\share\\x.py', '//host/share/x.py', '\\\\?\\UNC\\host\\share\\x.py', '\\\\.\\pipe\\x', '/\\host\\x']) {
    assert.equal(isNetworkPath(p), true, p);
    assert.equal(sourceAccess(p, ['/work/agent'], path.posix), 'never', p);
    assert.equal(sourceAccess(p, ['C:\\work\\agent'], path.win32), 'never', p);
  }
  assert.equal(isNetworkPath('/work/x.py'), false);
  assert.equal(isNetworkPath('C:\\x.py'), false);
  // Posix would read `//host/share` as `/host/share`: no workspace folder there makes it inside.
  assert.equal(sourceAccess('//work/agent/x.py', ['/work/agent'], path.posix), 'never');
  // A workspace folder that is itself on a share is that share's own files.
  assert.equal(sourceAccess('\\\\host\\share\\proj\\x.py', ['\\\\host\\share\\proj'], path.win32), 'inside');
  assert.equal(sourceAccess('\\\\evil\\share\\x.py', ['\\\\host\\share\\proj'], path.win32), 'never');
});

test('Windows paths: drive letters and case do not fool the inside test', () => {
  const folders = ['C:\\work\\agent'];
  assert.equal(sourceAccess('c:\\Work\\Agent\\src\\x.py', folders, path.win32), 'inside');
  assert.equal(sourceAccess('D:\\work\\agent\\x.py', folders, path.win32), 'ask');
  assert.equal(sourceAccess('C:\\work\\agent\\..\\..\\Windows\\win.ini', folders, path.win32), 'ask');
});

test('a network path recorded on a span has no candidates: nothing looks for it', () => {
  assert.deepEqual(sourceCandidates('\\\\host\\share\\x.py', ['/work/agent']), []);
  assert.deepEqual(sourceCandidates('//host/share/x.py', ['/work/agent']), []);
  assert.deepEqual(sourceCandidates('file:////host/share/x.py', ['/work/agent']), []);
});
