/**
 * analyze's fast paths give what the slow ones gave (issue 5, speed): the DNS tracker's in-place
 * scan against decodeDns, the counterpart tuple read from the engine's bytes against a full
 * decode, and the flow table's open-addressing index against a plain model — on every fixture
 * packet and on mutated copies of them.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { LinkLocator } from '../../src/wire/link.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { decodeDns, encodeDns } from '../../src/wire/dns.js';
import { parseIpv4, parseIpv6 } from '../../src/wire/addr-text.js';
import { DnsScan } from '../../src/diag/dns-tracker.js';
import { CounterpartTuple, COPY, engineCounts, analyzeCapture, CaptureAnalyzer } from '../../src/replay/analyze.js';
import { createEngine } from '../../src/xlat/engine.js';
import { Nat64Engine } from '../../src/xlat/nat64/nat64-engine.js';
import { loadConfig } from '../../src/xlat/config.js';
import { FlowTable, FlowPacket, type Flow } from '../../src/diag/flows.js';
import { prng } from '../../scripts/lib/timeline.js';

const FILES = [
  ...readdirSync('fixtures/pcaps').filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join('fixtures/pcaps', f)),
  ...readdirSync('fixtures/pcaps/diag').filter((f) => f.endsWith('.pcap')).map((f) => join('fixtures/pcaps/diag', f)),
];

/** What the tracker read with decodeDns before the scan (the reference). */
function viaDecodeDns(b: Uint8Array, off: number, len: number) {
  const m = decodeDns(b, off, len);
  if (m.questions.length === 0) return null;
  const q = m.questions[0];
  const answers: string[] = [];
  for (const rr of m.answers) {
    if (rr.type === 'A') {
      const x = new Uint8Array(4);
      if (parseIpv4(rr.data, x, 0)) answers.push(`A ${x.join('.')}`);
    } else if (rr.type === 'AAAA') {
      const x = new Uint8Array(16);
      if (parseIpv6(rr.data, x, 0)) answers.push(`AAAA ${[...x].join(',')}`);
    }
  }
  return {
    id: m.id, qr: m.qr, rcode: m.rcode, name: q.name.toLowerCase().replace(/\.$/, ''), qtype: q.type, do: m.edns?.do ?? false,
    cd: m.flags.includes('CD'), tc: m.flags.includes('TC'), ad: m.flags.includes('AD'), answers,
  };
}

function viaScan(s: DnsScan, b: Uint8Array, off: number, len: number) {
  if (!s.read(b, off, len)) return null;
  const answers: string[] = [];
  for (let i = 0; i < s.answerCount; i++) {
    const at = s.answerOffs[i];
    answers.push(s.answerTypes[i] === 1 ? `A ${[...b.subarray(at, at + 4)].join('.')}` : `AAAA ${[...b.subarray(at, at + 16)].join(',')}`);
  }
  const { id, qr, rcode, name } = s;
  return { id, qr, rcode, name, qtype: qtypeName(s.qtype), do: s.do, cd: (s.flags & 0x10) !== 0, tc: (s.flags & 0x200) !== 0, ad: (s.flags & 0x20) !== 0, answers };
}

function qtypeName(t: number): string {
  return decodeDns(encodeDns({ questions: [{ name: 'x', type: t }] })).questions[0].type;
}

/** Every DNS message of the fixtures, and a few crafted ones (many answers, EDNS rcode, odd rdata). */
async function dnsMessages(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const d = new PacketDecoder();
  for (const f of FILES) {
    for (const p of await readAllPackets(f, { onWarning: () => undefined })) {
      d.decode(p.data, p.offset, p.caplen, p.linkType);
      for (let i = 0; i < Math.min(d.dnsCount, 8); i++) out.push(d.dnsBufs[i].slice(d.dnsOffs[i], d.dnsOffs[i] + d.dnsLens[i]));
    }
  }
  const answers = [];
  for (let i = 0; i < 40; i++) answers.push(i % 3 === 0 ? { name: 'Big.Example.', type: 'A', data: `192.0.2.${i}` } : i % 3 === 1 ? { name: 'big.example', type: 'AAAA', data: `64:ff9b::c000:2${i.toString(16).padStart(2, '0')}` } : { name: 'big.example', type: 'CNAME', data: 'x.example' });
  out.push(encodeDns({ id: 7, qr: true, flags: ['RD', 'RA', 'AD'], questions: [{ name: 'Big.Example.', type: 'AAAA' }], answers, edns: { do: true } }));
  out.push(encodeDns({ id: 8, qr: true, rcode: 0x12, questions: [{ name: 'ext.example', type: 'A' }], edns: { do: false } }));
  out.push(encodeDns({ id: 9, qr: true, questions: [{ name: 'odd.example', type: 'A' }, { name: 'second.example', type: 'A' }], answers: [{ name: 'odd.example', type: 'A', rdata: new Uint8Array(5) }, { name: 'odd.example', type: 'AAAA', rdata: new Uint8Array(4) }] }));
  out.push(encodeDns({ id: 10, flags: ['CD'], questions: [{ name: '.', type: 'NS' }], edns: { do: true } }));
  return out;
}

describe('analyze fast paths', () => {
  it('the DNS scan reads what decodeDns gives, on every fixture DNS message and mutations of them', async () => {
    const msgs = await dnsMessages();
    expect(msgs.length).toBeGreaterThan(50);
    const s = new DnsScan();
    const rnd = prng(11);
    let compared = 0;
    let withQuestion = 0;
    for (const m of msgs) {
      for (let k = 0; k < 40; k++) {
        const b = m.slice();
        if (k > 0) {
          const flips = 1 + Math.floor(rnd() * 3);
          for (let i = 0; i < flips && b.length > 0; i++) b[Math.floor(rnd() * b.length)] = rnd() < 0.5 ? Math.floor(rnd() * 256) : b[Math.floor(rnd() * b.length)];
        }
        const len = k > 0 && rnd() < 0.3 ? Math.floor(rnd() * b.length) : b.length;
        const want = viaDecodeDns(b, 0, len);
        expect(viaScan(s, b, 0, len), `message ${compared}`).toEqual(want);
        compared++;
        if (want) withQuestion++;
      }
    }
    expect(withQuestion).toBeGreaterThan(compared / 3);
  });

  it('a counterpart tuple read in place equals a full decode of its first bytes', async () => {
    const loc = new LinkLocator();
    const d = new PacketDecoder();
    const t = new CounterpartTuple();
    const rnd = prng(12);
    let plain = 0;
    let total = 0;
    let split = 0;
    for (const f of FILES) {
      for (const p of await readAllPackets(f, { onWarning: () => undefined })) {
        const v = loc.locate(p.data, p.offset, p.caplen, p.linkType);
        if (v === 0) continue;
        const ip = p.data.slice(loc.ipOff, p.offset + p.caplen);
        for (let k = 0; k < 6; k++) {
          const b = ip.slice();
          if (k > 0) for (let i = 0; i < 2; i++) b[Math.floor(rnd() * Math.min(b.length, 64))] = Math.floor(rnd() * 256);
          const len = k > 0 && rnd() < 0.3 ? Math.floor(rnd() * b.length) : b.length;
          total++;
          // The engine emits whole packets of the family it says; a full decode saw COPY bytes.
          if (!t.read(b, 0, len, v)) continue;
          plain++;
          d.decode(b, 0, Math.min(len, COPY), LinkType.RAW);
          const alen = v === 6 ? 16 : 4;
          const want = { ipVersion: t.ipVersion, bytes: [...t.bytes], proto: t.proto, l4: t.l4, sport: t.sport, dport: t.dport, icmpType: t.icmpType };
          // Read from a head of h bytes (XlatSink.emitSplit): the same tuple, or "join and retry".
          const h = Math.floor(rnd() * Math.min(len, 80));
          if (t.read(b, 0, len, v, h)) expect({ ipVersion: t.ipVersion, bytes: [...t.bytes], proto: t.proto, l4: t.l4, sport: t.sport, dport: t.dport, icmpType: t.icmpType }).toEqual(want);
          else split++;
          t.read(b, 0, len, v);
          expect({
            ipVersion: t.ipVersion, src: [...t.bytes.subarray(t.srcOff, t.srcOff + alen)], dst: [...t.bytes.subarray(t.dstOff, t.dstOff + alen)],
            proto: t.proto, l4: t.l4, sport: t.sport, dport: t.dport, icmpType: t.icmpType, innerVersion: t.innerVersion,
          }).toEqual({
            ipVersion: d.ipVersion, src: [...d.bytes.subarray(d.srcOff, d.srcOff + alen)], dst: [...d.bytes.subarray(d.dstOff, d.dstOff + alen)],
            proto: d.proto, l4: d.l4, sport: d.sport, dport: d.dport, icmpType: d.icmpType, innerVersion: d.innerVersion,
          });
        }
      }
    }
    expect(plain).toBeGreaterThan(total / 3);
    expect(split).toBeGreaterThan(0);
  });

  it('the flow table finds the same flow as a plain model, in both directions, through expiry and growth', () => {
    const rnd = prng(13);
    const model = new Map<string, Flow>();
    const endpoint = (v4: boolean, key: Uint8Array, off: number, port: number) => `${[...key.subarray(off, off + (v4 ? 4 : 16))].join('.')}:${port}`;
    const canon = (p: FlowPacket) => {
      const a = endpoint(p.keyV4, p.key, 0, p.sport);
      const b = endpoint(p.keyV4, p.key, 16, p.dport);
      return `${p.proto}|${p.keyV4}|${a < b ? a + '|' + b : b + '|' + a}`;
    };
    const keyOf = new Map<Flow, string>();
    const t = new FlowTable({ expireAfter: 50, closedAfter: 5, maxLive: 3000, onClose: (f) => { model.delete(keyOf.get(f)!); } });
    const p = new FlowPacket();
    let found = 0;
    for (let i = 0; i < 60_000; i++) {
      p.n = i + 1;
      p.ts = i / 100;
      p.keyV4 = rnd() < 0.3;
      p.proto = [6, 17, 58][Math.floor(rnd() * 3)];
      // A small pool of addresses and ports: many flows share hashes' neighbourhoods and endpoints.
      const hostA = Math.floor(rnd() * 10);
      const hostB = Math.floor(rnd() * 4);
      const pa = 1000 + Math.floor(rnd() * 10);
      const pb = [53, 80, 443][Math.floor(rnd() * 3)];
      const rev = rnd() < 0.5;
      p.key.fill(0xee);
      const put = (off: number, h: number) => {
        if (p.keyV4) p.key.set([10, 0, h >> 8, h & 0xff], off);
        else p.key.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, h >> 8, h & 0xff], off);
      };
      put(rev ? 16 : 0, hostA);
      put(rev ? 0 : 16, 1000 + hostB);
      p.sport = rev ? pb : pa;
      p.dport = rev ? pa : pb;
      p.tcpFlags = rnd() < 0.02 ? 0x04 : 0x10;
      const k = canon(p);
      const before = model.get(k) ?? null;
      const f = t.observe(p);
      if (before) {
        expect(f).toBe(before);
        found++;
        const fwd = endpoint(p.keyV4, p.key, 0, p.sport) === `${endpoint(p.keyV4, t.addressBytes(f.idA), 0, f.portA)}`;
        expect(t.dir).toBe(fwd ? 0 : 1);
      } else {
        expect(keyOf.has(f)).toBe(false);
        model.set(k, f);
        keyOf.set(f, k);
      }
      expect(t.live).toBe(model.size);
    }
    expect(found).toBeGreaterThan(20_000);
    expect(t.peakLive).toBeGreaterThan(1000);
    t.closeAll(1e9);
    expect(model.size).toBe(0);
  });

  it('BIB and session counts read from the engine\'s tables equal its snapshots', async () => {
    const loc = new LinkLocator();
    let checked = 0;
    for (const f of FILES.filter((x) => x.includes('/diag/'))) {
      const eng = createEngine(loadConfig({}));
      expect(eng).toBeInstanceOf(Nat64Engine);
      const nat64 = eng as Nat64Engine;
      const clock = { sec: 0, nsec: 0 };
      const sink = { emit() {}, drop() {}, clock };
      let n = 0;
      for (const p of await readAllPackets(f, { onWarning: () => undefined })) {
        clock.sec = p.tsSec;
        clock.nsec = p.tsNsec;
        if (loc.locate(p.data, p.offset, p.caplen, p.linkType) === 0) continue;
        const len = p.caplen - loc.linkLen;
        if (!nat64.reconstruct(p.data, loc.ipOff, len, clock, ++n, sink)) nat64.process(p.data, loc.ipOff, len, clock, n, sink);
      }
      const want = { bib: nat64.bibEntries().length, sessions: nat64.sessions().length };
      // Counted from the tables, not from snapshots.
      const snap = { b: nat64.bibEntries, s: nat64.sessions };
      nat64.bibEntries = () => { throw new Error('snapshot taken'); };
      nat64.sessions = () => { throw new Error('snapshot taken'); };
      expect(engineCounts(nat64), f).toEqual(want);
      nat64.bibEntries = snap.b;
      nat64.sessions = snap.s;
      if (want.sessions > 0) checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // And analyze gives the same counts with or without the snapshots.
    const file = join('fixtures/pcaps/diag', 'port-exhaustion-fail.pcap');
    const a = await analyzeCapture(file, loadConfig({}), { sessions: true });
    const b = await analyzeCapture(file, loadConfig({}));
    expect(b.engine.bib).toBe(a.engine.bibEntries!.length);
    expect(b.engine.sessions).toBe(a.engine.sessionList!.length);
    expect(b.engine.sessions).toBeGreaterThan(0);
  });

  it('rules\' packet hooks skipped by kind (RuleState.on) change nothing, on mutated packets of every fixture', async () => {
    const rnd = prng(14);
    for (const cfg of [loadConfig({}), loadConfig({ profile: 'aws' })]) {
      const masked = new CaptureAnalyzer(cfg, { flows: 'all' });
      const every = new CaptureAnalyzer(cfg, { flows: 'all' });
      (every as unknown as { hookMasks: Int32Array }).hookMasks.fill(-1);
      let n = 0;
      for (const f of FILES) {
        for (const p of await readAllPackets(f, { onWarning: () => undefined })) {
          for (let k = 0; k < 4; k++) {
            const data = p.data.slice(p.offset, p.offset + p.caplen);
            if (k > 0) for (let i = 0; i < 3; i++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
            const q = { ...p, data, offset: 0, number: ++n };
            masked.push(q);
            every.push(q);
          }
        }
      }
      const a = masked.finish();
      const b = every.finish();
      expect(a.findings.length).toBeGreaterThan(5);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });
});
