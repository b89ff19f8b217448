/** The terminal's size, updated on resize (SIGWINCH); fixed sizes win (tests). */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useTerminalSize(fixed?: { width?: number; height?: number }): { width: number; height: number } {
  const { stdout } = useStdout();
  const read = (): { width: number; height: number } => ({
    width: fixed?.width ?? (stdout.columns || 80),
    height: fixed?.height ?? (stdout.rows || 24),
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const on = (): void => setSize(read());
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed?.width, fixed?.height]);
  return { width: fixed?.width ?? size.width, height: fixed?.height ?? size.height };
}
