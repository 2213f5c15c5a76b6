// What a marketplace needs of package.json, and a walkthrough whose steps can complete: each
// step's media exists and each completion event names a view, command or context key the
// extension has.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Commands } from '../../src/extension/commandIds';
import { ContextKeys } from '../../src/extension/contextKeys';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; svg?: string };
  completionEvents?: string[];
}
interface Manifest {
  name: string;
  publisher: string;
  displayName: string;
  description: string;
  version: string;
  license: string;
  icon: string;
  galleryBanner: { color: string; theme: string };
  categories: string[];
  keywords: string[];
  engines: Record<string, string>;
  repository?: unknown;
  homepage?: unknown;
  bugs?: unknown;
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    walkthroughs: { id: string; title: string; description: string; steps: Step[] }[];
  };
}
const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;

/** Width and height from a PNG's IHDR chunk; throws when the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  assert.ok(data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`);
  assert.equal(data.toString('latin1', 12, 16), 'IHDR', `${file} starts with its header chunk`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/**
 * Where `xml` is not well-formed XML (a tag left open or closed twice, text or a second element
 * after the root); undefined when it is. Enough for the hand-written SVGs of media/, with no
 * parser to depend on: tags, comments and the XML declaration, no DTDs or CDATA.
 */
function xmlProblem(xml: string): string | undefined {
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  for (const m of xml.matchAll(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|</g)) {
    const between = xml.slice(at, m.index);
    if (open.length === 0 && between.trim() !== '') return `text outside the root element: ${JSON.stringify(between.trim().slice(0, 40))}`;
    at = m.index + m[0].length;
    if (m[0].startsWith('<!--') || m[0].startsWith('<?')) continue;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined) return `a malformed tag at ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 40))}`;
    if (closing) {
      const expected = open.pop();
      if (expected !== name) return `</${name}> closes ${expected ? `<${expected}>` : 'nothing'}`;
      continue;
    }
    if (open.length === 0 && ++roots > 1) return `a second root element <${name}>`;
    if (!selfClosing) open.push(name);
  }
  if (xml.slice(at).trim() !== '') return `text after the root element: ${JSON.stringify(xml.slice(at).trim().slice(0, 40))}`;
  if (open.length > 0) return `<${open[open.length - 1]}> is never closed`;
  return roots === 1 ? undefined : 'no root element';
}

test('the well-formedness check tells a broken SVG from a good one', () => {
  assert.equal(xmlProblem('<?xml version="1.0"?>\n<svg a="1"><rect x=\'2\'/><!-- c --><g></g></svg>\n'), undefined);
  assert.match(xmlProblem('<svg></svg></body></html>') ?? '', /<\/body> closes nothing/);
  assert.match(xmlProblem('<svg><g></svg>') ?? '', /<\/svg> closes <g>/);
  assert.match(xmlProblem('<svg></svg><svg></svg>') ?? '', /second root/);
  assert.match(xmlProblem('<svg>') ?? '', /never closed/);
  assert.match(xmlProblem('<svg></svg> trailing') ?? '', /text after/);
});

test('the SVGs of media/ are well-formed XML, and the icon a 128×128 PNG beside its SVG', () => {
  const media = path.join(REPO, 'media');
  const svgs = (readdirSync(media, { recursive: true }) as string[]).filter((f) => f.endsWith('.svg'));
  assert.ok(svgs.includes('icon.svg'), 'the icon’s source ships');
  for (const f of svgs) assert.equal(xmlProblem(readFileSync(path.join(media, f), 'utf8')), undefined, `media/${f}`);
  assert.deepEqual(pngSize(path.join(media, 'icon.png')), { width: 128, height: 128 });
});

test('package.json has what the Marketplace and Open VSX show', () => {
  for (const field of ['name', 'publisher', 'displayName', 'version', 'license'] as const) assert.ok(manifest[field], `${field} is set`);
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.ok(manifest.description.length >= 40 && manifest.description.length <= 200, 'a one-line description that says what it does');
  assert.ok(existsSync(path.join(REPO, 'LICENSE')), 'the license file ships');
  assert.ok(manifest.engines.vscode, 'engines.vscode');
  assert.ok(manifest.icon, 'an icon');
  assert.deepEqual(pngSize(path.join(REPO, manifest.icon)), { width: 128, height: 128 }, 'the icon is a 128×128 PNG');
  assert.match(manifest.galleryBanner.color, /^#[0-9a-fA-F]{6}$/);
  assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
  assert.ok(manifest.categories.length > 0 && manifest.categories.length <= 3, 'one to three categories');
  assert.ok(manifest.keywords.length > 0 && manifest.keywords.length <= 30, 'keywords (vsce allows at most 30)');
  assert.ok(existsSync(path.join(REPO, 'CHANGELOG.md')), 'a changelog');
  assert.match(readFileSync(path.join(REPO, 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${manifest.version.replace(/\./g, '\\.')}\\b`), 'the changelog has this version');
  // The project has no public home yet: these are filled in before publishing, not invented.
  for (const field of ['repository', 'homepage', 'bugs'] as const) assert.equal(manifest[field], undefined, `${field} is left out`);
});

test('the walkthrough’s steps have their media and complete on events the extension has', () => {
  const [walkthrough, ...others] = manifest.contributes.walkthroughs;
  assert.equal(others.length, 0, 'one walkthrough');
  assert.ok(walkthrough.title && walkthrough.description);
  const views = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const contexts = new Set<string>(Object.values(ContextKeys));
  const usedContexts = new Set<string>();
  assert.equal(new Set(walkthrough.steps.map((s) => s.id)).size, walkthrough.steps.length, 'step ids are unique');
  for (const step of walkthrough.steps) {
    assert.ok(step.title && step.description, `${step.id} has a title and text`);
    const media = [step.media.markdown, step.media.svg, ...(typeof step.media.image === 'object' ? Object.values(step.media.image) : [step.media.image])].filter(Boolean) as string[];
    assert.ok(media.length > 0, `${step.id} has media`);
    for (const m of media) assert.ok(existsSync(path.join(REPO, m)), `${step.id}: ${m} exists`);
    assert.match(step.description, /\]\(command:/, `${step.id} has a button`);
    assert.ok((step.completionEvents ?? []).length > 0, `${step.id} completes by an event, not only by a click on its button`);
    for (const event of step.completionEvents ?? []) {
      const [kind, id] = event.split(/:(.*)/s);
      if (kind === 'onView') assert.ok(views.has(id), `${step.id}: ${id} is a view`);
      else if (kind === 'onCommand') assert.ok(commands.has(id), `${step.id}: ${id} is a declared command`);
      else if (kind === 'onContext') {
        assert.ok(contexts.has(id), `${step.id}: ${id} is one of ContextKeys`);
        usedContexts.add(id);
      } else assert.fail(`${step.id}: unexpected completion event ${event}`);
    }
    for (const [, id] of step.description.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok(commands.has(id) || (id.endsWith('.focus') && views.has(id.slice(0, -'.focus'.length))), `${step.id} links to a known command, ${id}`);
    }
  }
  // Go to Source from the waterfall's details or the compare panel runs no command: the step
  // waits for a file to open, whichever way Go to Source started.
  assert.deepEqual(walkthrough.steps.find((s) => s.id === 'source')?.completionEvents, [`onContext:${ContextKeys.SourceOpened}`]);
  assert.ok(commands.has(Commands.OpenSample) && walkthrough.steps.some((s) => s.description.includes(`command:${Commands.OpenSample}`)), 'a step opens the sample');

  // Every context key a step waits for is set somewhere in the extension.
  const dir = path.join(REPO, 'src', 'extension');
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  for (const [name, id] of Object.entries(ContextKeys)) {
    if (!usedContexts.has(id)) continue;
    assert.match(sources, new RegExp(`setContext\\(ContextKeys\\.${name},`), `the extension sets ${id}`);
  }
});

test('the bundled sample ships in the package', () => {
  const sample = path.join(REPO, 'media', 'sample', 'support-agent.otlp.jsonl');
  const lines = readFileSync(sample, 'utf8').split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 0);
  const ignore = readFileSync(path.join(REPO, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!media\/\*\*$/m, 'media/ ships in the .vsix');
});
