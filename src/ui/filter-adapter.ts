/**
 * How the viewer's `/` talks to the display-filter language (SPEC §6, `src/filter/`): a check for
 * the live valid/invalid mark while typing, and a compile step that gives the model a predicate.
 * The viewer depends on this interface only; `cli/commands/view.ts` passes the real language.
 */
import type { CaptureModel, RowPredicate } from '../replay/view-model.js';

export interface FilterCheck {
  ok: boolean;
  /** Why it is invalid (one line). */
  message?: string;
  /** 1-based column of the error. */
  column?: number;
}

export interface FilterAdapter {
  check(text: string): FilterCheck;
  /** A predicate over the model's packets; only called with text that checked ok. */
  compile(text: string, model: CaptureModel): RowPredicate;
}

/** Used when no filter language is given: every filter is refused with a clear message. */
export const NO_FILTER_LANGUAGE: FilterAdapter = {
  check: () => ({ ok: false, message: 'display filters are not available in this build' }),
  compile: () => () => true,
};
