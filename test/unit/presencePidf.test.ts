/** PIDF+RPID: every status round-trips; hostile or foreign bodies never throw and never expand entities. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../shared/agentState.js';
import { buildPidf, MAX_PIDF_BYTES, parsePidf } from '../../electron/core/presence/pidf.js';
import { textMatching } from '../support/matchers.js';

const T0 = new Date('2026-11-24T10:00:00.000Z');
const statusOf = (body: string | undefined) => {
  const reading = parsePidf(body);
  return reading.kind === 'status' ? reading.status : reading;
};

describe('round trip', () => {
  it.each<AgentStatus>([
    { kind: 'Ready' },
    { kind: 'NotReady', reason: 'Lunch' },
    { kind: 'OnCall' },
    { kind: 'Dispositioning' },
    { kind: 'Offline' },
  ])('%o', (status) => {
    expect(statusOf(buildPidf('sip:bob@example.com', status, T0))).toEqual(status);
  });

  it('any reason survives XML escaping (trimmed, capped at 64 characters)', () => {
    fc.assert(
      fc.property(
        // eslint-disable-next-line no-control-regex -- control characters are what the generated reasons must leave out
        fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim() !== '' && !/[\u0000-\u001f\u007f\ud800-\udfff]/.test(s)),
        (reason) => {
          const body = buildPidf('sip:bob@example.com', { kind: 'NotReady', reason }, T0);
          expect(statusOf(body)).toEqual({ kind: 'NotReady', reason: reason.slice(0, 64).trim() || 'away' });
        },
      ),
    );
  });

  it('carries the publication time', () => {
    expect(parsePidf(buildPidf('sip:bob@example.com', { kind: 'Ready' }, T0))).toMatchObject({ at: T0.getTime() });
  });
});

describe('what the server or other clients send', () => {
  it('no body (nothing published, or the publication expired) reads Offline', () => {
    expect(statusOf(undefined)).toEqual({ kind: 'Offline' });
    expect(statusOf('  ')).toEqual({ kind: 'Offline' });
  });

  it('of several aggregated publications, the newest person wins, whatever the order', () => {
    const stale = buildPidf('sip:bob@x', { kind: 'OnCall' }, new Date('2026-11-24T09:00:00Z'));
    const fresh = buildPidf('sip:bob@x', { kind: 'Ready' }, new Date('2026-11-24T09:05:00Z'));
    const inner = (doc: string) => doc.replace(/^.*?<presence[^>]*>/, '').replace('</presence>', '');
    const header = stale.match(/^.*?<presence[^>]*>/)![0];
    expect(statusOf(`${header}${inner(stale)}${inner(fresh)}</presence>`)).toEqual({ kind: 'Ready' });
    expect(statusOf(`${header}${inner(fresh)}${inner(stale)}</presence>`)).toEqual({ kind: 'Ready' });
  });

  it("reads another client's prefixes and RPID activities", () => {
    const foreign = `<?xml version="1.0"?>
      <p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:x@y">
        <p:tuple id="t1"><p:status><p:basic>open</p:basic></p:status></p:tuple>
        <d:person id="p1"><r:activities><r:meeting/></r:activities></d:person>
      </p:presence>`;
    expect(statusOf(foreign)).toEqual({ kind: 'NotReady', reason: 'meeting' });
    expect(statusOf(foreign.replace('<r:meeting/>', '<r:on-the-phone/>'))).toEqual({ kind: 'OnCall' });
    expect(statusOf(foreign.replace(/<d:person.*<\/d:person>/s, ''))).toEqual({ kind: 'Ready' });
    expect(statusOf(foreign.replace('open', 'closed'))).toEqual({ kind: 'Offline' });
  });

  it('refuses a DTD: no entity is ever expanded', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
      <presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>open</basic></status></tuple>
      <person><activities><away/></activities><note>&lol2;</note></person></presence>`;
    expect(parsePidf(laughs)).toEqual({ kind: 'unreadable', why: textMatching(/DTD/) });
  });

  it('decodes only predefined entities and character references in a note', () => {
    const body = buildPidf('sip:b@x', { kind: 'NotReady', reason: 'x' }, T0).replace(
      '<dm:note>x</dm:note>',
      '<dm:note>&#x41;&amp;&unknown;&#0;</dm:note>',
    );
    expect(statusOf(body)).toEqual({ kind: 'NotReady', reason: 'A&&unknown;' });
  });

  it('refuses an oversized body and anything that is not PIDF', () => {
    const big = buildPidf('sip:b@x', { kind: 'Ready' }, T0).replace('<tuple', `<!--${'x'.repeat(MAX_PIDF_BYTES)}--><tuple`);
    expect(parsePidf(big)).toMatchObject({ kind: 'unreadable' });
    expect(parsePidf('{"status":"open"}')).toMatchObject({ kind: 'unreadable' });
  });

  it('never throws, whatever arrives', () => {
    const fragments = [
      '<presence>',
      '</presence>',
      '<tuple id="a">',
      '</tuple>',
      '<basic>open</basic>',
      '<person>',
      '</person>',
      '<activities>',
      '</activities>',
      '<other>dispositioning</other>',
      '<note>',
      '</note>',
      '<timestamp>nonsense</timestamp>',
      '<',
      '>',
      '&',
      '/>',
      ':',
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string()), { maxLength: 40 }), (parts) => {
        const reading = parsePidf(parts.join(''));
        expect(['status', 'unreadable']).toContain(reading.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays fast on a pathological body at the size cap', () => {
    const body = `<presence>${'<tuple id="a"><basic>open'.repeat(600)}`.slice(0, MAX_PIDF_BYTES);
    const started = performance.now();
    parsePidf(body);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
