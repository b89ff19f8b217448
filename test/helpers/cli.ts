/** Runs the built CLI (dist/, made by `npm test`'s build step) as a user would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult { status: number; stdout: string; stderr: string }

export function runCli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { input: opts.input, env: opts.env ?? process.env, cwd: opts.cwd, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
