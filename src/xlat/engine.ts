/** Picks the engine for a configuration: stateless SIIT (RFC 7915) or stateful NAT64 (RFC 6146). */
import type { Engine } from './types.js';
import type { EngineConfig } from './config-types.js';
import { SiitEngine } from './siit/siit-engine.js';
import { Nat64Engine } from './nat64/nat64-engine.js';

export function createEngine(cfg: EngineConfig): Engine {
  if (cfg.mode === 'siit') return new SiitEngine(cfg);
  // A gateway that answers idle connections with a RST (AWS, policy.tcpIdleRst) documents no
  // RFC 6146 probe on ESTABLISHED expiry: it just forgets the connection.
  return new Nat64Engine(cfg, { probeOnEstablishedExpiry: cfg.policy.tcpIdleRst === null, fastPath: fastPathEnabled() });
}

/**
 * NAT64SCOPE_FASTPATH=0 turns the engines' per-flow fast path off (every packet through the
 * general pipeline): the output must be the same byte for byte, only slower. For tests and for
 * checking a suspected fast-path bug from the command line.
 */
export function fastPathEnabled(): boolean {
  return process.env.NAT64SCOPE_FASTPATH !== '0';
}
