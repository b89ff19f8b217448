/**
 * `nat64scope view`: the packet list on top, one lower pane (side-by-side detail, hex, sessions
 * or findings), a status bar. Everything is drawn from a {@link CaptureModel}; the model indexes
 * and replays in the background, and this component re-renders at a bounded rate.
 *
 * Reuse (`live`): give it a model fed with `model.ingest(packet)` as packets arrive and
 * `follow` = true: the selection stays on the newest packet until the user moves it (G resumes).
 */
import { useMemo, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, type Key } from 'ink';
import type { CaptureModel } from '../replay/view-model.js';
import { flowOf } from '../replay/view-flow.js';
import type { Finding } from '../diag/finding.js';
import { PacketDecoder } from '../wire/layer-decoder.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { PacketList } from './PacketList.js';
import { DetailPane } from './DetailPane.js';
import { HexPane } from './HexPane.js';
import { SessionsPane, type PacketTuple } from './SessionsPane.js';
import { FindingsPane } from './FindingsPane.js';
import { StatusBar } from './StatusBar.js';
import { HelpOverlay } from './HelpOverlay.js';
import { PromptLine } from './PromptLine.js';
import { RowCache } from './rows.js';
import { detailOf, type DetailData } from './detail-data.js';
import { type FilterAdapter, type FilterCheck } from './filter-adapter.js';
import { DISPLAY_FILTERS } from './display-filter.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useModelTick } from './use-model-tick.js';
import { clamp } from './format.js';

export type LowerPane = 'detail' | 'hex' | 'sessions' | 'findings';

export interface ViewerProps {
  model: CaptureModel;
  /** The display-filter language for `/` (default: SPEC §6, src/filter). */
  filter?: FilterAdapter;
  /** `w` / `W`: write the shown packets (translated or original) to a path; resolves to a status message. */
  write?: (what: 'translated' | 'original', path: string) => Promise<string>;
  /** Keep the selection on the newest packet as packets arrive (live); G turns it back on. */
  follow?: boolean;
  /** Fixed size (tests); by default the terminal's, re-laid out on resize. */
  width?: number;
  height?: number;
  /** How often the model is polled for progress, ms (the UI's update rate while indexing). */
  tickMs?: number;
  initialPane?: LowerPane;
  /** Position (0-based, in the shown list) selected at start. */
  initialPosition?: number;
  /** Called on `q` before Ink exits. */
  onQuit?: () => void;
  /**
   * The display filter at start, shown in the status bar and edited by `/`: applied to the model
   * here (`view --filter`, checked valid by the caller) unless the caller has already set it
   * (`live`).
   */
  initialFilter?: string;
  /** More status-bar text after the packet count (live: rate, kernel and tool drops). */
  statusExtra?: string;
  /** Live capture: the status bar shows the state from `statusExtra`, not reading/indexing progress. */
  live?: boolean;
}

interface Prompt {
  kind: 'filter' | 'write' | 'writeOrig';
  text: string;
}

interface UiState {
  sel: number;
  top: number;
  focus: 'list' | 'lower';
  pane: LowerPane;
  cursor: number;
  collapsed: ReadonlySet<string>;
  cpIdx: number;
  findingSel: number;
  sessScroll: number;
  prompt: Prompt | null;
  help: boolean;
  message: string | null;
  filterText: string | null;
  follow: boolean;
  /** A row to select once the filtered view has scanned past it. */
  pendingRow: number | null;
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
} as Key;

/** The key a single character of a pasted / fast-typed chunk stands for. */
function keyOf(ch: string): Key {
  if (ch === '\r' || ch === '\n') return { ...NO_KEY, return: true };
  if (ch === '\t') return { ...NO_KEY, tab: true };
  if (ch === '\x7f' || ch === '\b') return { ...NO_KEY, backspace: true };
  return { ...NO_KEY, shift: /[A-Z]/.test(ch) };
}

export function Viewer(props: ViewerProps) {
  const { model } = props;
  const filterLang = props.filter ?? DISPLAY_FILTERS;
  const { exit } = useApp();
  const size = useTerminalSize({ width: props.width, height: props.height });
  const sig = useModelTick(model, props.tickMs ?? 100);
  const cache = useRef(new RowCache()).current;
  // UI state lives in a ref: keys arriving in one chunk ("jjj", a pasted path + Enter) are
  // applied one after the other to the state each left, then drawn once.
  const stRef = useRef<UiState | null>(null);
  if (stRef.current === null) {
    stRef.current = {
      sel: props.initialPosition ?? 0, top: props.initialPosition ?? 0, focus: 'list', pane: props.initialPane ?? 'detail', cursor: 0, collapsed: new Set(['link']),
      cpIdx: 0, findingSel: 0, sessScroll: 0, prompt: null, help: false, message: null, filterText: props.initialFilter ?? null,
      follow: props.follow ?? false, pendingRow: null,
    };
    const f = props.initialFilter?.trim();
    if (f && model.currentView()?.label !== f && filterLang.check(f).ok) {
      model.setFilter(filterLang.compile(f, model), f);
      stRef.current.filterText = f;
    }
  }
  const st = stRef.current;
  const [, setVersion] = useState(0);
  const bump = (): void => setVersion((v) => v + 1);
  const detailCache = useRef<{ key: string; d: DetailData | null }>({ key: '', d: null });

  // Layout.
  const width = Math.max(20, size.width);
  const height = Math.max(8, size.height - 1); // one spare line: Ink redraws in place below the terminal height
  const listRowsFor = (): number => Math.max(3, Math.floor((height - 3 - (st.prompt ? 1 : 0)) * 0.4));
  const lowerRowsFor = (): number => Math.max(2, height - 1 - (st.prompt ? 1 : 0) - (listRowsFor() + 1) - 1);

  /** Brings the selection in range, applies follow mode and pending selections, scrolls. */
  const settle = (): void => {
    const shown = model.shownCount();
    if (st.pendingRow !== null) {
      const v = model.currentView();
      const pr = st.pendingRow;
      if (!v || v.scanned > pr || model.finished()) {
        st.sel = model.positionOf(pr);
        st.pendingRow = null;
      }
    }
    if (st.follow && shown > 0) st.sel = shown - 1;
    // Live: positions below shownFirst have left the model's window.
    const lo = model.shownFirst();
    st.sel = clamp(st.sel, lo, Math.max(lo, shown - 1));
    const rows = listRowsFor();
    if (st.sel < st.top) st.top = st.sel;
    if (st.sel >= st.top + rows) st.top = st.sel - rows + 1;
    st.top = clamp(st.top, lo, Math.max(lo, shown - rows));
  };
  const currentRow = (): number => (model.shownCount() > 0 ? model.shownRow(st.sel) : -1);
  const getDetail = (): DetailData | null => {
    const row = currentRow();
    if (row < 0 || row >= model.count()) return null;
    const key = `${row}|${model.processed(row)}|${st.cpIdx}|${[...st.collapsed].join(',')}|${model.pairingOf(row)?.kind ?? ''}`;
    if (detailCache.current.key !== key) detailCache.current = { key, d: detailOf(model, row, st.cpIdx, st.collapsed) };
    return detailCache.current.d;
  };

  // --- actions -------------------------------------------------------------------------------
  const select = (pos: number): void => {
    const shown = model.shownCount();
    const lo = model.shownFirst();
    st.sel = clamp(pos, lo, Math.max(lo, shown - 1));
    st.cpIdx = 0;
    if (st.follow && st.sel !== shown - 1) st.follow = false;
  };
  const selectRow = (r: number): void => {
    const v = model.currentView();
    st.follow = false;
    st.cpIdx = 0;
    if (v && v.scanned <= r) {
      st.pendingRow = r;
      return;
    }
    let pos = model.positionOf(r);
    if (pos >= model.shownCount() || model.shownRow(pos) !== r) {
      // Not in the filtered view: drop the filter to show it.
      model.setFilter(null, '');
      st.filterText = null;
      pos = r;
    }
    st.sel = pos;
  };
  const applyFilter = (text: string): void => {
    const keep = currentRow();
    if (text.trim() === '') {
      model.setFilter(null, '');
      st.filterText = null;
    } else {
      const c = filterLang.check(text);
      if (!c.ok) {
        st.message = `invalid filter: ${c.message ?? ''}`;
        return;
      }
      model.setFilter(filterLang.compile(text, model), text);
      st.filterText = text;
    }
    st.message = null;
    st.follow = false;
    st.sel = 0;
    st.top = 0;
    if (keep >= 0) st.pendingRow = keep;
  };
  const followFlow = (): void => {
    if (st.filterText && st.filterText.startsWith('flow ')) {
      applyFilter('');
      return;
    }
    const row = currentRow();
    if (row < 0) return;
    const f = flowOf(model, row);
    if (!f) {
      st.message = 'no flow: the packet has no IP layer';
      return;
    }
    model.setFilter(f.pred, f.label);
    st.filterText = f.label;
    st.follow = false;
    st.sel = 0;
    st.top = 0;
    st.pendingRow = row;
  };
  const doWrite = (what: 'translated' | 'original', path: string): void => {
    if (!props.write) {
      st.message = 'writing is not available here';
      return;
    }
    st.message = `writing ${path}…`;
    props.write(what, path).then(
      (m) => {
        st.message = m;
        bump();
      },
      (e: unknown) => {
        st.message = `not written: ${e instanceof Error ? e.message : String(e)}`;
        bump();
      },
    );
  };
  const currentFinding = (): Finding | undefined => model.findings[clamp(st.findingSel, 0, Math.max(0, model.findings.length - 1))];
  const stepFinding = (dir: 1 | -1): void => {
    const f = currentFinding();
    if (!f || f.packets.length === 0) {
      st.message = 'no finding selected (d to open the findings pane)';
      return;
    }
    const cur = currentRow() + 1;
    const sorted = [...f.packets].sort((a, b) => a - b);
    const next = dir > 0 ? sorted.find((n) => n > cur) : [...sorted].reverse().find((n) => n < cur);
    if (next === undefined) {
      st.message = `${f.id}: no ${dir > 0 ? 'later' : 'earlier'} packet`;
      return;
    }
    st.message = `${f.id}: packet #${next} (${sorted.indexOf(next) + 1}/${sorted.length})`;
    selectRow(next - 1);
  };

  const handleKey = (input: string, key: Key): void => {
    settle();
    if (st.help) {
      st.help = false;
      return;
    }
    const p = st.prompt;
    if (p) {
      if (key.escape) st.prompt = null;
      else if (key.return) {
        st.prompt = null;
        if (p.kind === 'filter') applyFilter(p.text);
        else if (p.text.trim()) doWrite(p.kind === 'write' ? 'translated' : 'original', p.text.trim());
      } else if (key.backspace || key.delete) st.prompt = { ...p, text: p.text.slice(0, -1) };
      else if (key.ctrl && input === 'u') st.prompt = { ...p, text: '' };
      else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) st.prompt = { ...p, text: p.text + input };
      return;
    }
    const shown = model.shownCount();
    const listRows = listRowsFor();
    const lowerRows = lowerRowsFor();
    if (input === 'q' || (key.ctrl && input === 'c')) {
      props.onQuit?.();
      exit();
      return;
    }
    if (input === '?') {
      st.help = true;
      return;
    }
    if (key.escape) {
      st.message = null;
      return;
    }
    switch (input) {
      case '/':
        st.prompt = { kind: 'filter', text: st.filterText && !st.filterText.startsWith('flow ') ? st.filterText : '' };
        return;
      case 'w':
        st.prompt = { kind: 'write', text: '' };
        return;
      case 'W':
        st.prompt = { kind: 'writeOrig', text: '' };
        return;
      case 'f':
        followFlow();
        return;
      case 's':
        st.pane = st.pane === 'sessions' ? 'detail' : 'sessions';
        return;
      case 'd':
        if (st.pane !== 'findings') st.focus = 'lower';
        st.pane = st.pane === 'findings' ? 'detail' : 'findings';
        return;
      case 'x':
        st.pane = st.pane === 'hex' ? 'detail' : 'hex';
        return;
      case 'v':
        st.pane = 'detail';
        return;
      case 'n':
        stepFinding(1);
        return;
      case 'N':
        stepFinding(-1);
        return;
      case ']':
        st.cpIdx++;
        return;
      case '[':
        st.cpIdx--;
        return;
      default:
        break;
    }
    if (key.tab) {
      st.focus = st.focus === 'list' ? 'lower' : 'list';
      return;
    }
    const down = input === 'j' || key.downArrow;
    const up = input === 'k' || key.upArrow;
    const first = input === 'g' || key.home;
    const last = input === 'G' || key.end;
    if (st.focus === 'list' || (last && (st.pane === 'detail' || st.pane === 'hex'))) {
      if (last) {
        select(shown - 1);
        st.follow = true;
      } else if (first) select(0);
      else if (down) select(st.sel + 1);
      else if (up) select(st.sel - 1);
      else if (key.pageDown || input === ' ') select(st.sel + listRows);
      else if (key.pageUp) select(st.sel - listRows);
      else if (key.return) st.focus = 'lower';
      return;
    }
    // Lower pane focused.
    if (st.pane === 'detail' || st.pane === 'hex') {
      const detail = getDetail();
      const n = detail ? detail.lines.length : 0;
      const cur = clamp(st.cursor, 0, Math.max(0, n - 1));
      if (down) st.cursor = clamp(cur + 1, 0, Math.max(0, n - 1));
      else if (up) st.cursor = clamp(cur - 1, 0, Math.max(0, n - 1));
      else if (key.pageDown) st.cursor = clamp(cur + lowerRows, 0, Math.max(0, n - 1));
      else if (key.pageUp) st.cursor = clamp(cur - lowerRows, 0, Math.max(0, n - 1));
      else if (first) st.cursor = 0;
      else if (key.return && detail) {
        const l = detail.lines[cur];
        if (!l) return;
        const next = new Set(st.collapsed);
        if (next.has(l.layer)) next.delete(l.layer);
        else next.add(l.layer);
        st.collapsed = next;
        // Keep the cursor on the layer's header.
        const hdr = detail.lines.findIndex((x) => x.header && x.layer === l.layer);
        if (hdr >= 0) st.cursor = hdr;
      }
      return;
    }
    if (st.pane === 'sessions') {
      if (down) st.sessScroll++;
      else if (up) st.sessScroll = Math.max(0, st.sessScroll - 1);
      else if (key.pageDown) st.sessScroll += lowerRows;
      else if (key.pageUp) st.sessScroll = Math.max(0, st.sessScroll - lowerRows);
      else if (first) st.sessScroll = 0;
      return;
    }
    // Findings.
    const n = model.findings.length;
    if (down) st.findingSel = clamp(st.findingSel + 1, 0, Math.max(0, n - 1));
    else if (up) st.findingSel = clamp(st.findingSel - 1, 0, Math.max(0, n - 1));
    else if (first) st.findingSel = 0;
    else if (key.return) {
      const f = currentFinding();
      if (f && f.packets.length) {
        const firstPkt = Math.min(...f.packets);
        st.message = `${f.id}: first packet #${firstPkt}`;
        selectRow(firstPkt - 1);
      }
    }
  };

  useInput((input, key) => {
    if (input.length > 1 && !key.ctrl && !key.meta) {
      // A chunk of characters typed fast, sent by tmux or pasted: one key each.
      for (const ch of input) {
        const c = ch.charCodeAt(0);
        if (c < 0x20 && ch !== '\r' && ch !== '\n' && ch !== '\t' && ch !== '\b' && ch !== '\x1b') handleKey(String.fromCharCode(c + 96), { ...NO_KEY, ctrl: true });
        else if (ch === '\x1b') handleKey('', { ...NO_KEY, escape: true });
        else handleKey(ch, keyOf(ch));
      }
    } else handleKey(input, key);
    bump();
  });

  // --- render --------------------------------------------------------------------------------
  settle();
  const shown = model.shownCount();
  const listRows = listRowsFor();
  const lowerRows = lowerRowsFor();
  const row = currentRow();
  const detail = getDetail();
  const curCursor = detail ? clamp(st.cursor, 0, Math.max(0, detail.lines.length - 1)) : 0;
  const pane = st.pane;
  const focus = st.focus;
  const prompt = st.prompt;

  const tuple: PacketTuple | null = useMemo(() => {
    if (row < 0 || pane !== 'sessions') return null;
    const d = new PacketDecoder();
    const p = model.packet(row);
    d.decode(p.data, p.offset, p.caplen, p.linkType);
    if (!d.ipVersion) return null;
    const a = d.ipVersion === 4 ? ipv4ToString(d.bytes, d.srcOff) : ipv6ToString(d.bytes, d.srcOff);
    const b = d.ipVersion === 4 ? ipv4ToString(d.bytes, d.dstOff) : ipv6ToString(d.bytes, d.dstOff);
    return { version: d.ipVersion, src: a, dst: b, sport: d.sport, dport: d.dport };
  }, [row, pane, model]);

  const filterCheck: FilterCheck | null = !prompt || prompt.kind !== 'filter' || prompt.text.trim() === '' ? null : filterLang.check(prompt.text);
  const stamp = `${model.findingsState}:${model.findings.length}:${model.finished()}:${model.pairingVersion()}`;
  void sig;
  void shown;

  if (st.help) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <HelpOverlay width={width} height={height - 1} />
        <Box flexGrow={1} />
        <StatusBar model={model} pos={st.sel} width={width} filter={st.filterText} message={st.message} follow={st.follow} extra={props.statusExtra} live={props.live} />
      </Box>
    );
  }

  const tabs = (['detail', 'hex', 'sessions', 'findings'] as const).map((p) => (p === pane ? `[${p}]` : ` ${p} `)).join(' ');
  const focusMark = focus === 'lower' ? '▶' : ' ';
  let lower;
  if (pane === 'detail') lower = <DetailPane detail={detail} cursor={curCursor} height={lowerRows} width={width} focused={focus === 'lower'} />;
  else if (pane === 'hex') lower = <HexPane detail={detail} cursor={curCursor} height={lowerRows} width={width} />;
  else if (pane === 'sessions') lower = <SessionsPane tables={row >= 0 ? model.sessionsAt(row) : null} row={row} now={row >= 0 ? model.time(row) : 0} tuple={tuple} scroll={st.sessScroll} height={lowerRows} width={width} mode={model.config.mode} />;
  else lower = <FindingsPane findings={model.findings} state={model.findingsState} sel={st.findingSel} height={lowerRows} width={width} focused={focus === 'lower'} />;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <PacketList model={model} cache={cache} stamp={stamp} top={st.top} sel={st.sel} height={listRows} width={width} focused={focus === 'list'} />
      <Text dimColor={focus !== 'lower'} wrap="truncate">
        {`${focusMark}${tabs}  ─ Tab: focus  s/d/x/v: panes  ?: help `.padEnd(width, '─').slice(0, width)}
      </Text>
      <Box height={lowerRows} flexDirection="column">{lower}</Box>
      {prompt ? (
        <PromptLine
          label={prompt.kind === 'filter' ? 'filter: ' : prompt.kind === 'write' ? 'write translated capture to: ' : 'write original packets to: '}
          text={prompt.text}
          valid={prompt.kind === 'filter' && filterCheck ? filterCheck.ok : null}
          message={filterCheck?.message}
          width={width}
        />
      ) : null}
      <StatusBar model={model} pos={st.sel} width={width} filter={st.filterText} message={st.message} follow={st.follow} extra={props.statusExtra} live={props.live} />
    </Box>
  );
}
