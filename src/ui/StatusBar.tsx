/** One line: file, packets, position, filter, prefix, profile, findings and drops. */
import { Text } from 'ink';
import type { CaptureModel } from '../replay/view-model.js';
import { fit, count } from './format.js';
import { prefixToString } from '../replay/prefixes.js';

export interface StatusBarProps {
  model: CaptureModel;
  pos: number;
  width: number;
  filter: string | null;
  message: string | null;
  follow: boolean;
  /** Shown after the packet count (live: state and rate, drops, …; fields split on ' │ '). */
  extra?: string;
  /** Live: no reading/indexing progress (the state is in `extra`). */
  live?: boolean;
}

/**
 * The status line. Live: fields are dropped, least useful first, when the line is wider than
 * `width` (profile, mode and prefix, "no filter", the name, …): the position, the `follow` mark,
 * the live state and a message stay. Otherwise (`view`) the line is cut at the right edge.
 */
export function statusText(props: StatusBarProps): string {
  const { model, pos, filter, message, follow } = props;
  const total = model.count();
  const shown = model.shownCount();
  const prog = model.progress();
  const replayed = model.replayedCount();
  // The engines lag behind the index while DNS64 learns A data from the whole file (then catch up).
  // Live: the state is in `extra` (capturing / stopped), nothing to read or index.
  const indexing = model.finished() || props.live
    ? ''
    : model.indexingDone()
      ? ` replaying ${Math.floor((replayed / Math.max(1, total)) * 100)}%`
      : prog >= 0 ? ` indexing ${Math.floor(prog * 100)}%` : ' reading…';
  const view = model.currentView();
  const scanning = view && view.scanned < total ? ` (filtering ${Math.floor((view.scanned / Math.max(1, total)) * 100)}%)` : '';
  const cfg = model.config;
  const prefix = cfg.pool6 ? prefixToString(cfg.pool6) : 'no pool6';
  const fcount = model.findingsState === 'pending' ? '…' : String(model.findings.length);
  // [text, priority]: the lowest priority goes first when the line is too wide (ties: the rightmost).
  const parts: [string, number][] = [
    [model.name, 2],
    [`${count(total)} pkts${indexing}`, 8],
  ];
  if (props.extra) {
    // Live: the state and rate first (kept), then drops, pairing, packets gone.
    props.extra.split(' │ ').forEach((x, i) => parts.push([x, i === 0 ? 9 : /^pairs /.test(x) ? 6 : /drops/.test(x) ? 5 : 4]));
  }
  parts.push(
    [shown ? `${count(pos + 1)}/${count(shown)}` : '0/0', 9],
    [filter ? `filter: ${filter}${scanning}` : 'no filter', filter ? 7 : 1],
    [`${cfg.mode} ${prefix}`, 1],
    [`profile ${cfg.profile}`, 0],
    [`findings ${fcount}`, 5],
    [`drops ${count(model.dropped)}`, 3],
  );
  if (follow) parts.push(['follow', 10]);
  if (model.error()) parts.push([`error: ${model.error()}`, 10]);
  const head = message ? ` ${message} │` : '';
  const tail = '  ? help';
  const text = (): string => `${head} ${parts.map((p) => p[0]).join(' │ ')}${tail}`;
  let s = text();
  // `view` keeps its line as it was (cut at the right edge); live drops fields instead.
  while (props.live && s.length > props.width) {
    let drop = -1;
    for (let i = 0; i < parts.length; i++) if (parts[i][1] < 9 && (drop < 0 || parts[i][1] <= parts[drop][1])) drop = i;
    if (drop < 0) break;
    parts.splice(drop, 1);
    s = text();
  }
  return s;
}


export function StatusBar(props: StatusBarProps) {
  return (
    <Text inverse wrap="truncate">
      {fit(statusText(props), props.width)}
    </Text>
  );
}
