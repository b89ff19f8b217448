#!/usr/bin/env node
/** nat64scope command line: yargs wiring only; the work is in src/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import * as packets from './commands/packets.js';
import { reportError, setDebug, EXIT } from './errors.js';
import { STDIN_ARG } from './capture.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(args: string[]): Promise<number> {
  const debug = args.includes('--debug');
  setDebug(debug);
  let failure: number | null = null;
  // yargs-parser reads a lone "-" as an empty option; stand it in for a sentinel (see capture.ts).
  const cli = yargs(args.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('nat64scope')
    .usage('$0 <command> [options]\n\nDecode captures of IPv6-only networks and replay them through DNS64/NAT64 engines.')
    .command(packets)
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces on errors', global: true })
    .completion('completion', 'print a bash/zsh completion script (source it from your shell rc)')
    .demandCommand(1, 'no command given: try nat64scope --help')
    .strict()
    .recommendCommands()
    .version(pkg.version)
    .alias('h', 'help')
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      failure = EXIT.USAGE;
      process.stderr.write(`nat64scope: ${firstLine(msg ?? 'bad usage')} (try --help)\n`);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  return failure ?? EXIT.OK;
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
