/**
 * The viewer as a library, for `view` and for `live`:
 *
 *   const model = new CaptureModel({ name: 'eth0', config, store: 'spool' });  // append-only source
 *   sniffer.on('packet', (p) => model.ingest(p));   // borrowed packets are copied into the spool
 *   sniffer.on('end', () => model.finish());
 *   await runViewer({ model, follow: true, filter, write });
 *
 * `follow` keeps the selection on the newest packet until the user moves (G resumes); the status
 * bar shows `reading…` while the model is not finished. See README "The viewer".
 */
export { Viewer, type ViewerProps, type LowerPane } from './Viewer.js';
export { runViewer, type RunViewerOptions } from './run-viewer.js';
export { NO_FILTER_LANGUAGE, type FilterAdapter, type FilterCheck } from './filter-adapter.js';
export { CaptureModel, openCaptureModel, startFilterPump, type ModelOptions } from '../replay/view-model.js';
