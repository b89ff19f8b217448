/**
 * `translate --filter`: which emitted packets are written. The filter is evaluated on each input
 * packet after the engine has processed it, so `drop`, `translated`, `verdict` and `reason` see the
 * engine's verdict; what the engine emitted for a selected input packet is written. A packet the
 * engine emits on its own (a timer with no input packet) is written when it matches itself.
 */
import type { CapturedPacket } from '../pcap/packet.js';
import { newPacket } from '../pcap/packet.js';
import { LinkType } from '../pcap/linktype.js';
import { PacketDecoder } from '../wire/layer-decoder.js';
import { PacketFacts, packetFlowSelector, type CompiledFilter } from '../filter/index.js';
import type { EmitSelector } from './translate.js';

export function filterSelector(filter: CompiledFilter, wholeFlows: boolean): EmitSelector {
  const dec = new PacketDecoder();
  const facts = new PacketFacts();
  const flows = wholeFlows ? packetFlowSelector(filter) : null;
  const own: CapturedPacket = newPacket();
  return {
    input(p, verdict, reason) {
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      facts.fill(p, dec);
      facts.verdict = verdict;
      facts.reason = reason;
      return flows ? flows.streaming(facts) : filter.matchesPacket(facts);
    },
    emitted(bytes, off, len) {
      own.data = bytes;
      own.offset = off;
      own.caplen = len;
      own.origLen = len;
      own.linkType = LinkType.RAW;
      dec.decode(bytes, off, len, LinkType.RAW);
      facts.fill(own, dec);
      return flows ? flows.streaming(facts) : filter.matchesPacket(facts);
    },
  };
}
