import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { DEFAULT_INCLUDE, type WatchOptions } from '../../src/core/ingest/watcher';
import { otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir, waitFor } from './tempDir';

let nextId = 1;
/** One line holding a root span named `name`, in a trace of its own (or `traceId`). */
function runLine(name: string, traceId?: string, parent?: string): string {
  const id = nextId++;
  const span: TestSpan = {
    traceId: traceId ?? id.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: parent,
    name,
    start: 1_000 + id,
    end: 2_000 + id,
  };
  return otlpLine([span]);
}

function write(root: string, rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function runNames(ws: TraceWorkspace): string[] {
  return ws.store
    .runs()
    .map((t) => t.summary().name)
    .sort();
}

async function startWatching(t: TestContext, options: WatchOptions): Promise<TraceWorkspace> {
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  await ws.watch(options);
  return ws;
}

if (process.env.TRACERUN_WATCHER_EXIT_CHILD) {
  // Child mode for the "process exits" test: watch, see a run, dispose, and let the event
  // loop drain. Any handle left open keeps this process alive and fails the parent's test.
  void (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tracerun-exit-'));
    try {
      write(dir, '.tracerun/a.jsonl', runLine('child run'));
      const ws = new TraceWorkspace();
      await ws.watch({ folders: [dir] });
      appendFileSync(path.join(dir, '.tracerun/a.jsonl'), runLine('appended'));
      await waitFor('the appended run', () => ws.store.traceCount === 2);
      ws.dispose();
      console.log(`runs=${ws.store.traceCount}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
} else {
  test('default patterns pick up trace files at start; node_modules, excluded and other files are not', async (t) => {
    const dir = tempDir(t);
    const included = [
      write(dir, '.tracerun/run.jsonl', runLine('tracerun dir')),
      write(dir, 'app.otlp.jsonl', runLine('otlp suffix')),
      write(dir, 'traces/deep/x.jsonl', runLine('traces dir')),
      write(dir, 'src/pkg/.tracerun/nested.jsonl', runLine('nested tracerun dir')),
    ];
    write(dir, 'node_modules/pkg/.tracerun/dep.jsonl', runLine('node_modules'));
    write(dir, 'packages/a/node_modules/b/traces/t.jsonl', runLine('nested node_modules'));
    write(dir, '.git/traces/x.jsonl', runLine('git'));
    write(dir, 'build/traces/out.jsonl', runLine('excluded folder'));
    write(dir, 'traces/skip.ignored.jsonl', runLine('excluded file'));
    write(dir, 'notes.jsonl', runLine('not matching'));
    write(dir, 'traces/readme.txt', runLine('txt'));
    write(dir, '.tracerun/data.csv', runLine('csv'));
    const ws = await startWatching(t, { folders: [dir], exclude: ['**/build/**', '**/*.ignored.jsonl'] });
    // watch() resolves once the files found at start are read: no waiting needed.
    assert.deepEqual(runNames(ws), ['nested tracerun dir', 'otlp suffix', 'tracerun dir', 'traces dir']);
    assert.deepEqual(ws.watchedFiles().sort(), included.sort());
    assert.deepEqual(ws.problems(), []);
  });

  test('the default include list is the documented one', () => {
    assert.deepEqual([...DEFAULT_INCLUDE], ['**/.tracerun/**/*.jsonl', '**/.tracerun/**/*.json', '**/.tracerun/**/*.log', '**/*.otlp.jsonl', '**/traces/**/*.jsonl']);
  });

  test('files created later are picked up, in new folders too; excluded ones are not', async (t) => {
    const dir = tempDir(t);
    const ws = await startWatching(t, { folders: [dir], exclude: ['**/build/**'] });
    assert.equal(ws.store.traceCount, 0);
    // Excluded and non-matching files first, so by the time the included ones show up the
    // watcher has had every chance to (wrongly) read these.
    write(dir, 'node_modules/x/traces/a.jsonl', runLine('node_modules later'));
    write(dir, 'build/.tracerun/b.jsonl', runLine('excluded later'));
    write(dir, 'later/other.jsonl', runLine('not matching later'));
    write(dir, 'later/deeper/.tracerun/new.jsonl', runLine('new folder'));
    write(dir, 'fresh.otlp.jsonl', runLine('fresh file'));
    write(dir, 'traces/t.jsonl', runLine('traces later'));
    await waitFor('the three new runs', () => ws.store.traceCount >= 3);
    assert.deepEqual(runNames(ws), ['fresh file', 'new folder', 'traces later']);
    assert.equal(ws.watchedFiles().length, 3);
  });

  test('appended lines show up; malformed lines are problems with file and line; deleting a file removes its runs', async (t) => {
    const dir = tempDir(t);
    const trace = 'feedfacefeedfacefeedfacefeedface';
    const live = write(dir, '.tracerun/live.jsonl', runLine('agent', trace, '00000000000000ff'));
    const other = write(dir, 'traces/other.jsonl', runLine('other run'));
    const ws = await startWatching(t, { folders: [dir] });
    assert.deepEqual(runNames(ws), ['agent', 'other run']);
    assert.equal(ws.store.trace(trace)!.state(Date.now()), 'incomplete', 'no root yet, and its spans are old');

    appendFileSync(live, runLine('step 1', trace, '00000000000000ff'));
    appendFileSync(live, '{"resourceSpans": [oops]}\n');
    appendFileSync(live, runLine('step 2', trace, '00000000000000ff'));
    await waitFor('the appended spans', () => ws.store.trace(trace)?.spanCount === 3);
    await waitFor('the problem', () => ws.problems().length === 1);
    const [problem] = ws.problems();
    assert.equal(problem.file, live);
    assert.equal(problem.line, 3);
    assert.match(problem.message, /malformed/);

    // The root lands last, as SDKs export it.
    appendFileSync(live, otlpLine([{ traceId: trace, spanId: '00000000000000ff', name: 'agent root', start: 1, end: 99_999 }]));
    await waitFor('the root span', () => ws.store.trace(trace)?.summary().hasRoot === true);
    const t1 = ws.store.trace(trace)!;
    assert.equal(t1.summary().name, 'agent root');
    assert.equal(t1.state(Date.now()), 'complete');
    assert.deepEqual(
      t1.tree().roots.map((r) => [r.span.name, r.children.length]),
      [['agent root', 3]],
    );

    rmSync(live);
    await waitFor('the deleted file’s run to go', () => ws.store.trace(trace) === undefined);
    assert.deepEqual(runNames(ws), ['other run']);
    assert.deepEqual(ws.problems(), [], 'problems of a deleted file are cleared');
    await waitFor('the deleted file to be no longer tailed', () => ws.watchedFiles().length === 1);
    assert.deepEqual(ws.watchedFiles(), [other]);

    rmSync(path.join(dir, 'traces'), { recursive: true });
    await waitFor('the deleted folder’s run to go', () => ws.store.traceCount === 0);
  });

  test('lines written right after the previous ones were read still show up (back-to-back writes)', async (t) => {
    const dir = tempDir(t);
    const trace = 'beefbeefbeefbeefbeefbeefbeefbeef';
    const file = write(dir, '.tracerun/burst.jsonl', '');
    const ws = await startWatching(t, { folders: [dir] });
    // Each time a span lands, the "app" writes the next one at once: well within the 50 ms
    // in which chokidar reports no further change for the same file.
    let written = 1;
    const sub = ws.store.onDidChange(() => {
      if (written < 5) appendFileSync(file, runLine(`span ${++written}`, trace));
    });
    t.after(() => sub.dispose());
    appendFileSync(file, runLine('span 1', trace));
    await waitFor('all five spans', () => ws.store.trace(trace)?.spanCount === 5);
    assert.deepEqual(
      [...ws.store.trace(trace)!.allSpans()].map((s) => s.name).sort(),
      ['span 1', 'span 2', 'span 3', 'span 4', 'span 5'],
    );
  });

  test('a file replaced by rename (atomic write) is read again', async (t) => {
    const dir = tempDir(t);
    const file = write(dir, '.tracerun/atomic.jsonl', runLine('before replace'));
    const ws = await startWatching(t, { folders: [dir] });
    assert.deepEqual(runNames(ws), ['before replace']);
    const tmp = write(dir, 'tmp/atomic.jsonl.tmp', runLine('after replace') + runLine('second run'));
    renameSync(tmp, file);
    await waitFor('the replaced content', () => runNames(ws).join() === 'after replace,second run');
  });

  test('several folders; patterns are relative to each, and custom include lists replace the defaults', async (t) => {
    const a = tempDir(t);
    const b = tempDir(t);
    write(a, 'out/run.log.jsonl', runLine('folder a'));
    write(b, 'out/run.log.jsonl', runLine('folder b'));
    write(b, '.tracerun/default.jsonl', runLine('default pattern'));
    const ws = await startWatching(t, { folders: [a, b], include: ['out/*.log.jsonl'] });
    assert.deepEqual(runNames(ws), ['folder a', 'folder b']);
    write(b, 'out/later.log.jsonl', runLine('folder b later'));
    write(b, 'deeper/out/x.log.jsonl', runLine('not at the folder root'));
    await waitFor('the later run', () => ws.store.traceCount === 3);
    assert.deepEqual(runNames(ws), ['folder a', 'folder b', 'folder b later']);
  });

  test('watching again with other patterns forgets the files no longer watched', async (t) => {
    const dir = tempDir(t);
    write(dir, 'a/one.jsonl', runLine('from a'));
    write(dir, 'b/two.jsonl', 'garbage\n' + runLine('from b'));
    const ws = await startWatching(t, { folders: [dir], include: ['a/*.jsonl'] });
    assert.deepEqual(runNames(ws), ['from a']);
    await ws.watch({ folders: [dir], include: ['b/*.jsonl'] });
    assert.deepEqual(runNames(ws), ['from b']);
    assert.deepEqual(ws.problems().map((p) => [path.relative(dir, p.file), p.line]), [['b/two.jsonl', 1]]);
    await ws.watch({ folders: [dir], include: ['a/*.jsonl'] });
    assert.deepEqual(runNames(ws), ['from a']);
    assert.deepEqual(ws.problems(), []);
  });

  test('watching again while the first watch is still starting settles both', async (t) => {
    const dir = tempDir(t);
    for (let i = 0; i < 30; i++) write(dir, `d${i}/.tracerun/a.jsonl`, runLine(`run ${i}`));
    const ws = new TraceWorkspace();
    t.after(() => ws.dispose());
    const first = ws.watch({ folders: [dir] });
    const second = ws.watch({ folders: [dir], include: ['d1/**/*.jsonl', 'd2/**/*.jsonl'] });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timed out'), 5000)));
    const settled = await Promise.race([Promise.all([first, second]).then(() => 'settled'), timeout]);
    clearTimeout(timer);
    assert.equal(settled, 'settled', 'the superseded watch() must not hang');
    assert.deepEqual(runNames(ws), ['run 1', 'run 2'], 'only the second watch’s files are held');
  });

  test('one unreadable trace file does not stop the others', async (t) => {
    const dir = tempDir(t);
    mkdirSync(path.join(dir, 'somedir'));
    mkdirSync(path.join(dir, 'traces'));
    // A symlink to a folder, named like a trace file: opening works, reading fails (EISDIR).
    symlinkSync(path.join(dir, 'somedir'), path.join(dir, 'traces/folder.jsonl'));
    write(dir, 'traces/good.jsonl', runLine('good run'));
    const errors: string[] = [];
    const ws = await startWatching(t, { folders: [dir], onError: (m) => errors.push(m) });
    assert.deepEqual(runNames(ws), ['good run']);
    assert.ok(
      errors.some((e) => e.includes('folder.jsonl')),
      `the failure is reported: ${JSON.stringify(errors)}`,
    );
    write(dir, 'traces/later.jsonl', runLine('later run'));
    await waitFor('the later run', () => ws.store.traceCount === 2);
  });

  test('disposing the workspace leaves no handles: the process exits', async () => {
    const child = spawn(process.execPath, [__filename], {
      env: { ...process.env, TRACERUN_WATCHER_EXIT_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.notEqual(code, null, `the child did not exit after dispose; output: ${out}`);
    assert.equal(code, 0, out);
    assert.match(out, /runs=2/);
  });
}
