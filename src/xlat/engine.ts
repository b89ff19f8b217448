/** Picks the engine for a configuration: stateless SIIT (RFC 7915) or stateful NAT64 (RFC 6146). */
import type { Engine } from './types.js';
import type { EngineConfig } from './config-types.js';
import { SiitEngine } from './siit/siit-engine.js';
import { Nat64Engine } from './nat64/nat64-engine.js';

export function createEngine(cfg: EngineConfig): Engine {
  return cfg.mode === 'siit' ? new SiitEngine(cfg) : new Nat64Engine(cfg);
}
