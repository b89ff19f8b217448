/**
 * A diagnosis, as `analyze --json` prints it (SPEC §5) and as `aws-check`, the viewer's findings
 * pane and `analyze --export` use it. The keys of SPEC §5 are the contract; more may be added.
 */
export type Severity = 'info' | 'warning' | 'error';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export interface Finding {
  /** Stable kebab-case rule name, e.g. `prefix-not-routed`. */
  id: string;
  severity: Severity;
  /** The flow the finding is about (a flow key as the flow table prints it), or null. */
  flow: string | null;
  /** 1-based numbers of the packets that show it (possibly a bounded sample). */
  packets: number[];
  title: string;
  detail: string;
  fix: string;
  /** AWS-specific fix, when the profile is `aws` or the finding comes from `aws-check`. */
  awsFix?: string;
  /** Resource ids (aws-check) or other references the finding names. */
  resources?: string[];
}

/** Worst severity first, then by first packet, then by id: a stable report order. */
export function compareFindings(a: Finding, b: Finding): number {
  const s = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  if (s !== 0) return s;
  const pa = a.packets.length > 0 ? a.packets[0] : Number.MAX_SAFE_INTEGER;
  const pb = b.packets.length > 0 ? b.packets[0] : Number.MAX_SAFE_INTEGER;
  if (pa !== pb) return pa - pb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
