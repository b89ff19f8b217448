/**
 * `nat64scope view`: the packet list on top, one lower pane (side-by-side detail, hex, sessions
 * or findings), a status bar. Everything is drawn from a {@link CaptureModel}; the model indexes
 * and replays in the background, and this component re-renders at a bounded rate.
 *
 * Reuse (`live`): give it a model fed with `model.ingest(packet)` as packets arrive and
 * `follow` = true: the selection stays on the newest packet until the user moves it (G resumes).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
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
import { NO_FILTER_LANGUAGE, type FilterAdapter, type FilterCheck } from './filter-adapter.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useModelTick } from './use-model-tick.js';
import { clamp } from './format.js';

export type LowerPane = 'detail' | 'hex' | 'sessions' | 'findings';

export interface ViewerProps {
  model: CaptureModel;
  /** The display-filter language for `/` (default: none, filters are refused). */
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
  /** Called on `q` before Ink exits. */
  onQuit?: () => void;
}

interface Prompt {
  kind: 'filter' | 'write' | 'writeOrig';
  text: string;
}

export function Viewer(props: ViewerProps) {
  const { model } = props;
  const filterLang = props.filter ?? NO_FILTER_LANGUAGE;
  const { exit } = useApp();
  const size = useTerminalSize({ width: props.width, height: props.height });
  const sig = useModelTick(model, props.tickMs ?? 100);
  const cache = useRef(new RowCache()).current;

  const [sel, setSel] = useState(0);
  const [top, setTop] = useState(0);
  const [focus, setFocus] = useState<'list' | 'lower'>('list');
  const [pane, setPane] = useState<LowerPane>(props.initialPane ?? 'detail');
  const [cursor, setCursor] = useState(0);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set(['link']));
  const [cpIdx, setCpIdx] = useState(0);
  const [findingSel, setFindingSel] = useState(0);
  const [sessScroll, setSessScroll] = useState(0);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [help, setHelp] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [filterText, setFilterText] = useState<string | null>(null);
  const [follow, setFollow] = useState(props.follow ?? false);
  /** A row to select once the filtered view has scanned past it. */
  const pendingRow = useRef<number | null>(null);

  // Layout.
  const width = Math.max(20, size.width);
  const height = Math.max(8, size.height - 1); // one spare line: Ink redraws in place below the terminal height
  const promptLines = prompt ? 1 : 0;
  const listRows = Math.max(3, Math.floor((height - 3 - promptLines) * 0.4));
  const lowerRows = Math.max(2, height - 1 - promptLines - (listRows + 1) - 1);

  const shown = model.shownCount();
  // Follow mode and pending selections are settled at render time from the model's state.
  let curSel = clamp(sel, 0, Math.max(0, shown - 1));
  if (follow && shown > 0) curSel = shown - 1;
  if (pendingRow.current !== null) {
    const v = model.currentView();
    const pr = pendingRow.current;
    if (!v || v.scanned > pr || model.finished()) {
      curSel = clamp(model.positionOf(pr), 0, Math.max(0, shown - 1));
      pendingRow.current = null;
      if (curSel !== sel) queueMicrotask(() => setSel(curSel));
    }
  }
  let curTop = top;
  if (curSel < curTop) curTop = curSel;
  if (curSel >= curTop + listRows) curTop = curSel - listRows + 1;
  curTop = clamp(curTop, 0, Math.max(0, shown - listRows));
  const row = shown > 0 ? model.shownRow(curSel) : -1;

  const detail: DetailData | null = useMemo(
    () => (row >= 0 && row < model.count() ? detailOf(model, row, cpIdx, collapsed) : null),
    // The detail of a row changes only while the engine has not reached it (it reaches it as it
    // indexes) or when its counterpart choice or folding changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [row, cpIdx, collapsed, row >= 0 && row < model.count()],
  );
  const curCursor = detail ? clamp(cursor, 0, Math.max(0, detail.lines.length - 1)) : 0;

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

  const filterCheck: FilterCheck | null = useMemo(() => {
    if (!prompt || prompt.kind !== 'filter' || prompt.text.trim() === '') return null;
    return filterLang.check(prompt.text);
  }, [prompt, filterLang]);

  const stamp = `${model.findingsState}:${model.findings.length}:${model.finished()}`;

  // --- actions -------------------------------------------------------------------------------
  const select = (pos: number): void => {
    const s = clamp(pos, 0, Math.max(0, shown - 1));
    let t = curTop;
    if (s < t) t = s;
    if (s >= t + listRows) t = s - listRows + 1;
    setSel(s);
    setTop(t);
    setCpIdx(0);
    if (follow && s !== shown - 1) setFollow(false);
  };
  const selectRow = (r: number): void => {
    const v = model.currentView();
    if (v && (v.scanned <= r)) {
      pendingRow.current = r;
      return;
    }
    let pos = model.positionOf(r);
    if (pos >= shown || model.shownRow(pos) !== r) {
      // Not in the filtered view: drop the filter to show it.
      model.setFilter(null, '');
      setFilterText(null);
      pos = r;
    }
    setFollow(false);
    setSel(pos);
    setCpIdx(0);
  };
  const applyFilter = (text: string): void => {
    const keep = row;
    if (text.trim() === '') {
      model.setFilter(null, '');
      setFilterText(null);
    } else {
      const c = filterLang.check(text);
      if (!c.ok) {
        setMessage(`invalid filter${c.column ? ` at column ${c.column}` : ''}: ${c.message ?? ''}`);
        return;
      }
      model.setFilter(filterLang.compile(text, model), text);
      setFilterText(text);
    }
    setMessage(null);
    if (keep >= 0) pendingRow.current = keep;
    setSel(0);
    setTop(0);
  };
  const followFlow = (): void => {
    if (filterText && filterText.startsWith('flow ')) {
      applyFilter('');
      return;
    }
    if (row < 0) return;
    const f = flowOf(model, row);
    if (!f) {
      setMessage('no flow: the packet has no IP layer');
      return;
    }
    model.setFilter(f.pred, f.label);
    setFilterText(f.label);
    pendingRow.current = row;
    setSel(0);
    setTop(0);
  };
  const doWrite = (what: 'translated' | 'original', path: string): void => {
    if (!props.write) {
      setMessage('writing is not available here');
      return;
    }
    setMessage(`writing ${path}…`);
    props.write(what, path).then(
      (m) => setMessage(m),
      (e: unknown) => setMessage(`not written: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  const currentFinding = (): Finding | undefined => model.findings[clamp(findingSel, 0, Math.max(0, model.findings.length - 1))];
  const stepFinding = (dir: 1 | -1): void => {
    const f = currentFinding();
    if (!f || f.packets.length === 0) {
      setMessage('no finding selected (d to open the findings pane)');
      return;
    }
    const cur = row + 1;
    const sorted = [...f.packets].sort((a, b) => a - b);
    const next = dir > 0 ? sorted.find((n) => n > cur) : [...sorted].reverse().find((n) => n < cur);
    if (next === undefined) {
      setMessage(`${f.id}: no ${dir > 0 ? 'later' : 'earlier'} packet`);
      return;
    }
    setMessage(`${f.id}: packet #${next} (${sorted.indexOf(next) + 1}/${sorted.length})`);
    selectRow(next - 1);
  };
  const quit = (): void => {
    props.onQuit?.();
    exit();
  };

  // A terminal delivers keys typed fast (or sent by tmux) as one chunk: "jjj". Outside a prompt
  // they are queued and handled one per render, each against the state the previous one left.
  const queue = useRef<{ input: string; key: Key }[]>([]);
  const [kick, setKick] = useState(0);
  useInput((input, key) => {
    if (!prompt && input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) queue.current.push({ input: ch, key });
      setKick((k) => k + 1);
      return;
    }
    handleKey(input, key);
  });
  useEffect(() => {
    const next = queue.current.shift();
    if (next) {
      if (prompt) {
        // A prompt opened by a queued key takes the rest of the chunk as text.
        const rest = next.input + queue.current.map((q) => q.input).join('');
        queue.current = [];
        handleKey(rest, next.key);
      } else handleKey(next.input, next.key);
      setKick((k) => k + 1);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kick]);

  function handleKey(input: string, key: Key): void {
    if (help) {
      setHelp(false);
      return;
    }
    if (prompt) {
      if (key.escape) setPrompt(null);
      else if (key.return) {
        setPrompt(null);
        if (prompt.kind === 'filter') applyFilter(prompt.text);
        else if (prompt.text.trim()) doWrite(prompt.kind === 'write' ? 'translated' : 'original', prompt.text.trim());
      } else if (key.backspace || key.delete) setPrompt({ ...prompt, text: prompt.text.slice(0, -1) });
      else if (key.ctrl && input === 'u') setPrompt({ ...prompt, text: '' });
      else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) setPrompt({ ...prompt, text: prompt.text + input });
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) return quit();
    if (input === '?') return setHelp(true);
    if (key.escape) return setMessage(null);
    if (input === '/') return setPrompt({ kind: 'filter', text: filterText && !filterText.startsWith('flow ') ? filterText : '' });
    if (input === 'w') return setPrompt({ kind: 'write', text: '' });
    if (input === 'W') return setPrompt({ kind: 'writeOrig', text: '' });
    if (input === 'f') return followFlow();
    if (input === 's') return setPane(pane === 'sessions' ? 'detail' : 'sessions');
    if (input === 'd') {
      setPane(pane === 'findings' ? 'detail' : 'findings');
      if (pane !== 'findings') setFocus('lower');
      return;
    }
    if (input === 'x') return setPane(pane === 'hex' ? 'detail' : 'hex');
    if (input === 'v') return setPane('detail');
    if (input === 'n') return stepFinding(1);
    if (input === 'N') return stepFinding(-1);
    if (input === ']') return setCpIdx(cpIdx + 1);
    if (input === '[') return setCpIdx(cpIdx - 1);
    if (key.tab) return setFocus(focus === 'list' ? 'lower' : 'list');
    const down = input === 'j' || key.downArrow;
    const up = input === 'k' || key.upArrow;
    if (input === 'G' || key.end) {
      if (focus === 'list' || pane === 'detail' || pane === 'hex') {
        setFollow(true);
        return select(shown - 1);
      }
    }
    if (input === 'g' || key.home) {
      if (focus === 'list') return select(0);
    }
    if (focus === 'list') {
      if (down) return select(curSel + 1);
      if (up) return select(curSel - 1);
      if (key.pageDown || input === ' ') return select(curSel + listRows);
      if (key.pageUp) return select(curSel - listRows);
      if (key.return) return setFocus('lower');
      return;
    }
    // Lower pane focused.
    if (pane === 'detail' || pane === 'hex') {
      const n = detail ? detail.lines.length : 0;
      if (down) return setCursor(clamp(curCursor + 1, 0, Math.max(0, n - 1)));
      if (up) return setCursor(clamp(curCursor - 1, 0, Math.max(0, n - 1)));
      if (key.pageDown) return setCursor(clamp(curCursor + lowerRows, 0, Math.max(0, n - 1)));
      if (key.pageUp) return setCursor(clamp(curCursor - lowerRows, 0, Math.max(0, n - 1)));
      if (input === 'g' || key.home) return setCursor(0);
      if (key.return && detail) {
        const l = detail.lines[curCursor];
        if (!l) return;
        const next = new Set(collapsed);
        if (next.has(l.layer)) next.delete(l.layer);
        else next.add(l.layer);
        setCollapsed(next);
        // Keep the cursor on the layer's header.
        const hdr = detail.lines.findIndex((x) => x.header && x.layer === l.layer);
        if (hdr >= 0) setCursor(hdr);
      }
      return;
    }
    if (pane === 'sessions') {
      if (down) return setSessScroll(sessScroll + 1);
      if (up) return setSessScroll(Math.max(0, sessScroll - 1));
      if (key.pageDown) return setSessScroll(sessScroll + lowerRows);
      if (key.pageUp) return setSessScroll(Math.max(0, sessScroll - lowerRows));
      if (input === 'g' || key.home) return setSessScroll(0);
      return;
    }
    if (pane === 'findings') {
      const n = model.findings.length;
      if (down) return setFindingSel(clamp(findingSel + 1, 0, Math.max(0, n - 1)));
      if (up) return setFindingSel(clamp(findingSel - 1, 0, Math.max(0, n - 1)));
      if (input === 'g' || key.home) return setFindingSel(0);
      if (key.return) {
        const f = currentFinding();
        if (f && f.packets.length) {
          const first = Math.min(...f.packets);
          setMessage(`${f.id}: first packet #${first}`);
          selectRow(first - 1);
        }
      }
    }
  }

  void sig;
  if (help) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <HelpOverlay width={width} height={height - 1} />
        <Box flexGrow={1} />
        <StatusBar model={model} pos={curSel} width={width} filter={filterText} message={message} follow={follow} />
      </Box>
    );
  }

  const tabs = (['detail', 'hex', 'sessions', 'findings'] as const).map((p) => (p === pane ? `[${p}]` : ` ${p} `)).join(' ');
  const focusMark = focus === 'lower' ? '▶' : ' ';
  let lower;
  if (pane === 'detail') lower = <DetailPane detail={detail} cursor={curCursor} height={lowerRows} width={width} focused={focus === 'lower'} />;
  else if (pane === 'hex') lower = <HexPane detail={detail} cursor={curCursor} height={lowerRows} width={width} />;
  else if (pane === 'sessions') lower = <SessionsPane tables={row >= 0 ? model.sessionsAt(row) : null} row={row} now={row >= 0 ? model.time(row) : 0} tuple={tuple} scroll={sessScroll} height={lowerRows} width={width} mode={model.config.mode} />;
  else lower = <FindingsPane findings={model.findings} state={model.findingsState} sel={findingSel} height={lowerRows} width={width} focused={focus === 'lower'} />;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <PacketList model={model} cache={cache} stamp={stamp} top={curTop} sel={curSel} height={listRows} width={width} focused={focus === 'list'} />
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
      <StatusBar model={model} pos={curSel} width={width} filter={filterText} message={message} follow={follow} />
    </Box>
  );
}
