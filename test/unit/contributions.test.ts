// package.json's contributions and the code must agree: each setting's default is declared
// once in core/config/defaults.ts, and each command once in extension/commandIds.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SETTING_DEFAULTS, SETTING_RANGES, SETTINGS_SECTION, DEFAULT_WATCH } from '../../src/core/config/defaults';
import { Commands, INTERNAL_COMMANDS } from '../../src/extension/commandIds';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Contributes {
  configuration: { properties: Record<string, { default?: unknown; minimum?: number; maximum?: number }> };
  commands: { command: string }[];
  menus: Record<string, { command: string }[]>;
  viewsWelcome: { contents: string }[];
}
const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  contributes: Contributes;
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const { contributes } = manifest;

/** package.json's settings, keyed without the `tracerun.` section. */
function declaredSettings(): Map<string, { default?: unknown; minimum?: number; maximum?: number }> {
  const prefix = `${SETTINGS_SECTION}.`;
  return new Map(Object.entries(contributes.configuration.properties).map(([id, schema]) => {
    assert.ok(id.startsWith(prefix), `${id} is in the ${SETTINGS_SECTION} section`);
    return [id.slice(prefix.length), schema];
  }));
}

test('package.json declares every setting, with the default of core/config/defaults.ts', () => {
  const declared = declaredSettings();
  assert.deepEqual([...declared.keys()].sort(), Object.keys(SETTING_DEFAULTS).sort(), 'the same settings');
  for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
    assert.deepEqual(declared.get(key)?.default, value, `the default of ${SETTINGS_SECTION}.${key}`);
  }
});

test('package.json bounds the integer settings as the settings module does', () => {
  const declared = declaredSettings();
  for (const [key, { min, max }] of Object.entries(SETTING_RANGES)) {
    assert.equal(declared.get(key)?.minimum, min, `minimum of ${key}`);
    assert.equal(declared.get(key)?.maximum, max, `maximum of ${key}`);
  }
  for (const [key, schema] of declared) {
    if (schema.minimum !== undefined || schema.maximum !== undefined) assert.ok(key in SETTING_RANGES, `${key} has bounds in package.json only`);
  }
});

test('restricted settings and the welcome text name what the code has', () => {
  for (const id of manifest.capabilities.untrustedWorkspaces.restrictedConfigurations) {
    assert.ok(id.slice(SETTINGS_SECTION.length + 1) in SETTING_DEFAULTS, `${id} is a setting`);
  }
  const welcome = contributes.viewsWelcome.map((w) => w.contents).join('\n');
  for (const glob of DEFAULT_WATCH) assert.ok(welcome.includes(glob), `the empty Runs view lists the watched ${glob}`);
});

test('the empty Runs view offers turning on terminal variables while they are off', () => {
  const offer = (contributes.viewsWelcome as { view?: string; contents: string; when?: string }[]).find((w) => w.view === 'tracerun.runs' && w.contents.includes(`(command:${Commands.EnableTerminalVariables})`));
  assert.ok(offer, 'a Runs view welcome links to Turn On Terminal Variables');
  assert.equal(offer.when, '!config.tracerun.configureTerminals');
});

test('every command the code registers is declared in package.json, and every declared one is registered', () => {
  const ids = Object.values(Commands);
  assert.equal(new Set(ids).size, ids.length, 'no id twice');
  const declared = contributes.commands.map((c) => c.command);
  assert.deepEqual(declared.slice().sort(), ids.filter((id) => !INTERNAL_COMMANDS.has(id)).sort());
  for (const [menu, items] of Object.entries(contributes.menus)) {
    for (const item of items) assert.ok(declared.includes(item.command), `${menu} names the declared command ${item.command}`);
  }
  const welcome = contributes.viewsWelcome.map((w) => w.contents).join('\n');
  for (const [, id] of welcome.matchAll(/\(command:([\w.]+)/g)) {
    assert.ok(declared.includes(id) || id.startsWith('workbench.'), `the welcome text links to a known command, ${id}`);
  }
});

/** The extension's sources, but `except`. */
function extensionSources(...except: string[]): [string, string][] {
  const dir = path.join(REPO, 'src', 'extension');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !except.includes(f))
    .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]);
}

test('commands are registered and run only through the typed commands module', () => {
  for (const [file, text] of extensionSources('commands.ts')) {
    assert.doesNotMatch(text, /commands\.(registerCommand|executeCommand)\s*\(/, `${file} goes through commands.ts`);
    assert.doesNotMatch(text, /command:\s*'tracerun\./, `${file} names commands by their Commands key`);
  }
});

test('settings are read and written only through the settings module', () => {
  for (const [file, text] of extensionSources('settings.ts')) {
    assert.doesNotMatch(text, /getConfiguration\s*\(/, `${file} goes through settings.ts`);
  }
});

test('the datasets folder is named once, in core/config/defaults.ts', () => {
  const src = path.join(REPO, 'src');
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== path.join('core', 'config', 'defaults.ts'));
  for (const f of files) {
    const text = readFileSync(path.join(src, f), 'utf8');
    assert.doesNotMatch(text, /'\.tracerun',\s*'datasets'|'\.tracerun\/datasets/, `${f} names the folder by DATASETS_FOLDER`);
  }
});
