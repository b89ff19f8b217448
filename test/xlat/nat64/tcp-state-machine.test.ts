// Every row of RFC 6146 §3.5.2.2 (the table in src/xlat/nat64/tcp-state-machine.ts), alone.
import { describe, it, expect } from 'vitest';
import { TcpFlag } from '../../../src/wire/tcp.js';
import {
  TcpState as S, Lifetime as L, Action as A, Expiry, tcpTransition, tcpExpiry, nextState, lifetimeOf, actionOf, type TcpContext,
} from '../../../src/xlat/nat64/tcp-state-machine.js';

const SYN = TcpFlag.SYN, FIN = TcpFlag.FIN | TcpFlag.ACK, RST = TcpFlag.RST, ACK = TcpFlag.ACK;
const ctx = (o: Partial<TcpContext> = {}): TcpContext => ({ bibExists: true, addressDependent: false, dropExternal: false, hasStored: false, ...o });
const V6 = true, V4 = false;

function t(state: number, from6: boolean, flags: number, c: TcpContext = ctx()): [number, number, number] {
  const r = tcpTransition(state as S, from6, flags, c);
  return [nextState(r), lifetimeOf(r), actionOf(r)];
}

describe('RFC 6146 §3.5.2.2 CLOSED', () => {
  it('V6 SYN -> V6 INIT, TCP_TRANS, translated', () => expect(t(S.Closed, V6, SYN)).toEqual([S.V6Init, L.Trans, A.Translate]));
  it('V4 SYN with dropExternallyInitiatedTcp -> dropped', () => expect(t(S.Closed, V4, SYN, ctx({ dropExternal: true }))).toEqual([S.Closed, L.Keep, A.Drop]));
  it('V4 SYN, no BIB entry -> V4 INIT, TCP_INCOMING_SYN, stored (type 1)', () => expect(t(S.Closed, V4, SYN, ctx({ bibExists: false }))).toEqual([S.V4Init, L.IncomingSyn, A.Store]));
  it('V4 SYN, BIB entry, ADF -> V4 INIT, TCP_INCOMING_SYN, stored (type 2)', () => expect(t(S.Closed, V4, SYN, ctx({ addressDependent: true }))).toEqual([S.V4Init, L.IncomingSyn, A.Store]));
  it('V4 SYN, BIB entry, no ADF -> V4 INIT, TCP_TRANS, translated', () => expect(t(S.Closed, V4, SYN)).toEqual([S.V4Init, L.Trans, A.Translate]));
  it('other packet with a BIB entry -> translated, no state', () => {
    expect(t(S.Closed, V6, ACK)).toEqual([S.Closed, L.Keep, A.Translate]);
    expect(t(S.Closed, V4, ACK)).toEqual([S.Closed, L.Keep, A.Translate]);
  });
  it('other V4 packet with a BIB entry under ADF -> dropped', () => expect(t(S.Closed, V4, ACK, ctx({ addressDependent: true }))).toEqual([S.Closed, L.Keep, A.Drop]));
  it('other packet without a BIB entry -> dropped', () => {
    expect(t(S.Closed, V6, ACK, ctx({ bibExists: false }))).toEqual([S.Closed, L.Keep, A.Drop]);
    expect(t(S.Closed, V4, RST, ctx({ bibExists: false }))).toEqual([S.Closed, L.Keep, A.Drop]);
  });
});

describe('V4 INIT', () => {
  it('V6 SYN -> ESTABLISHED, TCP_EST', () => expect(t(S.V4Init, V6, SYN)).toEqual([S.Established, L.Est, A.Translate]));
  it('V4 retry while a SYN is stored -> dropped', () => expect(t(S.V4Init, V4, SYN, ctx({ hasStored: true }))).toEqual([S.V4Init, L.Keep, A.Drop]));
  it('other -> unchanged, lifetime kept, translated', () => {
    expect(t(S.V4Init, V4, ACK)).toEqual([S.V4Init, L.Keep, A.Translate]);
    expect(t(S.V4Init, V6, ACK)).toEqual([S.V4Init, L.Keep, A.Translate]);
  });
  it('expiry with a stored SYN -> ICMP and delete; without -> delete', () => {
    expect(tcpExpiry(S.V4Init, true)).toBe(Expiry.IcmpAndDelete);
    expect(tcpExpiry(S.V4Init, false)).toBe(Expiry.Delete);
  });
});

describe('V6 INIT', () => {
  it('V4 SYN -> ESTABLISHED, TCP_EST', () => expect(t(S.V6Init, V4, SYN | ACK)).toEqual([S.Established, L.Est, A.Translate]));
  it('V6 SYN -> V6 INIT, TCP_TRANS', () => expect(t(S.V6Init, V6, SYN)).toEqual([S.V6Init, L.Trans, A.Translate]));
  it('other -> unchanged', () => expect(t(S.V6Init, V4, ACK)).toEqual([S.V6Init, L.Keep, A.Translate]));
  it('expiry -> delete', () => expect(tcpExpiry(S.V6Init, false)).toBe(Expiry.Delete));
});

describe('ESTABLISHED', () => {
  it('V4 FIN -> V4 FIN RCV, lifetime kept', () => expect(t(S.Established, V4, FIN)).toEqual([S.V4FinRcv, L.Keep, A.Translate]));
  it('V6 FIN -> V6 FIN RCV, lifetime kept', () => expect(t(S.Established, V6, FIN)).toEqual([S.V6FinRcv, L.Keep, A.Translate]));
  it('V4 or V6 RST -> TRANS, TCP_TRANS', () => {
    expect(t(S.Established, V4, RST)).toEqual([S.Trans, L.Trans, A.Translate]);
    expect(t(S.Established, V6, RST | ACK)).toEqual([S.Trans, L.Trans, A.Translate]);
  });
  it('other -> TCP_EST', () => expect(t(S.Established, V6, ACK)).toEqual([S.Established, L.Est, A.Translate]));
  it('expiry -> probe, TRANS', () => expect(tcpExpiry(S.Established, false)).toBe(Expiry.ProbeToTrans));
});

describe('V4 FIN RCV / V6 FIN RCV', () => {
  it('V4 FIN RCV + V6 FIN -> V4 FIN + V6 FIN RCV, TCP_TRANS', () => expect(t(S.V4FinRcv, V6, FIN)).toEqual([S.V4FinV6FinRcv, L.Trans, A.Translate]));
  it('V4 FIN RCV + other -> TCP_EST', () => {
    expect(t(S.V4FinRcv, V4, FIN)).toEqual([S.V4FinRcv, L.Est, A.Translate]);
    expect(t(S.V4FinRcv, V6, ACK)).toEqual([S.V4FinRcv, L.Est, A.Translate]);
  });
  it('V6 FIN RCV + V4 FIN -> V4 FIN + V6 FIN RCV, TCP_TRANS', () => expect(t(S.V6FinRcv, V4, FIN)).toEqual([S.V4FinV6FinRcv, L.Trans, A.Translate]));
  it('V6 FIN RCV + other -> TCP_EST', () => expect(t(S.V6FinRcv, V6, FIN)).toEqual([S.V6FinRcv, L.Est, A.Translate]));
  it('expiry -> delete', () => {
    expect(tcpExpiry(S.V4FinRcv, false)).toBe(Expiry.Delete);
    expect(tcpExpiry(S.V6FinRcv, false)).toBe(Expiry.Delete);
  });
});

describe('V4 FIN + V6 FIN RCV', () => {
  it('anything -> unchanged, lifetime kept', () => {
    for (const f of [SYN, FIN, RST, ACK]) for (const side of [V4, V6]) expect(t(S.V4FinV6FinRcv, side, f)).toEqual([S.V4FinV6FinRcv, L.Keep, A.Translate]);
  });
  it('expiry -> delete', () => expect(tcpExpiry(S.V4FinV6FinRcv, false)).toBe(Expiry.Delete));
});

describe('TRANS', () => {
  it('non-RST -> ESTABLISHED, TCP_EST', () => {
    expect(t(S.Trans, V4, ACK)).toEqual([S.Established, L.Est, A.Translate]);
    expect(t(S.Trans, V6, ACK)).toEqual([S.Established, L.Est, A.Translate]);
  });
  it('RST -> TRANS, lifetime kept', () => expect(t(S.Trans, V6, RST)).toEqual([S.Trans, L.Keep, A.Translate]));
  it('expiry -> delete', () => expect(tcpExpiry(S.Trans, false)).toBe(Expiry.Delete));
});
