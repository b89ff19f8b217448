/** Capture input and output: readers, writers, link types, the packet type they share. */
export * from './errors.js';
export * from './linktype.js';
export * from './packet.js';
export {
  CaptureParser,
  parseCapture,
  readAllPackets,
  readCapture,
  readCaptureStream,
  type InterfaceInfo,
  type PacketCallback,
  type ParserOptions,
  type ReadOptions,
  type ReadSummary,
} from './reader.js';
export { formatForPath, openCaptureWriter, PcapngWriter, PcapWriter, samePath, type CaptureWriter, type WriterOptions } from './writer.js';
