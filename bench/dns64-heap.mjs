// Live heap of the DNS64 pipeline over a capture (run with --expose-gc): the peak of heapUsed after
// a full collection every 100k answers. Printed as JSON; bench/dns64.mjs compares N and 2N packets.
import { runDns64 } from '../dist/src/replay/dns64.js';
import { WKP } from '../dist/src/xlat/rfc6052.js';

let n = 0;
let peak = 0;
const s = await runDns64({
  input: process.argv[2], blocking: true,
  engine: { prefixes: [WKP], exclude: [], synthAll: false, ptr: 'cname', ttlWithoutSoa: 600, strictWellKnownPrefix: true, compat: 'rfc' },
  onResult: () => {
    if (++n % 100000 === 0) {
      globalThis.gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  },
});
globalThis.gc();
peak = Math.max(peak, process.memoryUsage().heapUsed);
console.log(JSON.stringify({ answered: s.answered, names: s.names, liveHeapMb: peak / 1048576 }));
