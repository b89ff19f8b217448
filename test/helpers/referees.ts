/** Locating the external referees (tshark, Scapy) the tests compare against. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TSHARK = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : null;
/** Debian's python3 (python3-scapy is a Debian package; a pyenv python on PATH won't have it). */
export const SCAPY_PYTHON = ((): string | null => {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import scapy'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
})();

export function requireReferee(name: string, path: string | null): string {
  if (!path) {
    // CI installs every referee (.ci/run); a developer machine without one gets a clear message.
    throw new Error(`${name} is not installed: run .ci/run (or apt-get install tshark python3-scapy) first`);
  }
  return path;
}

export function tshark(args: string[]): string {
  return execFileSync(requireReferee('tshark', TSHARK), args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}
