/**
 * Re-renders when the model has moved on (packets indexed, filter scanned, findings in), polled
 * at a bounded rate — never once per packet.
 */
import { useEffect, useState } from 'react';
import type { CaptureModel } from '../replay/view-model.js';

export function modelSignature(m: CaptureModel): string {
  const v = m.currentView();
  // What changes all the time while indexing / filtering, then '#', then what changes rarely.
  return `${m.count()}|${m.dropped}|${m.pairingVersion()}|${v ? `${v.rows.length}/${v.scanned}` : '-'}#${v ? v.label : ''}|${m.finished()}|${m.findingsState}:${m.findings.length}|${m.error() ?? ''}`;
}

/**
 * While the capture is being indexed the count changes all the time: the screen is then redrawn
 * at most every `progressMs` (a frame costs as much as a slice of indexing); other changes
 * (filter results, findings, the end of indexing) within `intervalMs`.
 */
export function useModelTick(model: CaptureModel, intervalMs = 100, progressMs = 500): string {
  const [sig, setSig] = useState(() => modelSignature(model));
  useEffect(() => {
    let lastDraw = 0;
    let lastRest = '';
    const t = setInterval(() => {
      const s = modelSignature(model);
      const rest = s.slice(s.indexOf('#'));
      const now = Date.now();
      if (rest === lastRest && !model.finished() && now - lastDraw < progressMs) return;
      lastRest = rest;
      setSig((old) => {
        if (old === s) return old;
        lastDraw = now;
        return s;
      });
    }, intervalMs);
    const off = model.onChange(() => setSig(modelSignature(model)));
    return () => {
      clearInterval(t);
      off();
    };
  }, [model, intervalMs]);
  return sig;
}
