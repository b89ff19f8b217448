/**
 * RFC 6146 §3.5.2.2, the TCP session state machine, as a pure function: (state, packet side and
 * flags, context) -> (next state, what happens to the session lifetime, what happens to the
 * packet). The engine applies it; each row can be tested alone.
 *
 * Rows (V4 = arrived on the IPv4 side, V6 = on the IPv6 side):
 *
 * CLOSED
 *   V6 SYN                      -> V6 INIT, lifetime TCP_TRANS, translate
 *   V4 SYN, dropExternallyInitiatedTcp -> CLOSED, drop (ExternallyInitiatedTcp)
 *   V4 SYN, no BIB entry        -> V4 INIT, lifetime TCP_INCOMING_SYN, store the packet
 *                                  (expiry: ICMP 3/3 with it back to its source; RFC 6146 "type 1")
 *   V4 SYN, BIB entry, ADF      -> V4 INIT, lifetime TCP_INCOMING_SYN, store the packet ("type 2")
 *   V4 SYN, BIB entry, no ADF   -> V4 INIT, lifetime TCP_TRANS, translate
 *   other, BIB entry exists     -> CLOSED (no session), translate with the BIB entry
 *                                  (V4 with ADF on: drop, the filter allows nothing)
 *   other, no BIB entry         -> drop
 * V4 INIT
 *   V6 SYN                      -> ESTABLISHED, TCP_EST, translate (a stored V4 SYN is discarded)
 *   V4 packet while a SYN is stored -> drop (Jool: the retry must not authorize itself)
 *   other                       -> V4 INIT, lifetime unchanged, translate
 *   expiry                      -> ICMP 3/3 with the stored packet (if any), session deleted
 * V6 INIT
 *   V4 SYN                      -> ESTABLISHED, TCP_EST, translate
 *   V6 SYN                      -> V6 INIT, TCP_TRANS, translate
 *   other                       -> V6 INIT, unchanged, translate
 *   expiry                      -> session deleted
 * ESTABLISHED
 *   V4 FIN                      -> V4 FIN RCV, unchanged, translate
 *   V6 FIN                      -> V6 FIN RCV, unchanged, translate
 *   V4 or V6 RST                -> TRANS, TCP_TRANS, translate
 *   other                       -> ESTABLISHED, TCP_EST, translate
 *   expiry                      -> probe (SHOULD), TRANS, TCP_TRANS
 * V4 FIN RCV
 *   V6 FIN                      -> V4 FIN + V6 FIN RCV, TCP_TRANS, translate
 *   other                       -> V4 FIN RCV, TCP_EST, translate
 *   expiry                      -> session deleted
 * V6 FIN RCV
 *   V4 FIN                      -> V4 FIN + V6 FIN RCV, TCP_TRANS, translate
 *   other                       -> V6 FIN RCV, TCP_EST, translate
 *   expiry                      -> session deleted
 * V4 FIN + V6 FIN RCV
 *   any                         -> unchanged, lifetime unchanged, translate
 *   expiry                      -> session deleted
 * TRANS
 *   RST                         -> TRANS, unchanged, translate
 *   other                       -> ESTABLISHED, TCP_EST, translate
 *   expiry                      -> session deleted
 *
 * (FIN is looked at before RST in ESTABLISHED, as Jool does; a segment with both is a FIN.)
 */
import { TcpFlag } from '../../wire/tcp.js';

export const TcpState = {
  Closed: 0,
  V4Init: 1,
  V6Init: 2,
  Established: 3,
  V4FinRcv: 4,
  V6FinRcv: 5,
  V4FinV6FinRcv: 6,
  Trans: 7,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];

export const TCP_STATE_NAMES = ['CLOSED', 'V4 INIT', 'V6 INIT', 'ESTABLISHED', 'V4 FIN RCV', 'V6 FIN RCV', 'V4 FIN + V6 FIN RCV', 'TRANS'] as const;

/** What happens to the session lifetime. */
export const Lifetime = {
  /** Unchanged (the timer keeps running). */
  Keep: 0,
  /** Set to TCP_EST (timeouts.tcpEstablished). */
  Est: 1,
  /** Set to TCP_TRANS (timeouts.tcpTransitory). */
  Trans: 2,
  /** Set to TCP_INCOMING_SYN (timeouts.tcpIncomingSyn). */
  IncomingSyn: 3,
} as const;
export type Lifetime = (typeof Lifetime)[keyof typeof Lifetime];

/** What happens to the packet. */
export const Action = {
  Translate: 0,
  Drop: 1,
  /** Keep the V4 SYN; ICMP 3/3 with it when the lifetime expires. */
  Store: 2,
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/** What happens on expiry. */
export const Expiry = {
  Delete: 0,
  /** Send a probe, move to TRANS with TCP_TRANS (ESTABLISHED only). */
  ProbeToTrans: 1,
  /** Send ICMP 3/3 with the stored V4 SYN, then delete (V4 INIT with a stored packet). */
  IcmpAndDelete: 2,
} as const;
export type Expiry = (typeof Expiry)[keyof typeof Expiry];

export interface TcpContext {
  /** A BIB entry exists for the packet's mapping (CLOSED only). */
  bibExists: boolean;
  /** filtering.addressDependent. */
  addressDependent: boolean;
  /** filtering.dropExternallyInitiatedTcp. */
  dropExternal: boolean;
  /** The session holds a stored V4 SYN (V4 INIT only). */
  hasStored: boolean;
}

/** The result of a transition, packed: state | lifetime << 4 | action << 8. */
export type Transition = number;

export function pack(state: TcpState, lifetime: Lifetime, action: Action): Transition {
  return state | (lifetime << 4) | (action << 8);
}
export function nextState(t: Transition): TcpState {
  return (t & 0xf) as TcpState;
}
export function lifetimeOf(t: Transition): Lifetime {
  return ((t >> 4) & 0xf) as Lifetime;
}
export function actionOf(t: Transition): Action {
  return ((t >> 8) & 0xf) as Action;
}

/**
 * One packet of a TCP connection in `state`. `from6`: it arrived on the IPv6 side; `flags`: its
 * TCP flags (TcpFlag bits).
 */
export function tcpTransition(state: TcpState, from6: boolean, flags: number, ctx: TcpContext): Transition {
  const syn = (flags & TcpFlag.SYN) !== 0;
  const fin = (flags & TcpFlag.FIN) !== 0;
  const rst = (flags & TcpFlag.RST) !== 0;
  switch (state) {
    case TcpState.Closed:
      if (syn && from6) return pack(TcpState.V6Init, Lifetime.Trans, Action.Translate);
      if (syn) {
        if (ctx.dropExternal) return pack(TcpState.Closed, Lifetime.Keep, Action.Drop);
        if (!ctx.bibExists || ctx.addressDependent) return pack(TcpState.V4Init, Lifetime.IncomingSyn, Action.Store);
        return pack(TcpState.V4Init, Lifetime.Trans, Action.Translate);
      }
      if (ctx.bibExists && (from6 || !ctx.addressDependent)) return pack(TcpState.Closed, Lifetime.Keep, Action.Translate);
      return pack(TcpState.Closed, Lifetime.Keep, Action.Drop);
    case TcpState.V4Init:
      if (from6 && syn) return pack(TcpState.Established, Lifetime.Est, Action.Translate);
      if (!from6 && ctx.hasStored) return pack(TcpState.V4Init, Lifetime.Keep, Action.Drop);
      return pack(TcpState.V4Init, Lifetime.Keep, Action.Translate);
    case TcpState.V6Init:
      if (syn) return from6 ? pack(TcpState.V6Init, Lifetime.Trans, Action.Translate) : pack(TcpState.Established, Lifetime.Est, Action.Translate);
      return pack(TcpState.V6Init, Lifetime.Keep, Action.Translate);
    case TcpState.Established:
      if (fin) return pack(from6 ? TcpState.V6FinRcv : TcpState.V4FinRcv, Lifetime.Keep, Action.Translate);
      if (rst) return pack(TcpState.Trans, Lifetime.Trans, Action.Translate);
      return pack(TcpState.Established, Lifetime.Est, Action.Translate);
    case TcpState.V4FinRcv:
      if (from6 && fin) return pack(TcpState.V4FinV6FinRcv, Lifetime.Trans, Action.Translate);
      return pack(TcpState.V4FinRcv, Lifetime.Est, Action.Translate);
    case TcpState.V6FinRcv:
      if (!from6 && fin) return pack(TcpState.V4FinV6FinRcv, Lifetime.Trans, Action.Translate);
      return pack(TcpState.V6FinRcv, Lifetime.Est, Action.Translate);
    case TcpState.V4FinV6FinRcv:
      return pack(TcpState.V4FinV6FinRcv, Lifetime.Keep, Action.Translate);
    case TcpState.Trans:
      if (rst) return pack(TcpState.Trans, Lifetime.Keep, Action.Translate);
      return pack(TcpState.Established, Lifetime.Est, Action.Translate);
  }
  return pack(state, Lifetime.Keep, Action.Drop);
}

/** What the expiry of a session's lifetime does in `state`. */
export function tcpExpiry(state: TcpState, hasStored: boolean): Expiry {
  if (state === TcpState.Established) return Expiry.ProbeToTrans;
  if (state === TcpState.V4Init && hasStored) return Expiry.IcmpAndDelete;
  return Expiry.Delete;
}
