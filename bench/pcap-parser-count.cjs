// Peer for `npm run bench`: pcap-parser (the npm package) merely counting the packets of a file.
const pcapp = require('pcap-parser');
const parser = pcapp.parse(process.argv[2]);
let n = 0;
parser.on('packet', () => { n++; });
parser.on('end', () => { process.stdout.write(`${n}\n`); });
parser.on('error', (e) => { process.stderr.write(`pcap-parser: ${e.message}\n`); process.exit(1); });
