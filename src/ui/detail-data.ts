/**
 * What the side-by-side detail and hex panes show for one packet: both trees, the fields the
 * translation changed, and the lines of the two columns aligned layer by layer, field by field.
 */
import type { CaptureModel, Counterpart, Dns64Decision } from '../replay/view-model.js';
import { notForTranslator, DNS64_ANSWER } from '../replay/view-model.js';
import { packetTree, changedKeys, checksumVerdicts, type PacketTree, type Field } from '../replay/detail.js';
import { EmitKind } from '../xlat/types.js';
import { LinkType } from '../pcap/linktype.js';
import { reasonId, reasonText } from '../diag/reasons.js';

export interface DetailLine {
  /** Layer this line belongs to. */
  layer: string;
  header: boolean;
  left: string;
  right: string;
  leftField: Field | null;
  rightField: Field | null;
  changed: boolean;
}

export interface DetailData {
  row: number;
  left: PacketTree;
  right: PacketTree | null;
  /** Everything emitted for the packet. */
  counterparts: Counterpart[];
  /** Which counterpart is on the right. */
  shown: number;
  leftTitle: string;
  rightTitle: string;
  /** Why there is no counterpart (drop reason), or null. */
  dropText: string | null;
  /** What DNS64 did with a DNS packet (as `translate --explain` and `dns64` say), or null. */
  dns64: Dns64Decision | null;
  /** The same in lines for the pane (empty when {@link dns64} is null). */
  dns64Lines: string[];
  checksums: string[];
  /** Live pairing with the other side of a real translator (which packet, on which interface), or null. */
  pairing: { text: string; ok: boolean } | null;
  changed: Set<string>;
  lines: DetailLine[];
}

const KIND_TITLE: Record<number, string> = {
  [EmitKind.Translated]: 'translated',
  [EmitKind.Hairpinned]: 'hairpinned',
  [EmitKind.IcmpError]: 'ICMP error generated',
  [EmitKind.Deferred]: 'sent later by a timer',
  [EmitKind.Reconstructed]: 'reconstructed: what the translator received',
  [DNS64_ANSWER]: 'DNS64 answer: what the client gets',
};

export function kindTitle(k: EmitKind | typeof DNS64_ANSWER): string {
  return KIND_TITLE[k] ?? 'emitted';
}

/** Builds the detail of the packet at `row`; `collapsed` holds layer keys shown folded. */
export function detailOf(model: CaptureModel, row: number, shownIdx: number, collapsed: ReadonlySet<string>): DetailData {
  const p = model.packet(row);
  const bytes = p.data.slice(p.offset, p.offset + p.caplen);
  const left = packetTree(bytes, 0, bytes.length, p.linkType);
  const cps = model.counterparts(row);
  const shown = cps.length ? ((shownIdx % cps.length) + cps.length) % cps.length : 0;
  const cp = cps[shown];
  const right = cp ? packetTree(cp.bytes, 0, cp.bytes.length, cp.linkType ?? (cp.family === 4 ? LinkType.IPV4 : LinkType.IPV6)) : null;
  const drop = model.dropReason(row);
  let dropText: string | null = null;
  if (!cp) {
    if (!model.processed(row)) dropText = 'not replayed yet';
    else if (drop) dropText = `${notForTranslator(drop) ? 'not translated' : 'dropped'}: ${reasonId(drop)} — ${reasonText(drop)}`;
    else dropText = 'no counterpart: the translator absorbed it (state only)';
  } else if (drop) {
    dropText = `${notForTranslator(drop) ? 'not translated: ' : ''}${reasonId(drop)} — ${reasonText(drop)}`;
  }
  const leftTitle = `#${row + 1} captured (IPv${leftVersion(left)})`;
  const rightTitle = cp ? `${kindTitle(cp.kind)} (IPv${cp.family})${cps.length > 1 ? ` ${shown + 1}/${cps.length}` : ''}` : 'no counterpart';
  const changed = right ? changedKeys(left, right) : new Set<string>();
  const lines = alignLines(left, right, changed, collapsed);
  const dns64 = model.dns64At(row);
  return { row, left, right, counterparts: cps, shown, leftTitle, rightTitle, dropText, dns64, dns64Lines: dns64Lines(dns64), checksums: checksumVerdicts(left, right), pairing: pairingText(model, row), changed, lines };
}

/**
 * Live pairing in one line: `paired with #12 on n64l4t (IPv4): as the engine translates it`,
 * `… translated wrongly`, `never translated …`, `from nowhere …`; null when not paired (yet).
 */
export function pairingText(model: CaptureModel, row: number): { text: string; ok: boolean } | null {
  const pr = model.pairingOf(row);
  if (!pr) return null;
  const where = (num: number): string => {
    const r = num - 1;
    const iface = model.interfaceOf(r);
    let fam = '';
    if (r >= model.evicted() && r < model.count()) {
      const p = model.packet(r);
      const t = packetTree(p.data.slice(p.offset, p.offset + p.caplen), 0, p.caplen, p.linkType);
      fam = ` (IPv${leftVersion(t)})`;
    }
    return `#${num}${iface ? ` on ${iface}` : ''}${fam}`;
  };
  switch (pr.kind) {
    case 'ok':
      return { text: `pairing = paired with ${where(pr.peer)}: as the engine translates it`, ok: true };
    case 'wrong':
      return { text: `pairing ! paired with ${where(pr.peer)}: translated wrongly (d: the fields that differ)`, ok: false };
    case 'missing':
      return { text: 'pairing ! never translated: nothing came out on the other side within --pair-window (d: the likely reason)', ok: false };
    case 'unexpected':
      return { text: 'pairing ! from nowhere: no packet on the other side explains it', ok: false };
  }
}

/**
 * DNS64's decision in two lines: the action with its reason and sentence (translate --explain's
 * `dns64`), then what the resolver in the capture answered next to what a DNS64 answers (dns64's).
 */
export function dns64Lines(d: Dns64Decision | null): string[] {
  if (!d) return [];
  const out = [`DNS64 ${d.action} [${d.reason}]: ${d.detail}`];
  if (d.question) out.push(`${d.question}: resolver ${d.resolver ?? 'no response captured'} → DNS64 ${d.answer ?? 'nothing'}`);
  return out;
}

function leftVersion(t: PacketTree): string {
  const ip = t.layers.find((l) => l.key === 'ip');
  return ip ? (ip.name === 'IPv4' ? '4' : '6') : '?';
}

function fieldText(f: Field): string {
  return `  ${f.label}: ${f.value}`;
}

/** Lines of both columns, layer by layer (link, ip, l4, dns), fields matched by key. */
export function alignLines(left: PacketTree, right: PacketTree | null, changed: ReadonlySet<string>, collapsed: ReadonlySet<string>): DetailLine[] {
  const order: string[] = [];
  for (const l of left.layers) order.push(l.key);
  if (right) for (const l of right.layers) if (!order.includes(l.key)) order.push(l.key);
  const lines: DetailLine[] = [];
  for (const key of order) {
    const a = left.layers.find((l) => l.key === key) ?? null;
    const b = right ? right.layers.find((l) => l.key === key) ?? null : null;
    const fold = collapsed.has(key);
    const mark = fold ? '▸' : '▾';
    lines.push({
      layer: key,
      header: true,
      left: a ? `${mark} ${a.name}: ${a.summary}` : '',
      right: b ? `${mark} ${b.name}: ${b.summary}` : '',
      leftField: null,
      rightField: null,
      changed: false,
    });
    if (fold) continue;
    // Field keys in the left order, right-only keys after the key before them on the right.
    const keys: string[] = a ? a.fields.map((f) => f.key) : [];
    if (b) {
      let prev = -1;
      for (const f of b.fields) {
        const at = keys.indexOf(f.key);
        if (at >= 0) prev = at;
        else {
          keys.splice(prev + 1, 0, f.key);
          prev++;
        }
      }
    }
    for (const k of keys) {
      const lf = a?.fields.find((f) => f.key === k) ?? null;
      const rf = b?.fields.find((f) => f.key === k) ?? null;
      lines.push({
        layer: key,
        header: false,
        left: lf ? fieldText(lf) : '',
        right: rf ? fieldText(rf) : '',
        leftField: lf,
        rightField: rf,
        changed: right !== null && key !== 'link' && changed.has(k),
      });
    }
  }
  return lines;
}
