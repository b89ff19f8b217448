/**
 * Re-renders when the model has moved on (packets indexed, filter scanned, findings in), polled
 * at a bounded rate — never once per packet.
 */
import { useEffect, useState } from 'react';
import type { CaptureModel } from '../replay/view-model.js';

export function modelSignature(m: CaptureModel): string {
  const v = m.currentView();
  return `${m.count()}|${m.finished()}|${v ? `${v.rows.length}/${v.scanned}` : '-'}|${m.findingsState}:${m.findings.length}|${m.dropped}|${m.error() ?? ''}`;
}

export function useModelTick(model: CaptureModel, intervalMs = 100): string {
  const [sig, setSig] = useState(() => modelSignature(model));
  useEffect(() => {
    const t = setInterval(() => {
      const s = modelSignature(model);
      setSig((old) => (old === s ? old : s));
    }, intervalMs);
    const off = model.onChange(() => setSig(modelSignature(model)));
    return () => {
      clearInterval(t);
      off();
    };
  }, [model, intervalMs]);
  return sig;
}
