// After tsc: makes the compiled CLI entry executable (tsc keeps the shebang but not the mode),
// and bundles the viewer's UI (src/ui + Ink + React, React's production build) into one file,
// dist/src/ui/run-viewer.bundle.js, that `view` loads instead of ~500 modules (Ink pulls all of
// es-toolkit/compat for one function): its first screen comes up several times sooner (README
// "How it stays fast"). The bundler is rolldown, which the dev toolchain already has (vitest ->
// vite -> rolldown); without it the bundle is skipped and `view` loads the modules one by one.
// NAT64SCOPE_BUNDLE_MINIFY=0 npm run build: a readable bundle (for profiles).
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve, sep } from 'node:path';

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
