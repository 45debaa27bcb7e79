/** What a contact's phone declares, read from its INVITE or 2xx: the choice between Replaces and the fallback rests on it. */
import { describe, expect, it } from 'vitest';
import { capabilitiesFrom, type HeaderSource } from '../../electron/core/sip/call.js';

function message(headers: Readonly<Record<string, readonly string[]>>): HeaderSource {
  return { getHeaders: (name) => [...(headers[name] ?? [])] };
}

describe('capabilitiesFrom', () => {
  it('reads every Supported line and value, lower case, with Require counting as supported', () => {
    const peer = capabilitiesFrom(
      message({ Supported: ['timer, PATH', 'gruu'], Require: ['Replaces'], Allow: ['INVITE, ACK,bye', 'refer'] }),
    );
    expect([...peer.supported].sort()).toEqual(['gruu', 'path', 'replaces', 'timer']);
    expect([...peer.required]).toEqual(['replaces']);
    expect([...(peer.allow ?? [])].sort()).toEqual(['ACK', 'BYE', 'INVITE', 'REFER']);
    expect(peer.refer).toEqual({ kind: 'not-tried' });
  });
  it('takes the compact form of Supported (k)', () => {
    expect(capabilitiesFrom(message({ k: ['replaces'] })).supported.has('replaces')).toBe(true);
  });
  it('a phone like baresip 1.0.0 (Supported: gruu, outbound, path) does not declare Replaces', () => {
    expect(capabilitiesFrom(message({ Supported: ['gruu, outbound, path'] })).supported.has('replaces')).toBe(false);
  });
  it('no Allow means nothing is known about methods, not "none allowed"; nothing at all declares nothing', () => {
    expect(capabilitiesFrom(message({})).allow).toBeNull();
    expect(capabilitiesFrom(undefined)).toMatchObject({ allow: null, refer: { kind: 'not-tried' } });
    expect(capabilitiesFrom(undefined).supported.size).toBe(0);
  });
});
