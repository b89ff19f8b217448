// Summarizes a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, with their
// share of all samples, and the same grouped by source file.
//   node bench/cpuprofile-top.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

export function topFunctions(path, top = 25) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Self time per node from the sample stream (timeDeltas[i] belongs to samples[i]).
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  let total = 0;
  const fn = new Map();
  const file = new Map();
  for (const [id, us] of self) {
    total += us;
    const cf = byId.get(id).callFrame;
    const url = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
    const name = `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const f = url || `(${cf.functionName || 'native'})`;
    file.set(f, (file.get(f) ?? 0) + us);
  }
  // Inclusive time per function (self + callees), each function counted once per stack.
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const cf = byId.get(x).callFrame;
      if (!cf.url || cf.url.startsWith('node:')) continue;
      const url = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
      const name = `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + us);
    }
  }
  const rows = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ name: k, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: rows(fn), files: rows(file), inclusive: rows(incl) };
}

export function printTop(path, top = 25) {
  const t = topFunctions(path, top);
  console.log(`  ${t.totalMs.toFixed(0)} ms sampled; self time, top ${top} functions:`);
  for (const r of t.functions) console.log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  console.log('  inclusive (self + callees), project and dependency code:');
  for (const r of t.inclusive.slice(0, 20)) console.log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  console.log('  self time by file:');
  for (const r of t.files.slice(0, 12)) console.log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printTop(process.argv[2], Number(process.argv[3] ?? 25));
