/** `--filter EXPR` and `--whole-flows`, shared by the commands that take a display filter (SPEC §6). */
import type { Argv } from 'yargs';
import { compileFilter, FilterError, caretLines, filterErrorLine, type CompiledFilter, type CompileOptions } from '../src/filter/index.js';
import { UsageError } from './errors.js';

export interface FilterArgs {
  filter?: string;
  wholeFlows: boolean;
}

export function filterOptions<T>(y: Argv<T>, wholeFlowsHelp: string): Argv<T & FilterArgs> {
  return y
    .option('filter', { alias: 'Y', type: 'string', requiresArg: true, describe: 'only packets matching a display filter (README "Display filters"), e.g. \'tcp and dport == 443\'' })
    .option('whole-flows', { type: 'boolean', default: false, describe: wholeFlowsHelp }) as unknown as Argv<T & FilterArgs>;
}

/** Compiles `--filter`; an invalid filter is a UsageError (exit 2) naming the column, with a caret on a terminal. */
export function compileFilterArg(text: string | undefined, opts: CompileOptions): CompiledFilter | null {
  if (text === undefined) return null;
  try {
    return compileFilter(text, opts);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    const err = new UsageError(filterErrorLine(e, text)) as UsageError & { detail?: string };
    err.detail = caretLines(text, e.column);
    throw err;
  }
}
