/**
 * End-to-end harness: runs a packaged extension (.vsix) inside a real VS Code
 * (code-server 4.100.3 = VS Code 1.100.3, web workbench + Node extension host) and
 * drives it with playwright-core in Debian's Chromium. Everything is loopback-only.
 *
 * Prerequisite: `bash scripts/setup-e2e.sh` (installs chromium and code-server into
 * $TRACERUN_CACHE_DIR or $HOME/.cache/tracerun).
 *
 * Typical use (node:test):
 *
 *   const s = await launchVSCode({ vsixPath, workspaceDir, name: 'runs-view' });
 *   try {
 *     await s.openViewContainer('Trace Run');
 *     const item = await s.waitForTreeItem(/checkout/, { viewTitle: 'Runs' });
 *     await item.locator.click();
 *   } finally { await s.close(); }
 *
 * or `await withVSCode(opts, async (s) => { ... })`, which also screenshots failures.
 *
 * Pitfalls learned on VS Code 1.100 / code-server 4.100.3 (kept next to the code they shaped):
 * - The repo tsconfig has lib ES2022 only (no DOM), so in-page callbacks reach the DOM
 *   through `(globalThis as any).document`. Keep those callbacks free of inner *named*
 *   functions: with esbuild `keepNames` they would call a `__name` helper that does not
 *   exist in the page.
 * - Activity bar: the `<li class="action-item" role="tab">` has an EMPTY aria-label; the
 *   label lives on its `a.action-label` child ("Explorer (Ctrl+Shift+E)", or just the view
 *   container title for extension containers). The li carries `checked` /
 *   `aria-selected="true"` when open, and clicking an open one CLOSES the side bar.
 * - A container with a single view merges the header: `.pane.merged-header`, its
 *   `.pane-header` gets `hidden` but still holds `h3.title` (= view name), and the side bar
 *   title becomes "Container: View" (upper-cased only by CSS).
 * - Custom tree rows: `.monaco-list-row[role=treeitem]` with aria-label "label description"
 *   (unless the TreeItem sets accessibilityInformation), `.label-name` and
 *   `.label-description` inside, a document-unique `id` (list_id_<list>_<index>),
 *   `aria-level`, `aria-expanded` (only on collapsible rows). Lists are virtualised: only
 *   rows scrolled into view exist in the DOM.
 * - Command palette rows: `.quick-input-list .monaco-list-row`; `.label-name` holds
 *   "Category: Title" (split into highlight spans, so read textContent), the row aria-label
 *   may add ", similar commands" / ", recently used".
 * - Webviews are NOT inside the editor DOM: an overlay `div[data-parent-flow-to-element-id]`
 *   directly under the workbench holds `iframe.webview` (…/webview/browser/pre/index.html,
 *   named with the webview id), which holds one more iframe (fake.html, the content; its
 *   frame name may still read "pending-frame"). A hidden webview (other tab active) either
 *   is destroyed (default) or, with retainContextWhenHidden, keeps its frames while the
 *   overlay gets `visibility: hidden` - so check that the whole iframe chain is visible.
 *   Setting `webview.html` again replaces the inner frame: a Frame you held becomes
 *   detached, so call webviewFrame() again after the extension re-renders.
 * - Tabs: `.editor-group-container.active .tabs-container .tab.active` with
 *   `data-resource-name` (file name, or "webview-<uuid>" for webviews), aria-label like
 *   "target.txt, preview, Editor Group 2"; a preview tab's label has class `italic`.
 *   The full path is on the active group's breadcrumbs file item (`aria-label`).
 * - Cursor: `#status.editor.selection` ("Ln 12, Col 1", maybe "(5 selected)"); it only
 *   exists while a text editor is active and updates a moment after the tab switches -
 *   poll (waitForActiveEditor) rather than read once.
 * - code-server reads ~/.config/code-server/config.yaml (which may ask for a password or
 *   TLS); we pass `--config` with an empty file so the flags alone decide.
 * - code-server runs in its own process group (detached), so Ctrl+C in the terminal does
 *   not reach it: we kill the group on close(), on process exit and on SIGINT/SIGTERM.
 * - The workbench paints ~1-2 s before the Node extension host starts; launchVSCode waits
 *   for code-server's "Launched Extension Host Process" log line so tests do not race it.
 * - Hovers (tooltips) stay up after a click and end up in screenshots: helpers that click
 *   park the mouse on an empty bit of the title bar afterwards.
 * - Inline tree actions (view/item/context, group "inline") exist only on hover/selection:
 *   hover the row first. Clicking a collapsible row both toggles it and runs its command;
 *   click the `.monaco-tl-twistie` to just expand.
 * - F1 works even when focus is inside a webview (the webview forwards keybindings), so
 *   the palette fallbacks (Ctrl+Shift+P, command center) are rarely needed.
 * - Every launch wipes artifacts/<name>/: give each test its own `name`.
 * - The browser console shows a few harmless errors (404s for manifest/icons,
 *   ERR_NAME_NOT_RESOLVED for the marketplace); they are logged to browser-console.log.
 */
import { chromium, type Browser, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

export interface LaunchOptions {
  /** The packaged extension to install into a fresh extensions dir. */
  vsixPath: string;
  /** Folder opened as the workspace (must exist). */
  workspaceDir: string;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Setting id, e.g. "Default Dark Modern", "Default Light Modern", "Default High Contrast" (the theme picker labels them "Dark Modern" etc.). */
  colorTheme?: string;
  /** Sub-folder of test/e2e/artifacts for this session's logs and screenshots (default "session"). */
  name?: string;
  /** Override the artifacts folder altogether (else $TRACERUN_ARTIFACTS_DIR/<name> or <repo>/test/e2e/artifacts/<name>). */
  artifactsDir?: string;
  viewport?: { width: number; height: number };
  /** Extra environment for code-server (and so the extension host). */
  env?: NodeJS.ProcessEnv;
  /** Overall launch budget in ms (default 120000; first start on a cold disk is the slow one). */
  launchTimeoutMs?: number;
  /** Run Chromium headed (needs a display; default headless). */
  headed?: boolean;
  /**
   * A user data folder kept across sessions (the caller removes it), so a second session finds
   * what the extension stored in the first (its workspace storage); default: a fresh one.
   */
  userDataDir?: string;
}

export interface TreeItem {
  label: string;
  description: string;
  ariaLabel: string;
  /** 1-based depth. */
  level: number;
  /** undefined for leaf rows. */
  expanded: boolean | undefined;
  selected: boolean;
  focused: boolean;
  /** Index in the (virtualised) list, from data-index. */
  index: number;
  /** Title of the view the row is in (pane header h3). */
  viewTitle: string;
  /** Locates this row by its document-unique id; stays valid while the row is rendered at this index. */
  locator: Locator;
}

export interface EditorInfo {
  /** Tab label, e.g. "target.txt" or a webview panel title. Empty if no editor is open. */
  title: string;
  /** Tab aria-label, e.g. "target.txt, preview, Editor Group 2". */
  ariaLabel: string;
  /** data-resource-name of the tab: the file name, or "webview-<uuid>" for webviews. */
  resourceName: string;
  /** Absolute path from the breadcrumbs, when the editor shows a file (else ""). */
  path: string;
  /** path relative to the workspace folder with forward slashes (else ""). */
  relativePath: string;
  preview: boolean;
  dirty: boolean;
  /** Cursor position from the status bar; undefined when no text editor is active. */
  line: number | undefined;
  column: number | undefined;
  /** Raw status bar text, e.g. "Ln 12, Col 1 (5 selected)". */
  selectionText: string;
  /** Number of editor groups (columns/rows) open. */
  groupCount: number;
  windowTitle: string;
}

export interface EditorExpectation {
  title?: string | RegExp;
  /** Matched against relativePath (string: equal, or a suffix of the absolute path). */
  path?: string | RegExp;
  line?: number;
  column?: number;
}

export type FramePredicate = (frame: Frame) => boolean | Promise<boolean>;

// ---------------------------------------------------------------------------------------------
// Locations

/** Cache folder shared with scripts/setup-e2e.sh. */
export function cacheDir(): string {
  return process.env.TRACERUN_CACHE_DIR || path.join(os.homedir(), '.cache', 'tracerun');
}

/** The code-server launcher installed by scripts/setup-e2e.sh. */
export function codeServerBin(): string {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
}

/** Debian's Chromium (playwright's own browser downloads are not reachable here). */
export function chromiumPath(): string {
  return process.env.TRACERUN_CHROMIUM || '/usr/bin/chromium';
}

/** Repo root: the nearest folder above `from` whose package.json is ours. */
function findRepoRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg && pkg.name === 'tracerun') return dir;
    } catch {
      /* no package.json here */
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Root folder for artifacts: why not a temp dir - CI keeps test/e2e/artifacts for humans to look at. */
export function artifactsRoot(): string {
  if (process.env.TRACERUN_ARTIFACTS_DIR) return process.env.TRACERUN_ARTIFACTS_DIR;
  const root = findRepoRoot(__dirname) ?? findRepoRoot(process.cwd());
  return root ? path.join(root, 'test', 'e2e', 'artifacts') : path.join(os.tmpdir(), 'tracerun-e2e-artifacts');
}

// ---------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with `p`, or with undefined after `ms`; the timer is cleared so it cannot keep Node alive after the tests end. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function textMatches(actual: string, want: string | RegExp): boolean {
  return typeof want === 'string' ? actual === want : want.test(actual);
}

/** Why: the OS picks a free port; the tiny race before code-server (or a receiver) binds it is acceptable on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One GET; resolves with the status code or undefined when nothing answers yet. */
function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}${err && !stdout && !stderr ? String(err) : ''}` });
    });
  });
}

// Why: a crashed or interrupted test must not leave code-server servers behind (they run
// detached in their own process group, out of reach of the terminal's Ctrl+C).
/** code-server process-group id -> the session's temp root, for last-resort cleanup. */
const liveGroups = new Map<number, string>();
let exitHooksInstalled = false;
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const [pid, tempRoot] of liveGroups) {
      killGroup(pid, 'SIGKILL');
      fs.rmSync(tempRoot, { recursive: true, force: true });
    }
    liveGroups.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig); // re-raise: our once-listener is gone, so the default action (or playwright's handler) applies
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Launch

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false, // else the trust dialog covers the window
  'workbench.startupEditor': 'none', // no Welcome tab stealing the editor area
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never', // no "open parent repository?" toast
  'editor.accessibilitySupport': 'off', // no screen-reader-mode prompt when playwright drives the keyboard
  'remote.autoForwardPorts': false, // no "application running on port 4317" toast: code-server sees the gRPC receiver
};

const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root in a container
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/**
 * Starts code-server with the vsix installed and the workspace open, and a Chromium page on
 * it. Throws with the relevant log tail when a step fails; cleans up what it started then.
 */
export async function launchVSCode(opts: LaunchOptions): Promise<Session> {
  const t0 = Date.now();
  const budget = opts.launchTimeoutMs ?? 120_000;
  const remaining = () => Math.max(5_000, budget - (Date.now() - t0));
  const bin = codeServerBin();
  if (!fs.existsSync(bin)) throw new Error(`code-server not found at ${bin}: run \`bash scripts/setup-e2e.sh\` first`);
  if (!fs.existsSync(chromiumPath())) throw new Error(`Chromium not found at ${chromiumPath()}: run \`bash scripts/setup-e2e.sh\` first`);
  const vsixPath = path.resolve(opts.vsixPath);
  if (!fs.existsSync(vsixPath)) throw new Error(`vsix not found: ${vsixPath} (run \`npm run package\`?)`);
  const workspaceDir = path.resolve(opts.workspaceDir);
  if (!fs.statSync(workspaceDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`workspaceDir is not a folder: ${workspaceDir}`);

  const artifactsDir = opts.artifactsDir ? path.resolve(opts.artifactsDir) : path.join(artifactsRoot(), slug(opts.name ?? 'session'));
  fs.rmSync(artifactsDir, { recursive: true, force: true }); // why: stale screenshots from an older run mislead
  fs.mkdirSync(artifactsDir, { recursive: true });

  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-e2e-'));
  const userDataDir = opts.userDataDir ? path.resolve(opts.userDataDir) : path.join(tempRoot, 'user-data');
  const extensionsDir = path.join(tempRoot, 'extensions');
  const configFile = path.join(tempRoot, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(configFile, ''); // why: keep ~/.config/code-server/config.yaml (password, cert) out of it
  const settings = { ...DEFAULT_SETTINGS, ...(opts.colorTheme ? { 'workbench.colorTheme': opts.colorTheme } : {}), ...(opts.settings ?? {}) };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const session = new Session({ artifactsDir, tempRoot, userDataDir, extensionsDir, workspaceDir });
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  // Why: when the tests themselves run from a VS Code terminal these would point the CLI at that VS Code.
  for (const k of ['VSCODE_IPC_HOOK_CLI', 'VSCODE_PROXY_URI', 'PORT', 'PASSWORD', 'HASHED_PASSWORD']) delete env[k];
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  try {
    // 1. Install the vsix the same way a user would.
    session.log(`installing ${vsixPath}`);
    let t = Date.now();
    const inst = await run(bin, [...common, '--install-extension', vsixPath], env, remaining());
    fs.writeFileSync(path.join(artifactsDir, 'install-extension.log'), inst.out);
    if (inst.code !== 0 || !/successfully installed/i.test(inst.out)) {
      throw new Error(`code-server --install-extension failed (exit ${inst.code}):\n${inst.out.trim()}`);
    }
    session.timings.installMs = Date.now() - t;

    // 2. Start the server on a free loopback port; its output goes straight to a log file.
    t = Date.now();
    const port = await freePort();
    const logFd = fs.openSync(session.codeServerLog, 'w');
    const args = [
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspaceDir,
    ];
    session.log(`starting ${bin} ${args.join(' ')}`);
    const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    session.attachServer(child, port);
    await session.waitForServer(remaining());
    session.timings.serverMs = Date.now() - t;

    // 3. Browser + workbench.
    t = Date.now();
    await session.openBrowser(opts, remaining());
    session.timings.browserMs = Date.now() - t;
    t = Date.now();
    await session.openWorkbench(remaining());
    session.timings.workbenchMs = Date.now() - t;
    t = Date.now();
    await session.waitForExtensionHost(remaining());
    session.timings.extensionHostMs = Date.now() - t;
    session.timings.launchMs = Date.now() - t0;
    session.log(`ready in ${session.timings.launchMs} ms ${JSON.stringify(session.timings)}`);
    return session;
  } catch (err) {
    await session.screenshot('launch-failure').catch(() => undefined);
    await session.close();
    const e = err instanceof Error ? err : new Error(String(err));
    if (fs.existsSync(session.codeServerLog)) e.message += `\n--- code-server log (${session.codeServerLog}) ---\n${tail(session.codeServerLog)}`;
    e.message += `\n(artifacts: ${artifactsDir})`;
    throw e;
  }
}

/** Launch, run `fn`, screenshot on failure ("failure.png"), always close. */
export async function withVSCode<T>(opts: LaunchOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await launchVSCode(opts);
  try {
    return await fn(s);
  } catch (err) {
    await s.screenshot('failure').catch(() => undefined);
    throw err;
  } finally {
    await s.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Session

export class Session {
  page!: Page;
  browser: Browser | undefined;
  context: BrowserContext | undefined;
  readonly artifactsDir: string;
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly codeServerLog: string;
  port = 0;
  url = '';
  /** Durations of the launch phases in ms (installMs, serverMs, browserMs, workbenchMs, launchMs). */
  readonly timings: Record<string, number> = {};

  private readonly tempRoot: string;
  private server: ChildProcess | undefined;
  private serverExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private consoleLog: fs.WriteStream | undefined;
  private closed = false;
  private shotCounter = 0;

  constructor(p: { artifactsDir: string; tempRoot: string; userDataDir: string; extensionsDir: string; workspaceDir: string }) {
    this.artifactsDir = p.artifactsDir;
    this.tempRoot = p.tempRoot;
    this.userDataDir = p.userDataDir;
    this.extensionsDir = p.extensionsDir;
    this.workspaceDir = p.workspaceDir;
    this.codeServerLog = path.join(p.artifactsDir, 'code-server.log');
  }

  /** Timestamped line in artifacts/harness.log (and stderr with TRACERUN_E2E_DEBUG=1): the story of a failed run. */
  log(msg: string): void {
    const line = `${new Date().toISOString()} ${msg}\n`;
    try {
      fs.appendFileSync(path.join(this.artifactsDir, 'harness.log'), line);
    } catch {
      /* artifacts dir gone */
    }
    if (process.env.TRACERUN_E2E_DEBUG) process.stderr.write(`[e2e] ${line}`);
  }

  // --- launch internals ------------------------------------------------------------------

  /** @internal */
  attachServer(child: ChildProcess, port: number): void {
    this.server = child;
    this.port = port;
    if (child.pid) liveGroups.set(child.pid, this.tempRoot);
    installExitHooks();
    child.on('exit', (code, signal) => {
      this.serverExit = { code, signal };
      if (child.pid) liveGroups.delete(child.pid);
      if (!this.closed) this.log(`code-server exited unexpectedly (code ${code}, signal ${signal})`);
    });
  }

  /** @internal Polls /healthz until code-server answers; fails fast if it died. */
  async waitForServer(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.serverExit) throw new Error(`code-server exited during startup (code ${this.serverExit.code}, signal ${this.serverExit.signal})`);
      const status = await httpStatus(`http://127.0.0.1:${this.port}/healthz`);
      if (status !== undefined && status < 500) return;
      await sleep(150);
    }
    throw new Error(`code-server did not answer on http://127.0.0.1:${this.port}/ within ${timeoutMs} ms`);
  }

  /** @internal */
  async openBrowser(opts: LaunchOptions, timeoutMs: number): Promise<void> {
    this.browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: !opts.headed,
      args: CHROMIUM_ARGS,
      timeout: timeoutMs,
    });
    this.context = await this.browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    this.page = await this.context.newPage();
    this.page.setDefaultTimeout(15_000);
    this.consoleLog = fs.createWriteStream(path.join(this.artifactsDir, 'browser-console.log'));
    this.page.on('console', (m) => this.consoleLog?.write(`[${m.type()}] ${m.text()}\n`));
    this.page.on('pageerror', (e) => this.consoleLog?.write(`[pageerror] ${e.stack ?? e.message}\n`));
  }

  /** @internal Loads the workbench and waits until its main parts are laid out. */
  async openWorkbench(timeoutMs: number): Promise<void> {
    // Why URLSearchParams: handles spaces etc.; code-server accepts the %2F-encoded path.
    this.url = `http://127.0.0.1:${this.port}/?${new URLSearchParams({ folder: this.workspaceDir })}`;
    this.log(`goto ${this.url}`);
    await this.page.goto(this.url, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
    const deadline = Date.now() + timeoutMs;
    for (const sel of ['.monaco-workbench', '.monaco-workbench .part.activitybar', '.monaco-workbench .part.statusbar', '.monaco-workbench .part.editor']) {
      await this.page.waitForSelector(sel, { state: 'visible', timeout: Math.max(1000, deadline - Date.now()) }).catch((err) => {
        throw new Error(`workbench did not show ${sel} within ${timeoutMs} ms (see browser-console.log): ${err.message.split('\n')[0]}`);
      });
    }
    // Why: activity bar items of extension view containers appear once the extension
    // registry has read the installed manifests; a short settle avoids racing the first click.
    await this.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.part.activitybar .action-item[role="tab"]').length > 0, undefined, {
      timeout: Math.max(1000, deadline - Date.now()),
    });
  }

  /**
   * @internal Waits for code-server to log that it launched the Node extension host for
   * this window. Why: the workbench paints ~1-2 s before that, and until then tree views
   * have no data provider and extension commands queue up; tests that assert "nothing
   * shown" would pass vacuously.
   */
  async waitForExtensionHost(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.serverExit) throw new Error(`code-server exited (code ${this.serverExit.code}, signal ${this.serverExit.signal})`);
      if (/Launched Extension Host Process/.test(tail(this.codeServerLog, 200))) return;
      await sleep(100);
    }
    throw new Error(`the extension host did not start within ${timeoutMs} ms (see code-server.log and browser-console.log)`);
  }

  /** Parks the mouse on an empty bit of the title bar. Why: hovers (tooltips) from the last click linger over the UI and in screenshots. */
  async parkMouse(): Promise<void> {
    const vp = this.page.viewportSize() ?? { width: 1400, height: 900 };
    await this.page.mouse.move(Math.round(vp.width * 0.8), 12);
  }

  // --- generic helpers -----------------------------------------------------------------------

  /** Saves artifacts/<name>.png (full window) and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(this.artifactsDir, `${slug(name.replace(/\.png$/i, ''))}.png`);
    if (!this.page) throw new Error('no page to screenshot');
    await this.page.screenshot({ path: file });
    this.log(`screenshot ${file}`);
    return file;
  }

  /**
   * Pastes the clipboard into a new untitled editor, as a user does, and waits until its text
   * (non-breaking spaces read as spaces) passes `until`: the text.
   */
  async pasteIntoNewEditor(what: string, until: (text: string) => boolean): Promise<string> {
    await this.runCommand('File: New Untitled Text File');
    await this.page.locator('.monaco-editor textarea').first().waitFor({ state: 'attached', timeout: 10_000 });
    await this.page.keyboard.press('Control+V');
    await this.poll('the paste to land', async () => ((await this.activeEditorInfo()).dirty ? true : undefined), 15_000);
    await this.page.keyboard.press('Control+Home');
    return this.poll(what, async () => {
      const shown = await this.page.evaluate(() => String((globalThis as any).document.querySelector('.editor-instance .monaco-editor .view-lines')?.innerText ?? ''));
      const text = shown.replace(/\u00a0/g, ' ');
      return until(text) ? text : undefined;
    }, 15_000);
  }

  /**
   * Polls `fn` until it returns something other than undefined. On timeout throws
   * "Timed out after N ms waiting for <what>" plus `describe()` (the state seen), and saves
   * a screenshot "timeout-<n>-<what>.png".
   */
  async poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<string>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastErr: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        lastErr = err; // why: frames detach, rows re-render - transient while the UI settles
      }
      if (Date.now() >= deadline) break;
      await sleep(150);
    }
    let seen = '';
    try {
      seen = describe ? await describe() : '';
    } catch (err) {
      seen = `(could not describe state: ${err})`;
    }
    const shot = await this.screenshot(`timeout-${++this.shotCounter}-${what}`).catch(() => '');
    const screen = await this.onScreen().catch((err: unknown) => `(could not read the screen: ${err})`);
    const msg = [`Timed out after ${timeoutMs} ms waiting for ${what}.`, seen, lastErr ? `Last error: ${lastErr}` : '', screen, shot ? `Screenshot: ${shot}` : '']
      .filter(Boolean)
      .join('\n');
    this.log(msg);
    throw new Error(msg);
  }

  /**
   * What else the window shows when a wait times out: toasts, an open quick pick, and the
   * end of the extension's log, so a failure on a machine we cannot see explains itself.
   */
  async onScreen(): Promise<string> {
    const toasts = await this.notifications();
    const quickPick = await this.page.evaluate(() => {
      const widget = (globalThis as any).document.querySelector('.quick-input-widget');
      return widget && widget.style.display !== 'none' ? String(widget.innerText ?? '').trim().slice(0, 400) : '';
    });
    const log = this.extensionLogTail(15);
    return [
      toasts.length ? `Notifications: ${JSON.stringify(toasts)}` : '',
      quickPick ? `Quick pick open: ${JSON.stringify(quickPick)}` : '',
      log ? `Trace Run log (last lines):\n${log}` : '',
    ]
      .filter(Boolean)
      .join('\n');
  }

  /** The extension's log (its LogOutputChannel) so far, all of it. */
  extensionLog(): string {
    return this.extensionLogTail(Number.MAX_SAFE_INTEGER);
  }

  private extensionLogTail(lines: number): string {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 6) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full, depth + 1);
        else if (entry.name.endsWith('Trace Run.log')) found.push(full);
      }
    };
    try {
      // One folder per start of code-server, named by its time: a kept user data folder has several.
      const logs = path.join(this.userDataDir, 'logs');
      const newest = fs.readdirSync(logs).sort().pop();
      if (newest) walk(path.join(logs, newest), 0);
    } catch {
      return '';
    }
    return found
      .map((file) => fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'))
      .join('\n');
  }

  // --- command palette ---------------------------------------------------------------------

  /**
   * Runs a command from the palette by its title, with or without its category
   * ("Trace Run: Show Log" or "Show Log"). Clicks the matching row instead of pressing
   * Enter, so a recently-used or fuzzy-matched row on top cannot be run by mistake.
   */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    this.log(`runCommand ${title}`);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.openCommandPalette(timeoutMs);
    await input.fill(`>${title}`);
    const want = title.trim().toLowerCase();
    type Row = Awaited<ReturnType<Session['quickInputRows']>>[number];
    let found: { row: Row } | { ambiguous: Row[] };
    try {
      found = await this.poll(
        `command "${title}" in the command palette`,
        async () => {
          const rows = await this.quickInputRows();
          const exact = rows.find((r) => r.label.toLowerCase() === want);
          const bare = rows.filter((r) => r.label.toLowerCase().endsWith(`: ${want}`));
          if (exact) return { row: exact };
          if (bare.length > 1) return { ambiguous: bare };
          return bare.length ? { row: bare[0] } : undefined;
        },
        timeoutMs,
        async () => `Palette shows: ${(await this.quickInputRows()).map((r) => JSON.stringify(r.label)).join(', ') || '(nothing)'}`,
      );
    } catch (err) {
      await this.page.keyboard.press('Escape'); // why: leave the UI usable for the next step / cleanup screenshot
      throw err;
    }
    if ('ambiguous' in found) {
      await this.page.keyboard.press('Escape');
      throw new Error(`Command "${title}" is ambiguous; use the full "Category: Title": ${found.ambiguous.map((r) => r.label).join(' | ')}`);
    }
    const row = found.row;
    await this.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[data-index="${row.index}"]`).click();
    // Why not fail here: a command may open its own quick pick, keeping the widget visible.
    await this.page
      .waitForFunction((value) => {
        const doc = (globalThis as any).document;
        const w = doc.querySelector('.quick-input-widget');
        const i = doc.querySelector('.quick-input-widget .quick-input-box input');
        return !w || w.style.display === 'none' || !i || i.value !== value;
      }, `>${title}`, { timeout: 5_000 })
      .catch(() => undefined);
  }

  /** Opens the command palette: F1, else Ctrl+Shift+P, else the command center; focus may sit in a webview. */
  private async openCommandPalette(timeoutMs: number): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    if (await widget.isVisible()) {
      await this.page.keyboard.press('Escape'); // why: a leftover quick pick would swallow our typing
      await widget.waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
    }
    const attempts: Array<[string, () => Promise<void>]> = [
      ['F1', () => this.page.keyboard.press('F1')],
      ['Ctrl+Shift+P', () => this.page.keyboard.press('Control+Shift+P')],
      ['command center', () => this.page.locator('.command-center .command-center-center').click({ timeout: 3_000 })],
    ];
    const per = Math.max(2_000, Math.floor(timeoutMs / attempts.length));
    for (const [how, act] of attempts) {
      try {
        await act();
        await widget.locator('.quick-input-box input').waitFor({ state: 'visible', timeout: per });
        return;
      } catch {
        this.log(`command palette did not open with ${how}`);
      }
    }
    throw new Error(`command palette did not open (tried ${attempts.map((a) => a[0]).join(', ')})`);
  }

  /** Visible rows of the open quick input (command palette / quick pick). */
  async quickInputRows(): Promise<Array<{ label: string; description: string; ariaLabel: string; index: number; focused: boolean }>> {
    return this.page.evaluate(() => {
      const doc = (globalThis as any).document;
      return Array.from(doc.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')).map((r: any) => ({
        label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
        ariaLabel: r.getAttribute('aria-label') ?? '',
        index: Number(r.getAttribute('data-index')),
        focused: r.classList.contains('focused'),
      }));
    });
  }

  /** Picks an item in an open quick pick (e.g. one shown by the extension) by label. */
  async pickQuickItem(label: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const row = await this.poll(
      `quick pick item ${label}`,
      async () => (await this.quickInputRows()).find((r) => textMatches(r.label, label)),
      timeoutMs,
      async () => `Quick pick shows: ${(await this.quickInputRows()).map((r) => JSON.stringify(r.label)).join(', ') || '(nothing)'}`,
    );
    await this.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[data-index="${row.index}"]`).click();
  }

  // --- views ---------------------------------------------------------------------------------

  /**
   * Shows a view container (activity bar entry) by its aria-label: the container title for
   * extension containers, e.g. "Trace Run"; built-ins match without their keybinding suffix
   * ("Explorer" matches "Explorer (Ctrl+Shift+E)"). No-op if it is already showing.
   */
  async openViewContainer(ariaLabel: string, timeoutMs = 15_000): Promise<void> {
    this.log(`openViewContainer ${ariaLabel}`);
    const find = () =>
      this.page.evaluate((label) => {
        const doc = (globalThis as any).document;
        const items = Array.from(doc.querySelectorAll('.part.activitybar .action-item')) as any[];
        const labels = items.map((li) => li.querySelector('a.action-label')?.getAttribute('aria-label') ?? li.getAttribute('aria-label') ?? '');
        const i = labels.findIndex((l) => l === label || l.startsWith(`${label} (`));
        const sidebar = doc.querySelector('.part.sidebar');
        return {
          index: i,
          checked: i >= 0 && (items[i].classList.contains('checked') || items[i].getAttribute('aria-selected') === 'true'),
          sidebarVisible: !!sidebar && sidebar.getClientRects().length > 0,
          labels,
        };
      }, ariaLabel);
    const state = await this.poll(
      `activity bar item "${ariaLabel}"`,
      async () => {
        const s = await find();
        return s.index >= 0 ? s : undefined;
      },
      timeoutMs,
      async () => `Activity bar has: ${(await find()).labels.map((l) => JSON.stringify(l)).join(', ')}`,
    );
    if (state.checked && state.sidebarVisible) return; // why: clicking an open container closes the side bar
    await this.page.locator('.part.activitybar .action-item').nth(state.index).locator('a.action-label').click();
    await this.parkMouse();
    await this.poll(
      `view container "${ariaLabel}" to open`,
      async () => {
        const s = await find();
        return s.checked && s.sidebarVisible ? true : undefined;
      },
      timeoutMs,
      async () => `Side bar title: ${await this.sideBarTitle()}`,
    );
  }

  /** Text of the side bar title, e.g. "Harness Demo: Demo Items" (CSS upper-cases it on screen). */
  async sideBarTitle(): Promise<string> {
    return this.page.evaluate(() => ((globalThis as any).document.querySelector('.part.sidebar .composite.title h2')?.textContent ?? '').trim());
  }

  /**
   * Rendered rows of tree/list views in the side bar, secondary side bar and panel, top to
   * bottom; only panes that are expanded and rows that exist (lists are virtualised: scroll
   * to see more). `viewTitle` (the view's name, e.g. "Runs") restricts to that view.
   */
  async treeItems(viewTitle?: string): Promise<TreeItem[]> {
    const raw = await this.page.evaluate((title) => {
      const doc = (globalThis as any).document;
      const out: any[] = [];
      const want = title ? title.trim().toLowerCase() : undefined;
      for (const pane of Array.from(doc.querySelectorAll('.part.sidebar .pane, .part.auxiliarybar .pane, .part.panel .pane')) as any[]) {
        const header = pane.querySelector(':scope > .pane-header');
        const name = (header?.querySelector('h3.title')?.textContent ?? '').trim();
        const aria = (header?.getAttribute('aria-label') ?? '').replace(/ Section$/, '').trim();
        if (want && name.toLowerCase() !== want && aria.toLowerCase() !== want) continue;
        if (pane.getClientRects().length === 0) continue; // container not showing
        for (const r of Array.from(pane.querySelectorAll(':scope > .pane-body .monaco-list-row')) as any[]) {
          if (r.getClientRects().length === 0) continue;
          const exp = r.getAttribute('aria-expanded');
          out.push({
            id: r.id,
            label: (r.querySelector('.label-name')?.textContent ?? r.textContent ?? '').trim(),
            description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
            ariaLabel: r.getAttribute('aria-label') ?? '',
            level: Number(r.getAttribute('aria-level') ?? '1'),
            expanded: exp === null ? undefined : exp === 'true',
            selected: r.getAttribute('aria-selected') === 'true' || r.classList.contains('selected'),
            focused: r.classList.contains('focused'),
            index: Number(r.getAttribute('data-index')),
            top: r.getBoundingClientRect().top,
            viewTitle: name || aria,
          });
        }
      }
      return out;
    }, viewTitle);
    return raw.map(({ id, top: _top, ...rest }) => ({ ...rest, locator: this.page.locator(`[id="${id}"]`) }));
  }

  /**
   * Waits for a rendered tree row. A string matches the label exactly, the aria-label
   * exactly, or is contained in the label; a RegExp is tried on label, then aria-label.
   */
  async waitForTreeItem(match: string | RegExp, opts: { timeout?: number; viewTitle?: string } = {}): Promise<TreeItem> {
    const ok = (it: TreeItem) =>
      typeof match === 'string'
        ? it.label === match || it.ariaLabel === match || it.label.includes(match)
        : match.test(it.label) || match.test(it.ariaLabel);
    return this.poll(
      `tree item ${match}${opts.viewTitle ? ` in view "${opts.viewTitle}"` : ''}`,
      async () => (await this.treeItems(opts.viewTitle)).find(ok),
      opts.timeout ?? 15_000,
      async () => {
        const items = await this.treeItems(opts.viewTitle);
        return `Visible rows: ${items.map((i) => `[${i.viewTitle}] ${JSON.stringify(i.label)}${i.description ? ` (${i.description})` : ''}`).join(', ') || '(none)'}`;
      },
    );
  }

  /**
   * Expands a collapsed tree row (clicks its twistie, which - unlike clicking the row - does
   * not also run the item's command) and waits until it reports aria-expanded="true".
   */
  async expandTreeItem(match: string | RegExp, opts: { timeout?: number; viewTitle?: string } = {}): Promise<TreeItem> {
    const item = await this.waitForTreeItem(match, opts);
    if (item.expanded === true) return item;
    if (item.expanded === undefined) throw new Error(`tree item ${JSON.stringify(item.label)} is not collapsible`);
    await item.locator.locator('.monaco-tl-twistie').click();
    return this.poll(
      `tree item ${match} to expand`,
      async () => (await this.treeItems(opts.viewTitle)).find((i) => i.label === item.label && i.level === item.level && i.expanded === true),
      opts.timeout ?? 15_000,
    );
  }

  /**
   * Clicks an inline action (view/item/context "inline" menu) of a tree row by its title,
   * e.g. "Open Waterfall". Why hover first: inline actions only show on hover/selection.
   */
  async clickTreeItemAction(match: string | RegExp, actionTitle: string, opts: { timeout?: number; viewTitle?: string } = {}): Promise<void> {
    const item = await this.waitForTreeItem(match, opts);
    await item.locator.hover();
    const action = item.locator.locator(`.actions .action-label[aria-label="${actionTitle.replace(/"/g, '\\"')}"]`);
    try {
      await action.click({ timeout: opts.timeout ?? 5_000 });
    } catch (err) {
      const titles = await item.locator.locator('.actions .action-label').evaluateAll((els) => els.map((e: any) => e.getAttribute('aria-label')));
      await this.parkMouse();
      throw new Error(`no inline action "${actionTitle}" on tree item ${JSON.stringify(item.label)}; it has: ${JSON.stringify(titles)}\n${err}`);
    }
    await this.parkMouse();
  }

  /**
   * Visible text of a view's body, e.g. its welcome content ("viewsWelcome") when the
   * tree is empty. Empty string if the view is collapsed or not showing.
   */
  async viewText(viewTitle: string): Promise<string> {
    return this.page.evaluate((title) => {
      const doc = (globalThis as any).document;
      const want = title.trim().toLowerCase();
      for (const pane of Array.from(doc.querySelectorAll('.part.sidebar .pane, .part.auxiliarybar .pane, .part.panel .pane')) as any[]) {
        const header = pane.querySelector(':scope > .pane-header');
        const name = (header?.querySelector('h3.title')?.textContent ?? '').trim().toLowerCase();
        const aria = (header?.getAttribute('aria-label') ?? '').replace(/ Section$/, '').trim().toLowerCase();
        if (name !== want && aria !== want) continue;
        const body = pane.querySelector(':scope > .pane-body');
        return body && body.getClientRects().length ? String(body.innerText ?? '').trim() : '';
      }
      return '';
    }, viewTitle);
  }

  /** Notification toasts currently shown (message text). */
  async notifications(): Promise<string[]> {
    return this.page.evaluate(() =>
      Array.from((globalThis as any).document.querySelectorAll('.notifications-toasts .notification-list-item-message')).map((e: any) =>
        (e.textContent ?? '').trim(),
      ),
    );
  }

  // --- webviews ------------------------------------------------------------------------------

  /**
   * The content frame of a *visible* webview (panel or view) that contains `selector`, or for
   * which `predicate(frame)` is true. Walks page.frames(): content frames are the ones whose
   * parent is a webview host frame (…/webview/browser/pre/index.html).
   */
  async webviewFrame(target: string | FramePredicate, timeoutMs = 15_000): Promise<Frame> {
    const isHost = (f: Frame | null) => !!f && /\/webview\/browser\/pre\/index\.html/.test(f.url());
    return this.poll(
      `webview frame with ${typeof target === 'string' ? target : 'predicate'}`,
      async () => {
        for (const f of this.page.frames()) {
          if (f.isDetached() || !isHost(f.parentFrame())) continue;
          if (!(await this.frameChainVisible(f))) continue;
          if (typeof target === 'string' ? await f.$(target).then((h) => !!h, () => false) : await target(f)) return f;
        }
        return undefined;
      },
      timeoutMs,
      async () => {
        const lines: string[] = [];
        for (const f of this.page.frames()) {
          if (!isHost(f.parentFrame())) continue;
          const visible = await this.frameChainVisible(f).catch(() => false);
          const title = await f.title().catch(() => '?');
          lines.push(`  content frame visible=${visible} title=${JSON.stringify(title)} url=${f.url().slice(0, 120)}`);
        }
        return lines.length ? `Webview frames:\n${lines.join('\n')}` : 'No webview content frames exist (is the webview open and its tab active?)';
      },
    );
  }

  /** True when the frame's iframe element and every ancestor iframe element are visible. */
  private async frameChainVisible(f: Frame): Promise<boolean> {
    for (let cur: Frame | null = f; cur && cur.parentFrame(); cur = cur.parentFrame()) {
      const el = await cur.frameElement();
      const visible = await el.isVisible();
      await el.dispose();
      if (!visible) return false;
    }
    return true;
  }

  // --- editors -------------------------------------------------------------------------------

  /** What the active editor group shows: tab title/resource, file path and cursor position. */
  async activeEditorInfo(): Promise<EditorInfo> {
    const raw = await this.page.evaluate(() => {
      const doc = (globalThis as any).document;
      const group = doc.querySelector('.part.editor .editor-group-container.active');
      const tab = group?.querySelector('.tabs-container .tab.active') ?? group?.querySelector('.title .tab.active');
      const label = tab?.querySelector('.monaco-icon-label');
      const crumb = group?.querySelector('.breadcrumbs-control:not(.hidden) .monaco-breadcrumb-item.file .monaco-icon-label');
      const sel = doc.getElementById('status.editor.selection');
      return {
        title: (tab?.querySelector('.label-name')?.textContent ?? '').trim(),
        ariaLabel: tab?.getAttribute('aria-label') ?? '',
        resourceName: tab?.getAttribute('data-resource-name') ?? '',
        path: crumb?.getAttribute('aria-label') ?? '',
        preview: !!label?.classList.contains('italic'),
        dirty: !!tab?.classList.contains('dirty'),
        selectionText: (sel?.textContent ?? '').trim() || (sel?.getAttribute('aria-label') ?? ''),
        groupCount: doc.querySelectorAll('.part.editor .editor-group-container').length,
        windowTitle: doc.title,
      };
    });
    const m = /Ln (\d+), Col (\d+)/.exec(raw.selectionText);
    const rel = raw.path ? path.relative(this.workspaceDir, raw.path) : '';
    return {
      ...raw,
      relativePath: rel && !rel.startsWith('..') ? rel.split(path.sep).join('/') : '',
      line: m ? Number(m[1]) : undefined,
      column: m ? Number(m[2]) : undefined,
    };
  }

  /** Polls activeEditorInfo() until every given field matches; returns the matching info. */
  async waitForActiveEditor(expect: EditorExpectation, timeoutMs = 10_000): Promise<EditorInfo> {
    let last: EditorInfo | undefined;
    const pathOk = (info: EditorInfo, want: string | RegExp) =>
      typeof want === 'string'
        ? info.relativePath === want || (!!info.path && info.path.endsWith(want.startsWith('/') ? want : `/${want}`))
        : want.test(info.relativePath) || want.test(info.path);
    return this.poll(
      `active editor ${JSON.stringify(expect, (_k, v) => (v instanceof RegExp ? String(v) : v))}`,
      async () => {
        const info = (last = await this.activeEditorInfo());
        if (expect.title !== undefined && !textMatches(info.title, expect.title)) return undefined;
        if (expect.path !== undefined && !pathOk(info, expect.path)) return undefined;
        if (expect.line !== undefined && info.line !== expect.line) return undefined;
        if (expect.column !== undefined && info.column !== expect.column) return undefined;
        return info;
      },
      timeoutMs,
      async () => `Last seen: ${JSON.stringify(last)}`,
    );
  }

  // --- teardown ------------------------------------------------------------------------------

  /** Closes Chromium, kills code-server's process group, deletes temp dirs. Keeps artifacts. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log('close');
    if (this.browser) {
      // Why the race: browser.close() can hang if Chromium is wedged; playwright kills it on exit anyway.
      await within(this.browser.close().catch(() => undefined), 10_000);
    }
    this.consoleLog?.end();
    const child = this.server;
    if (child?.pid && !this.serverExit) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child.pid, 'SIGTERM');
      await within(exited, 5_000);
      if (!this.serverExit) {
        killGroup(child.pid, 'SIGKILL');
        await within(exited, 2_000);
      }
    }
    if (child?.pid) {
      // Why: the extension host and file watchers are grandchildren; kill any straggler in the group.
      killGroup(child.pid, 'SIGKILL');
      liveGroups.delete(child.pid);
    }
    fs.rmSync(this.tempRoot, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  }
}
