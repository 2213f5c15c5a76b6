// The hover on a function's name (src/extension/sourceHover.ts): what a trace says goes in as
// text, escaped by vscode.MarkdownString (theme icons and line breaks too), never as Markdown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendSourceHover, type HoverCall } from '../../src/extension/sourceHoverMarkdown';
import { RecordingMarkdown } from './recordingMarkdown';

// Theme icons are on in this hover (for its status icons): `$(…)` from a trace must not render.
const HOSTILE = [
  '$(squirrel) $(loading~spin) spoofed status',
  '[click me](command:workbench.action.terminal.new)',
  '![x](https://attacker.example/pixel.png)',
  'line one\n\n# heading\n- a list item of its own',
  '`code` <img src=x onerror=alert(1)> ~~struck~~',
];

function call(overrides: Partial<HoverCall> = {}): HoverCall {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'llm.call',
    state: 'failed',
    durationText: '1.2 s',
    startedText: '2 min ago',
    input: 'hello',
    output: 'hi',
    error: 'boom',
    ...overrides,
  };
}

test('the source hover passes name, input, output and error as text, each on one line, never as Markdown', () => {
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    appendSourceHover(md, 'handler', 3, [call({ name: hostile, input: hostile, output: hostile, error: hostile }), call({ name: 'second', state: 'ok' })]);
    const markdown = md.allMarkdown;
    for (const fragment of ['squirrel', 'spoofed', 'attacker', 'command:workbench', 'heading', 'list item', '<img', 'struck']) {
      assert.ok(!markdown.includes(fragment), `"${fragment}" is not Markdown: ${JSON.stringify(md.markdown)}`);
    }
    const oneLine = hostile.replace(/\s+/g, ' ');
    assert.deepEqual(
      md.text.filter((t) => t.includes(oneLine)),
      [oneLine, `in: ${oneLine}`, `out: ${oneLine}`, oneLine],
      'name, input, output and error are text, whole',
    );
    // appendText makes a line break a new paragraph: the call's list item would end there.
    assert.ok(md.text.every((t) => !/[\r\n]/.test(t)), `no text holds a line break: ${JSON.stringify(md.text)}`);
    assert.equal(markdown.match(/^- /gm)?.length, 2, 'one list item per call');
  }
});

test('the source hover links a call to its span only when its ids are hex; our status icons are Markdown', () => {
  const md = new RecordingMarkdown();
  appendSourceHover(md, 'handler', 2, [call(), call({ traceId: '0af76519) [x](https://attacker.example', name: 'bad ids', state: 'running', durationText: undefined })]);
  const markdown = md.allMarkdown;
  assert.match(markdown, /\[\]\(command:tracerun\.openSpan\?%5B%7B%22traceId%22%3A%220af7651916cd43dd8448eb211c80319c%22/);
  assert.equal(markdown.match(/command:/g)?.length, 1, 'the call with a bad id has no link');
  assert.ok(!markdown.includes('attacker'));
  assert.match(markdown, /\$\(error\) failed/);
  assert.match(markdown, /\$\(loading~spin\) running/);
  assert.ok(md.text.includes('bad ids'));
  assert.ok(md.text.includes('handler'), 'the function name is text too');
});
