/** LINKTYPE_* values (tcpdump.org/linktypes.html) that nat64scope decodes, and their names. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'null',
  1: 'ethernet',
  101: 'raw',
  108: 'loop',
  113: 'linux-sll',
  228: 'ipv4',
  229: 'ipv6',
  276: 'linux-sll2',
};

/** Short lower-case name for a link type (`ethernet`, `raw`, ...), or `linktype-N`. */
export function linkTypeName(lt: number): string {
  return NAMES[lt] ?? `linktype-${lt}`;
}

/** True for the link types the decoder understands. */
export function isSupportedLinkType(lt: number): boolean {
  return NAMES[lt] !== undefined;
}
