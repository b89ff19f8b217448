/** The display-filter language (SPEC §6, src/filter) behind the viewer's `/`. */
import { compileFilter, validateFilter, PacketFacts } from '../filter/index.js';
import { reasonId } from '../diag/reasons.js';
import type { FilterAdapter } from './filter-adapter.js';
import type { RowPredicate } from '../replay/view-model.js';

export const DISPLAY_FILTERS: FilterAdapter = {
  check(text) {
    const v = validateFilter(text);
    return v.ok ? { ok: true } : { ok: false, message: `${v.message} at column ${v.column}`, column: v.column };
  },
  compile(text, model) {
    const f = compileFilter(text);
    const facts = new PacketFacts();
    const outcome = f.fields.outcome;
    const findings = f.fields.findings;
    const pred: RowPredicate = (p, d, row) => {
      facts.fill(p, d);
      if (outcome) {
        facts.verdict = model.verdict(row);
        const r = model.dropReason(row);
        facts.reason = r ? reasonId(r) : null;
      }
      if (findings) facts.findings = model.findingIds(row);
      return f.matchesPacket(facts);
    };
    // `finding`: the view is scanned again once analyze's findings arrive.
    if (findings) pred.usesFindings = true;
    return pred;
  },
};
