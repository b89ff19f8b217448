#!/usr/bin/env node
/** nat64scope command line: yargs wiring only; the work is in src/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import * as packets from './commands/packets.js';
import * as translate from './commands/translate.js';
import * as analyze from './commands/analyze.js';
import * as dns64 from './commands/dns64.js';
import * as awsCheck from './commands/aws-check.js';
import * as correlate from './commands/correlate.js';
import * as diff from './commands/diff.js';
import * as golden from './commands/golden.js';
import { reportError, setDebug, normalExit, EXIT, UsageError } from './errors.js';
import * as live from './commands/live.js';
import * as view from './commands/view.js';
import { STDIN_ARG } from './capture.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(args: string[]): Promise<number> {
  const debug = args.includes('--debug');
  setDebug(debug);
  const suggestions: string[] = [];
  // yargs-parser reads a lone "-" as an empty option; stand it in for a sentinel (see capture.ts).
  const cli = yargs(args.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('nat64scope')
    .usage('$0 <command> [options]\n\nDecode captures of IPv6-only networks and replay them through DNS64/NAT64 engines.')
    .command(packets)
    .command(translate)
    .command(analyze)
    .command(dns64)
    .command(awsCheck)
    .command(correlate)
    .command(diff)
    .command(golden)
    .command(live)
    .command(view)
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces on errors', global: true })
    .completion('completion', 'print a bash/zsh completion script (source it from your shell rc)')
    .demandCommand(1, 'no command given')
    .strict()
    .recommendCommands()
    .version(pkg.version)
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs' own validation errors (YError: "Not enough arguments following: Y") are usage errors.
      if (err && err.name !== 'YError') throw err;
      if (err && !msg) msg = err.message;
      // yargs reports a suggestion ("Did you mean ...?") first, then the error itself: keep the
      // suggestion and stop at the error, so that no handler runs after a usage error.
      const line = firstLine(msg ?? 'bad usage');
      if (/^Did you mean/i.test(line)) {
        suggestions.push(line);
        return;
      }
      throw new UsageError(`${usageLine([line, ...suggestions])} (try --help)`);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  // A handler that found what it was asked to fail on calls setFound() or sets process.exitCode (SPEC §2: exit 1).
  const code = normalExit();
  return code !== EXIT.OK ? code : Number(process.exitCode ?? EXIT.OK);
}

/** "Unknown arguments: pakets, x" + "Did you mean packets?" -> one sentence. */
function usageLine(msgs: string[]): string {
  const hint = msgs.find((m) => /^Did you mean/i.test(m));
  const rest = msgs.filter((m) => m !== hint);
  const main = (rest[0] ?? 'bad usage').replace(/^Unknown arguments?: /, 'unknown command or argument: ').replace(/^Unknown argument/, 'unknown argument');
  return hint ? `${lowerFirst(main)}; ${lowerFirst(hint)}` : lowerFirst(main);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err);
  },
);
