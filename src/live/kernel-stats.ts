/**
 * Kernel drop counters of the capture sockets. cap has no pcap_stats(); on Linux the figures live
 * in the packet socket (getsockopt SOL_PACKET/PACKET_STATISTICS: packets seen and packets the
 * kernel dropped because the ring was full, both reset by each read). Node cannot call
 * getsockopt, so a small Perl helper (perl-base is part of every Debian system) is given the
 * sockets as inherited fds and reads them on request. Without perl (or off Linux) the drop
 * counts are reported as unknown, never as zero.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = String.raw`
$| = 1;
my @h;
for my $i (0 .. $ARGV[0] - 1) {
  my $s;
  if (open($s, "+<&=", 3 + $i)) { push @h, $s } else { push @h, undef }
}
print "ready\n";
while (<STDIN>) {
  my @out;
  for my $s (@h) {
    my $v = defined $s ? getsockopt($s, 263, 6) : undef;
    if (defined $v && length($v) >= 8) { my ($p, $d) = unpack("LL", $v); push @out, "$p $d" } else { push @out, "- -" }
  }
  print join(",", @out), "\n";
}
`;

export interface SocketCounts {
  /** Packets that passed the filter, as counted by the kernel (loopback counts both directions). */
  packets: number;
  /** Packets the kernel dropped (ring full). */
  drops: number;
}

export class KernelStats {
  private child: ChildProcess | null = null;
  private buf = '';
  private waiting: ((line: string | null) => void)[] = [];
  private readonly totals: (SocketCounts | null)[];
  /** Why counts are unavailable, or null. */
  unavailable: string | null = null;

  private constructor(private readonly fds: number[]) {
    this.totals = fds.map((fd) => (fd >= 0 ? { packets: 0, drops: 0 } : null));
  }

  /** Starts the helper for the given socket fds (-1: unknown socket). */
  static async start(fds: number[]): Promise<KernelStats> {
    const ks = new KernelStats(fds);
    if (process.platform !== 'linux') {
      ks.unavailable = 'not Linux';
      return ks;
    }
    if (fds.every((f) => f < 0)) {
      ks.unavailable = 'capture socket not found';
      return ks;
    }
    try {
      const stdio: ('pipe' | 'ignore' | number)[] = ['pipe', 'pipe', 'ignore', ...fds.map((f) => (f >= 0 ? f : 'ignore'))];
      const child = spawn('perl', ['-e', SCRIPT, String(fds.length)], { stdio });
      ks.child = child;
      child.on('error', (e) => {
        ks.unavailable = `perl: ${(e as Error).message}`;
        ks.child = null;
        ks.settle(null);
      });
      child.on('exit', () => {
        ks.child = null;
        ks.settle(null);
      });
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        ks.buf += d;
        let i;
        while ((i = ks.buf.indexOf('\n')) >= 0) {
          const line = ks.buf.slice(0, i);
          ks.buf = ks.buf.slice(i + 1);
          const w = ks.waiting.shift();
          if (w) w(line);
        }
      });
      child.stdin!.on('error', () => undefined);
      const ready = await new Promise<string | null>((r) => ks.waiting.push(r));
      if (ready !== 'ready') {
        ks.unavailable ??= 'perl helper did not start';
        return ks;
      }
      // The counters so far (opening, filter setup) are not the capture's: read and forget them.
      await ks.read(false);
    } catch (e) {
      ks.unavailable = (e as Error).message;
    }
    return ks;
  }

  private settle(line: string | null): void {
    for (const w of this.waiting.splice(0)) w(line);
  }

  /** Reads the sockets' counters and adds them to the totals. */
  async read(accumulate = true): Promise<void> {
    const child = this.child;
    if (!child || !child.stdin || child.stdin.destroyed) return;
    const p = new Promise<string | null>((r) => this.waiting.push(r));
    child.stdin.write('\n');
    const line = await p;
    if (line === null) {
      this.unavailable ??= 'perl helper exited';
      return;
    }
    if (!accumulate) return;
    const parts = line.split(',');
    for (let i = 0; i < this.fds.length; i++) {
      const t = this.totals[i];
      const m = /^(\d+) (\d+)$/.exec(parts[i] ?? '');
      if (!t) continue;
      if (!m) {
        this.totals[i] = null;
        continue;
      }
      t.packets += Number(m[1]);
      t.drops += Number(m[2]);
    }
  }

  /** Totals per socket (null: unknown for that socket, or all unknown). */
  counts(): (SocketCounts | null)[] {
    return this.unavailable ? this.totals.map(() => null) : this.totals.map((t) => (t ? { ...t } : null));
  }

  /** Total kernel drops, or null when any socket's count is unknown. */
  drops(): number | null {
    let d = 0;
    for (const c of this.counts()) {
      if (!c) return null;
      d += c.drops;
    }
    return d;
  }

  /** Stops the helper (after the last read). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdin?.end();
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }
}
