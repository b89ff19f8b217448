// After tsc: makes the compiled CLI entry executable (tsc keeps the shebang but not the mode),
// and bundles the viewer's UI (src/ui + Ink + React, React's production build) into one file,
// dist/src/ui/run-viewer.bundle.js, that `view` loads instead of ~500 modules (Ink pulls all of
// es-toolkit/compat for one function): its first screen comes up several times sooner (README
// "How it stays fast"). The bundler is rolldown, which the dev toolchain already has (vitest ->
// vite -> rolldown); without it the bundle is skipped and `view` loads the modules one by one.
// NAT64SCOPE_BUNDLE_MINIFY=0 npm run build: a readable bundle (for profiles).
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const BUNDLE_MARK = '// nat64scope CLI bundle (scripts/postbuild.mjs)';
const rootDir = fileURLToPath(new URL('../', import.meta.url));

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
// stay what they were. NAT64SCOPE_BUNDLE_CLI=0 npm run build: no CLI bundle.
const cliDir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
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
    for (const f of readdirSync(cliDir)) if (f.startsWith('chunk-')) rmSync(join(cliDir, f));
    const ok = await build({
      input: mainIn,
      platform: 'node',
      external: (id, importer) => {
        if (!importer || !(id.startsWith('./') || id.startsWith('../'))) return false;
        return left.has(resolve(dirname(importer), id));
      },
      plugins: [{
        // string-width (yargs' help layout) makes an Intl.Segmenter when it is loaded: the first
        // one loads ICU's break-iterator data, ~4 ms of every start-up, for help text that a
        // run of translate or dns64 never lays out. Made on first use instead.
        name: 'lazy-segmenter',
        transform(code, id) {
          if (!/[\\/]string-width[\\/]index\.js$/.test(id) || !code.includes('const segmenter = new Intl.Segmenter();')) return null;
          return { code: code.replace('const segmenter = new Intl.Segmenter();', 'let segmenterMade;\nconst segmenter = { segment: (s) => (segmenterMade ??= new Intl.Segmenter()).segment(s) };'), map: null };
        },
      }, {
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
  }
  if (!existsSync(mainJs)) copyFileSync(mainIn, mainJs);
  chmodSync(mainJs, 0o755);
}
