// After tsc: makes the compiled CLI entry executable (tsc keeps the shebang but not the mode),
// and bundles the viewer's UI (src/ui + Ink + React, React's production build) into one file,
// dist/src/ui/run-viewer.bundle.js, that `view` loads instead of ~500 modules (Ink pulls all of
// es-toolkit/compat for one function): its first screen comes up several times sooner (README
// "How it stays fast"). The bundler is rolldown, which the dev toolchain already has (vitest ->
// vite -> rolldown); without it the bundle is skipped and `view` loads the modules one by one.
// NAT64SCOPE_BUNDLE_MINIFY=0 npm run build: a readable bundle (for profiles).
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const BUNDLE_MARK = '// nat64scope CLI bundle (scripts/postbuild.mjs)';
const rootDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * The first two lines of dist/cli/main.js, the `nat64scope` command: a POSIX shell reads them (the
 * file is a shell script to the kernel, `#!/bin/sh`) and starts Node on the same file, whose
 * JavaScript sees them as a hashbang and a string expression followed by a comment. What the shell
 * line adds before Node starts, where nothing inside the process can set it any more:
 * - `--v8-pool-size=0` (in front of the caller's NODE_OPTIONS, which win): V8's worker pool sized
 *   to the machine, one thread fewer than its processors, instead of Node's 4. On two processors,
 *   four TurboFan threads compiling at once at the start of a long `translate` took both and kept
 *   the main thread waiting to run (~100 ms of a 1M-packet run); one thread leaves it its own.
 * - `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (unless the caller set GLIBC_TUNABLES): glibc's malloc
 *   asks for transparent huge pages (madvise mode, the usual kernel default) for the large
 *   allocations, the typed-array tables of the NAT64 state and the capture buffers: a fault per
 *   2 MiB instead of per 4 KiB the first time each is touched. Ignored by other C libraries.
 * README: Speed, session 11. `node dist/cli/main.js` runs the same program without them.
 */
const LAUNCHER = `#!/bin/sh
':' //; exec env GLIBC_TUNABLES="\${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}" NODE_OPTIONS="--v8-pool-size=0 \${NODE_OPTIONS-}" node "$0" "$@"
`;

/** `text` (a main.js) with its hashbang, or the launcher it already has, replaced by LAUNCHER. */
function withLauncher(text) {
  let body = text;
  if (body.startsWith(LAUNCHER)) body = body.slice(LAUNCHER.length);
  else if (body.startsWith('#!')) body = body.slice(body.indexOf('\n') + 1);
  return LAUNCHER + body;
}

/** dist/cli/main.js when the CommonJS bundle is built (see codeCachedBundle). */
const CLI_LOADER = `${LAUNCHER}${BUNDLE_MARK}
// The CLI is main.bundle.cjs and its chunk-*.cjs (scripts/postbuild.mjs: codeCachedBundle). Each
// of those files is compiled by vm.Script with its cache from code-cache/ (the bytecode of the
// functions a run used), not parsed and compiled function by function as an ES module would be.
// (the built-in modules through require, not import: an ES module import of node:fs makes its
// namespace, which reads every export, and its lazy ReadStream loads all of node:stream, ~5 ms)
import Module from 'node:module';
const requireHere = Module.createRequire(import.meta.url);
const vm = requireHere('node:vm');
const { readFileSync, writeFileSync } = requireHere('node:fs');
const { basename, dirname, join } = requireHere('node:path');
const { fileURLToPath } = requireHere('node:url');

const here = dirname(fileURLToPath(import.meta.url));
const cacheDir = join(here, 'code-cache');
const read = process.env.NAT64SCOPE_CODE_CACHE !== '0';
const write = process.env.NAT64SCOPE_CODE_CACHE_WRITE === '1';
const report = process.env.NAT64SCOPE_CODE_CACHE_REPORT === '1';
const compiled = [];
// view and live are ES modules: the bundle imports them through this module.
globalThis[Symbol.for('nat64scope.import')] = (url) => import(url);
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (!filename.endsWith('.cjs') || dirname(filename) !== here) return compile.call(this, content, filename);
  const cacheFile = join(cacheDir, basename(filename) + '.cache');
  let cachedData;
  if (read && !write) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // (a #! line, the entry's, becomes a comment: same line numbers)
  const script = new vm.Script(Module.wrap(content.startsWith('#!') ? '//' + content : content), { filename, cachedData });
  if (report) process.stderr.write(\`code cache: \${basename(filename)} \${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\\n\`);
  if (write) compiled.push([script, cacheFile]);
  const fn = script.runInThisContext({ displayErrors: true });
  const require = (id) => this.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
  require.main = process.mainModule;
  require.cache = Module._cache;
  return fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
};
if (write) {
  process.on('exit', () => {
    for (const [script, file] of compiled) {
      try {
        readFileSync(file);
      } catch {
        writeFileSync(file, script.createCachedData());
      }
    }
  });
}
requireHere('./main.bundle.cjs');
`;

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);

const uiDir = fileURLToPath(new URL('../dist/src/ui/', import.meta.url));
const input = join(uiDir, 'run-viewer.js');
const output = join(uiDir, 'run-viewer.bundle.js');
const inUi = (path) => path.startsWith(uiDir.endsWith(sep) ? uiDir : uiDir + sep);
if (existsSync(input)) {
  let build = null;
  try {
    ({ build } = await import('rolldown'));
  } catch {
    process.stderr.write('postbuild: rolldown not available: the viewer loads Ink unbundled (slower first screen)\n');
  }
  if (build) {
    rmSync(output, { force: true });
    await build({
      input,
      platform: 'node',
      // The project's own modules outside src/ui stay shared with the rest of the CLI (one
      // CaptureModel class, one filter language): imported from the bundle by their relative path.
      external: (id, importer) => {
        // Ink's devtools (only with DEV=true, needs react-devtools-core, not a dependency): left
        // out; Ink then says it is not installed, as it does unbundled.
        if (id === './devtools.js' && importer && importer.includes(`${sep}ink${sep}`)) return true;
        if (!importer || !inUi(importer) || !(id.startsWith('./') || id.startsWith('../'))) return false;
        return !inUi(resolve(dirname(importer), id));
      },
      // React's production build; and no `fetch` for Yoga's loader: it would fetch its inlined
      // WebAssembly through a data: URL, which loads undici, http2 and tls into the process (25 ms
      // of CPU before the first screen) where decoding the same bytes directly does.
      transform: { define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined' } },
      logLevel: 'warn',
      output: { file: output, format: 'esm', minify: process.env.NAT64SCOPE_BUNDLE_MINIFY !== '0', codeSplitting: false, comments: false },
    }).catch((e) => {
      rmSync(output, { force: true });
      process.stderr.write(`postbuild: viewer bundle not built (${e instanceof Error ? e.message.split('\n')[0] : e}): the viewer loads Ink unbundled\n`);
    });
  }
}

// The CLI itself: dist/cli/main.js and every command it loads become one file (tsc's output is
// kept as dist/cli/main.unbundled.js, the bundle's input). Node 20 has no module compile cache,
// and resolving, reading and compiling ~150 small ES modules one by one costs about 70 ms of
// start-up on every run of `translate`, `dns64`, `analyze` (README: Speed, "Start-up and reading").
// Left out of the bundle, loaded from dist/ as before: `view` and `live` (the viewer's bundle
// shares the project's modules with them: one copy of each class) and cli/errors.js (its
// debug/found flags are shared by main() and whatever command runs). Each bundled module's
// `import.meta.url` is rewritten to its own file's URL (in dist/ or node_modules/), so paths
// relative to a module (package.json, the live capture child, worker scripts, yargs' locales)
// stay what they were. NAT64SCOPE_BUNDLE_CLI=0 npm run build: no CLI bundle. That ES module
// bundle is then made again as CommonJS with a V8 code cache (codeCachedBundle, below), which
// becomes the entry; the ES module bundle stays it only if that cannot be made.
const cliDir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
// string-width (yargs' help layout) makes an Intl.Segmenter when it is loaded (the first one loads
// ICU's break-iterator data, ~4 ms of every start-up) and /\p{RGI_Emoji}/v and /\p{Spacing_Mark}/v
// regular expressions (ICU's emoji sets, ~2 ms), for help text that a run of translate or dns64
// never lays out. Made on first use instead, where they are only used through .segment() / .test().
const LAZY = [
  ['const segmenter = new Intl.Segmenter();', 'let segmenterMade;\nconst segmenter = { segment: (s) => (segmenterMade ??= new Intl.Segmenter()).segment(s) };'],
  ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'let rgiEmojiMade;\nconst rgiEmojiRegex = { test: (s) => (rgiEmojiMade ??= /^\\p{RGI_Emoji}$/v).test(s) };'],
  ['const spacingMarkRegex = /\\p{Spacing_Mark}/v;', 'let spacingMarkMade;\nconst spacingMarkRegex = { test: (s) => (spacingMarkMade ??= /\\p{Spacing_Mark}/v).test(s) };'],
];
const lazySegmenter = {
  name: 'lazy-segmenter',
  transform(code, id) {
    if (!/[\\/]string-width[\\/]index\.js$/.test(id)) return null;
    let out = code;
    // (only where the value is used the way the replacement supports: comments aside, every other
    // mention of the name is a .test( or .segment( call)
    const bare = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [from, to] of LAZY) {
      const name = from.split(' ')[1];
      const uses = (bare.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length;
      const supported = (bare.match(new RegExp(`\\b${name}\\.(test|segment)\\(`, 'g')) ?? []).length;
      if (out.includes(from) && uses === supported + 1) out = out.replace(from, to);
    }
    return out === code ? null : { code: out, map: null };
  },
};
// yargs' platform shim imports node:assert (~3 ms of every start-up: the module and its
// AssertionError machinery) for two checks of its own invariants; it gets these two functions
// instead, which throw as assert's would when one fails (an Error, not an AssertionError).
const ASSERT_LITE = '\0assert-lite';
const assertLite = {
  name: 'assert-lite',
  resolveId(id, importer) {
    return id === 'assert' && importer && /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(importer) ? ASSERT_LITE : null;
  },
  load(id) {
    if (id !== ASSERT_LITE) return null;
    return [
      'export function strictEqual(a, b, m) { if (a !== b) throw new Error(m ?? `Expected values to be strictly equal: ${String(a)} !== ${String(b)}`); }',
      'export function notStrictEqual(a, b, m) { if (a === b) throw new Error(m ?? `Expected "actual" to be strictly unequal to: ${String(b)}`); }',
    ].join('\n');
  },
};
const mainJs = join(cliDir, 'main.js');
const mainIn = join(cliDir, 'main.unbundled.js');
if (existsSync(mainJs) && process.env.NAT64SCOPE_BUNDLE_CLI !== '0') {
  let build = null;
  try {
    ({ build } = await import('rolldown'));
  } catch {
    build = null;
  }
  const text = readFileSync(mainJs, 'utf8');
  // tsc rewrote main.js (or this is the first bundling): it is the input from now on.
  if (!text.includes(BUNDLE_MARK)) renameSync(mainJs, mainIn);
  if (build) {
    const left = new Set(['commands/view.js', 'commands/live.js', 'errors.js'].map((f) => join(cliDir, f)));
    const tmp = join(cliDir, `.main.bundle-${process.pid}.js`);
    for (const f of readdirSync(cliDir)) if (f.startsWith('chunk-') || f.endsWith('.cjs')) rmSync(join(cliDir, f));
    rmSync(join(cliDir, 'code-cache'), { recursive: true, force: true });
    const ok = await build({
      input: mainIn,
      platform: 'node',
      external: (id, importer) => {
        if (!importer || !(id.startsWith('./') || id.startsWith('../'))) return false;
        return left.has(resolve(dirname(importer), id));
      },
      plugins: [lazySegmenter, assertLite, {
        name: 'module-url',
        transform(code, id) {
          if (!code.includes('import.meta.url') || !id.startsWith(rootDir)) return null;
          const rel = relative(cliDir, id).split(sep).join('/');
          return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href`), map: null };
        },
      }],
      logLevel: 'warn',
      output: { dir: cliDir, entryFileNames: basename(tmp), chunkFileNames: 'chunk-[name]-[hash].js', format: 'esm', minify: false, comments: false, banner: BUNDLE_MARK },
    }).then(() => true, (e) => {
      rmSync(tmp, { force: true });
      process.stderr.write(`postbuild: CLI bundle not built (${e instanceof Error ? e.message.split('\n')[0] : e}): the CLI loads its modules one by one\n`);
      return false;
    });
    if (ok) renameSync(tmp, mainJs);
    if (ok && process.env.NAT64SCOPE_CODE_CACHE !== '0') await codeCachedBundle(build, left);
  }
  if (!existsSync(mainJs)) copyFileSync(mainIn, mainJs);
}
if (existsSync(mainJs)) {
  writeFileSync(mainJs, withLauncher(readFileSync(mainJs, 'utf8')));
  chmodSync(mainJs, 0o755);
}

/**
 * The same bundle as CommonJS (main.bundle.cjs and chunk-*.cjs) loaded through V8's code cache:
 * Node 20 has no compile cache for ES modules, but a vm.Script compiles CommonJS source with
 * cached data — the bytecode of every function a run used, made here by running the CLI over a
 * fixture. The entry dist/cli/main.js becomes a small ES module that hands each of the bundle's
 * files to vm.Script with its cache (CLI_LOADER, above). Every command starts ~20 ms sooner, and
 * compiles less while it runs: no
 * parse of ~480 KB of source, no lazy compile of each function on its first call. A cache V8
 * rejects (another Node, other V8 flags, a changed file) costs nothing but that time: the source
 * is compiled as usual. If any step fails, the ES module bundle above stays the entry.
 * NAT64SCOPE_CODE_CACHE=0 npm run build: no CommonJS bundle; NAT64SCOPE_CODE_CACHE=0 at run time:
 * the cache is not read.
 */
async function codeCachedBundle(build, left) {
  const esm = readFileSync(mainJs);
  const cacheDir = join(cliDir, 'code-cache');
  const undo = (why) => {
    for (const f of readdirSync(cliDir)) if (f.endsWith('.cjs')) rmSync(join(cliDir, f));
    rmSync(cacheDir, { recursive: true, force: true });
    writeFileSync(mainJs, esm);
    process.stderr.write(`postbuild: CLI code cache not made (${why}): the CLI loads its ES module bundle\n`);
  };
  for (const f of readdirSync(cliDir)) if (f.endsWith('.cjs')) rmSync(join(cliDir, f));
  rmSync(cacheDir, { recursive: true, force: true });
  const ok = await build({
    input: mainIn,
    platform: 'node',
    // errors.js is bundled in too (CommonJS cannot require an ES module on Node 20): view and live,
    // ES modules outside the bundle, keep their own copy; they only throw its UsageError, which
    // reportError() recognises by its exitCode.
    external: (id, importer) => {
      if (!importer || !(id.startsWith('./') || id.startsWith('../'))) return false;
      const abs = resolve(dirname(importer), id);
      return left.has(abs) && !abs.endsWith(`${sep}errors.js`);
    },
    plugins: [lazySegmenter, assertLite, {
      name: 'module-url-cjs',
      transform(code, id) {
        if (!code.includes('import.meta.url') || !id.startsWith(rootDir)) return null;
        const rel = relative(cliDir, id).split(sep).join('/');
        return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, __nat64scopeFileUrl(__filename)).href`), map: null };
      },
    }],
    // yargs' `import.meta.resolve` (its config `extends`, which this CLI does not offer) becomes {}.
    onLog: (level, log, handler) => {
      if (log.code !== 'EMPTY_IMPORT_META') handler(level, log);
    },
    logLevel: 'warn',
    output: {
      dir: cliDir, entryFileNames: 'main.bundle.cjs', chunkFileNames: 'chunk-[name]-[hash].cjs', format: 'cjs', minify: false, comments: false,
      banner: `${BUNDLE_MARK}\nconst __nat64scopeFileUrl = (f) => require("node:url").pathToFileURL(f);`,
    },
  }).then(() => true, (e) => {
    undo(e instanceof Error ? e.message.split('\n')[0] : String(e));
    return false;
  });
  if (!ok) return;
  // The bundle's only dynamic imports are of view and live (ES modules): code compiled by
  // vm.Script cannot import() on Node 20, so they go through the entry module's import().
  const bundleFile = join(cliDir, 'main.bundle.cjs');
  let text = readFileSync(bundleFile, 'utf8');
  const dyn = text.match(/\bimport\("[^"]+"\)/g) ?? [];
  if (dyn.length !== 2 || dyn.some((d) => !/^import\("\.\/commands\/(view|live)\.js"\)$/.test(d))) {
    undo(`unexpected dynamic imports in the CommonJS bundle: ${dyn.join(', ') || 'none'}`);
    return;
  }
  text = text.replace(/\bimport\(("\.\/commands\/(?:view|live)\.js")\)/g, (_, spec) => `globalThis[Symbol.for("nat64scope.import")](new URL(${spec}, __nat64scopeFileUrl(__filename)).href)`);
  writeFileSync(bundleFile, text);
  for (const f of readdirSync(cliDir)) {
    if (f.endsWith('.cjs') && /\bimport\(/.test(readFileSync(join(cliDir, f), 'utf8').replace(/globalThis\[Symbol\.for\("nat64scope\.import"\)\]/g, ''))) {
      undo(`a dynamic import left in ${f}`);
      return;
    }
  }
  writeFileSync(mainJs, CLI_LOADER);
  chmodSync(mainJs, 0o755);
  // The cache: the bytecode of what these runs compiled, each file's from the first run that
  // loaded it (so dns64's own files hold dns64's functions, translate's translate's...).
  mkdirSync(cacheDir, { recursive: true });
  const fixture = join(rootDir, 'fixtures', 'pcaps', 'demo.pcapng');
  const runs = [
    ['dns64', fixture, '--json'],
    ['translate', fixture, '-w', '/dev/null', '--json', '--no-progress'],
    ['analyze', fixture, '--json'],
    ['packets', fixture, '--json'],
    ['--help'],
  ];
  // First of all, translate over a generated capture like the benchmark's (both sides of a NAT64,
  // 10k packets: bench/generate-xlat.mjs): the files it loads hold the functions a translation
  // of real traffic runs (the batch path, the flow cache, session creation, timers, the DNS64
  // check), which the demo capture's 48 packets never reach; without them each of those is
  // compiled on its first call, on the main thread (about 2% of its CPU on the 1M bench capture).
  // The other runs' functions in those files are then compiled as before.
  const trainDir = mkdtempSync(join(tmpdir(), 'nat64scope-train-'));
  try {
    const { generateXlat, XLAT_POOL4 } = await import('../bench/generate-xlat.mjs');
    const capture = join(trainDir, 'xlat.pcap');
    await generateXlat(capture, 10000);
    runs.unshift(['translate', capture, '-w', '/dev/null', '--pool4', XLAT_POOL4, '--no-progress']);
  } catch (e) {
    process.stderr.write(`postbuild: no generated capture for the code cache (${e instanceof Error ? e.message.split('\n')[0] : e}): the demo capture alone\n`);
  }
  try {
    for (const args of runs) {
      // (V8 flags decide whether a cache is accepted: dns64 keeps V8's default pretenuring here.)
      const r = spawnSync(process.execPath, [mainJs, ...args], { env: { ...process.env, NAT64SCOPE_CODE_CACHE_WRITE: '1', NAT64SCOPE_V8_PRETENURING: '1' }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      // (exit 1: analyze found something in the demo capture; a crash is 1 too, with a stack)
      if ((r.status !== 0 && r.status !== 1) || /\n    at /.test(r.stderr ?? '')) {
        undo(`\`nat64scope ${args[0]}\` failed while making it: ${(r.stderr || '').split('\n')[0]}`);
        return;
      }
    }
  } finally {
    rmSync(trainDir, { recursive: true, force: true });
  }
  if (!existsSync(join(cacheDir, 'main.bundle.cjs.cache'))) {
    undo('no cache written');
    return;
  }
  // The ES module bundle's chunks are not loaded any more.
  for (const f of readdirSync(cliDir)) if (f.startsWith('chunk-') && f.endsWith('.js')) rmSync(join(cliDir, f));
}


