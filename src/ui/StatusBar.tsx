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
  /** Shown after the packet count (live: rate and drops). */
  extra?: string;
}

export function statusText(props: StatusBarProps): string {
  const { model, pos, filter, message, follow } = props;
  const total = model.count();
  const shown = model.shownCount();
  const prog = model.progress();
  const replayed = model.replayedCount();
  // The engines lag behind the index while DNS64 learns A data from the whole file (then catch up).
  const indexing = model.finished()
    ? ''
    : model.indexingDone()
      ? ` replaying ${Math.floor((replayed / Math.max(1, total)) * 100)}%`
      : prog >= 0 ? ` indexing ${Math.floor(prog * 100)}%` : ' reading…';
  const view = model.currentView();
  const scanning = view && view.scanned < total ? ` (filtering ${Math.floor((view.scanned / Math.max(1, total)) * 100)}%)` : '';
  const cfg = model.config;
  const prefix = cfg.pool6 ? prefixToString(cfg.pool6) : 'no pool6';
  const fcount = model.findingsState === 'pending' ? '…' : String(model.findings.length);
  const parts = [
    model.name,
    `${count(total)} pkts${indexing}`,
    ...(props.extra ? [props.extra] : []),
    shown ? `${count(pos + 1)}/${count(shown)}` : '0/0',
    filter ? `filter: ${filter}${scanning}` : 'no filter',
    `${cfg.mode} ${prefix}`,
    `profile ${cfg.profile}`,
    `findings ${fcount}`,
    `drops ${count(model.dropped)}`,
  ];
  if (follow) parts.push('follow');
  if (model.error()) parts.push(`error: ${model.error()}`);
  let s = ` ${parts.join(' │ ')}`;
  if (message) s = ` ${message} │${s}`;
  return `${s}  ? help`;
}


export function StatusBar(props: StatusBarProps) {
  return (
    <Text inverse wrap="truncate">
      {fit(statusText(props), props.width)}
    </Text>
  );
}
