import { describe, expect, it } from 'vitest';
import {
  dispositionApplies,
  dispositionCallKinds,
  outcomeApplies,
  outcomeMethods,
  appliesToTeam,
} from '../../shared/provisioning/index.js';

describe('appliesTo: which outcomes and codes an agent may use', () => {
  const anyOutcome = { appliesTo: {} };
  const warmOnly = { appliesTo: { methods: ['warm'] as const } };
  const salesOnly = { appliesTo: { teams: ['sales'] } };
  const coldSales = { appliesTo: { methods: ['cold'] as const, teams: ['sales'] } };

  it.each([
    ['unrestricted', anyOutcome, 'cold', 'support', true],
    ['unrestricted', anyOutcome, 'warm', 'sales', true],
    ['warm only, asked cold', warmOnly, 'cold', 'support', false],
    ['warm only, asked warm', warmOnly, 'warm', 'support', true],
    ['sales only, from support', salesOnly, 'warm', 'support', false],
    ['sales only, from sales', salesOnly, 'cold', 'sales', true],
    ['cold + sales, warm from sales', coldSales, 'warm', 'sales', false],
    ['cold + sales, cold from support', coldSales, 'cold', 'support', false],
    ['cold + sales, cold from sales', coldSales, 'cold', 'sales', true],
  ] as const)('outcome %s: %s from %s → %s', (_name, outcome, method, team, expected) => {
    expect(outcomeApplies(outcome, method, team)).toBe(expected);
  });

  it.each([
    [{ appliesTo: {} }, 'consult', 'support', true],
    [{ appliesTo: { callKinds: ['inbound', 'outbound'] as const } }, 'consult', 'support', false],
    [{ appliesTo: { callKinds: ['consult'] as const } }, 'consult', 'support', true],
    [{ appliesTo: { callKinds: ['transferred-in'] as const, teams: ['sales'] } }, 'transferred-in', 'support', false],
    [{ appliesTo: { callKinds: ['transferred-in'] as const, teams: ['sales'] } }, 'transferred-in', 'sales', true],
  ] as const)('disposition %j for %s from %s → %s', (code, kind, team, expected) => {
    expect(dispositionApplies(code, kind, team)).toBe(expected);
  });

  it('lists the methods and call kinds each item may be used with', () => {
    expect(outcomeMethods({ appliesTo: {} })).toEqual(['cold', 'warm']);
    expect(outcomeMethods(warmOnly)).toEqual(['warm']);
    expect(dispositionCallKinds({ appliesTo: {} })).toEqual(['inbound', 'outbound', 'transferred-in', 'consult']);
    expect(dispositionCallKinds({ appliesTo: { callKinds: ['consult', 'inbound'] } })).toEqual(['inbound', 'consult']);
    expect(appliesToTeam(salesOnly, 'support')).toBe(false);
    expect(appliesToTeam(anyOutcome, 'support')).toBe(true);
  });
});
