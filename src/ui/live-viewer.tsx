/**
 * The viewer with a status figure that changes without new packets (live: packets/s, drops):
 * `status()` is polled every `statusMs` and shown after the packet count.
 */
import { useEffect, useState } from 'react';
import { Viewer, type ViewerProps } from './Viewer.js';

export interface PolledViewerProps extends ViewerProps {
  status: () => string;
  /** Poll interval, ms (default 1000). */
  statusMs?: number;
}

export function PolledViewer(props: PolledViewerProps) {
  const { status, statusMs, ...rest } = props;
  const [extra, setExtra] = useState(() => status());
  useEffect(() => {
    const t = setInterval(() => setExtra(status()), statusMs ?? 1000);
    return () => clearInterval(t);
  }, [status, statusMs]);
  return <Viewer live {...rest} statusExtra={extra} />;
}
