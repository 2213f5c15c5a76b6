// One build script, several entry points: the extension (Node CJS, `vscode` external), the
// CLI, the webview (browser bundle), and with --tests the unit/integration/e2e tests and benchmarks.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

/**
 * grpc-js requires @grpc/proto-loader only to serve channelz admin and ORCA services, which the
 * receivers never register (and whose .proto files are not packaged, so it could not load them
 * anyway). A stub keeps proto-loader and the full protobufjs parser it pulls in (~130 KB
 * minified) out of the bundles; it throws if ever reached.
 */
const stubProtoLoader = {
  name: 'stub-proto-loader',
  setup(build) {
    build.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: 'proto-loader', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "exports.loadSync = () => { throw new Error('@grpc/proto-loader is not bundled: channelz and ORCA are not available'); };",
      loader: 'js',
    }));
  },
};

const node = {
  bundle: true,
  plugins: [stubProtoLoader],
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    // The waterfall and the compare panel: one bundle (and stylesheet) each.
    entryPoints: { webview: 'webview/main.ts', compare: 'webview/compare/main.ts' },
    outdir: 'dist',
  },
];

function testEntries(dir, suffix) {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

if (args.has('--tests')) {
  const entryPoints = [
    ...testEntries('test/unit', '.test.ts'),
    ...testEntries('test/integration', '.test.ts'),
    ...testEntries('test/e2e', '.test.ts'),
    ...testEntries('bench', '.ts'),
    'demo/main.ts',
  ];
  builds.length = 0;
  builds.push({ ...node, sourcemap: 'inline', entryPoints, outdir: 'out', outbase: '.', packages: 'external' });
}

// Codicons ship as a font + stylesheet; the webview loads them from dist/ (no remote resources).
if (!args.has('--tests')) {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
