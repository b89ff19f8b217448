#!/usr/bin/env node
/** nat64scope command line: yargs wiring only; the work is in src/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { reportError, setDebug, normalExit, EXIT, UsageError } from './errors.js';
import { STDIN_ARG } from './capture.js';

// Each module's handler takes its own argument type; yargs checks them at run time.
type Command = CommandModule<object, never>;
const cmd = (m: Promise<unknown>): Promise<Command> => m as Promise<Command>;

/**
 * The commands, in the order --help lists them; each module (and what it imports) is loaded only
 * when needed: only the named command's for `<command> ...` (start-up of `translate`, `dns64`,
 * `analyze` and the viewer's first screen do not pay for the other commands' modules, Ink's
 * among them), all of them otherwise (top-level --help, completion, a mistyped command's
 * "did you mean").
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  packets: () => cmd(import('./commands/packets.js')),
  translate: () => cmd(import('./commands/translate.js')),
  analyze: () => cmd(import('./commands/analyze.js')),
  dns64: () => cmd(import('./commands/dns64.js')),
  'aws-check': () => cmd(import('./commands/aws-check.js')),
  correlate: () => cmd(import('./commands/correlate.js')),
  diff: () => cmd(import('./commands/diff.js')),
  golden: () => cmd(import('./commands/golden.js')),
  live: () => cmd(import('./commands/live.js')),
  view: () => cmd(import('./commands/view.js')),
};

/** The command modules `args` needs: only its own when it starts with a command name, else every one. */
async function commandModules(args: readonly string[]): Promise<Command[]> {
  const first = args[0];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [await COMMANDS[first]!()];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(args: string[]): Promise<number> {
  const debug = args.includes('--debug');
  setDebug(debug);
  const suggestions: string[] = [];
  const commands = await commandModules(args);
  // yargs-parser reads a lone "-" as an empty option; stand it in for a sentinel (see capture.ts).
  let cli = yargs(args.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('nat64scope')
    .usage('$0 <command> [options]\n\nDecode captures of IPv6-only networks and replay them through DNS64/NAT64 engines.');
  for (const c of commands) cli = cli.command(c);
  cli = cli
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
  skipHelpCache(cli);
  try {
    await cli.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  // A handler that found what it was asked to fail on calls setFound() or sets process.exitCode (SPEC §2: exit 1).
  const code = normalExit();
  return code !== EXIT.OK ? code : Number(process.exitCode ?? EXIT.OK);
}

/**
 * yargs renders the whole help text of a command when its handler starts, to have it at hand
 * should the handler fail and help be shown; this CLI never shows help after a handler started
 * (errors are one line), and rendering it costs about 25 ms of every run's start-up. `--help`
 * renders help through its own path, unchanged (tested).
 */
function skipHelpCache(cli: object): void {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = (cli as { getInternalMethods?: () => { getUsageInstance?: () => Usage } }).getInternalMethods;
  const usage = typeof internal === 'function' ? internal.call(cli).getUsageInstance?.() : undefined;
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
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
