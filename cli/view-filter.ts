/** The display-filter language (SPEC §6) as the viewer's `/` uses it. */
import { NO_FILTER_LANGUAGE, type FilterAdapter } from '../src/ui/filter-adapter.js';

export function viewFilterLanguage(): FilterAdapter {
  return NO_FILTER_LANGUAGE;
}
