/**
 * The panel's external-number part as main computes it, from the lab's provisioning and the
 * remembered choices in a real SQLite store: numbers IT has denied since they were used are not
 * offered, and the panel learns which kind of transfer was the last.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { externalView } from '../../electron/core/desk/deskView.js';
import { openStore, type Store } from '../../electron/core/store/index.js';
import { formatIssue, parseProvisioning, type ProvisioningDocument } from '../../shared/provisioning/index.js';

const HOTLINE = '+15550120000';
const PARTNER = '+15550130000';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-external-view-'));
  store = openStore(join(dir, 'baton.db'), { now: () => new Date('2026-12-07T10:00:00.000Z') }).store;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The lab's document, with IT's deny list replaced. */
function labDoc(deny: readonly string[]): ProvisioningDocument {
  const raw = JSON.parse(readFileSync(new URL('../../resources/provisioning/lab.json', import.meta.url), 'utf8')) as {
    dialPlan: Record<string, unknown>;
  };
  raw.dialPlan = { ...raw.dialPlan, deny };
  const parsed = parseProvisioning(JSON.stringify(raw), 'lab.json');
  if (!parsed.ok) throw new Error(`the lab document is refused: ${parsed.issues.map(formatIssue).join('; ')}`);
  return parsed.value;
}

function transferredTo(number: string, name: string, at: number): void {
  store.choices.set('alice', 'external-transfer', { userId: number, outcomeId: 'billing-question', method: 'cold', updatedAt: at });
  store.choices.addRecentNumber('alice', { number, name, usedAt: at });
}

describe('recent and remembered numbers against the current dial plan', () => {
  it('offers every stored number the plan allows', () => {
    transferredTo(PARTNER, 'Partner', 1);
    transferredTo(HOTLINE, 'Hotline', 2);
    const view = externalView(labDoc([]), store.choices, 'alice');
    expect(view?.recent).toEqual([
      { number: HOTLINE, name: 'Hotline' },
      { number: PARTNER, name: 'Partner' },
    ]);
    expect(view?.remembered).toEqual({ number: HOTLINE, name: 'Hotline', outcomeId: 'billing-question', method: 'cold' });
  });

  it('leaves out a number whose prefix IT has denied since, and keeps the remembered method and outcome', () => {
    transferredTo(PARTNER, 'Partner', 1);
    transferredTo(HOTLINE, 'Hotline', 2);
    const view = externalView(labDoc(['+1555012']), store.choices, 'alice');
    expect(view?.recent).toEqual([{ number: PARTNER, name: 'Partner' }]);
    expect(view?.remembered).toEqual({ number: null, name: null, outcomeId: 'billing-question', method: 'cold' });
    // Still stored: should IT allow the prefix again, the number is offered again.
    expect(store.choices.recentNumbers('alice').map((r) => r.number)).toEqual([HOTLINE, PARTNER]);
  });
});

describe('the kind of the last transfer', () => {
  it('is a colleague when only a colleague was remembered, or none', () => {
    const doc = labDoc([]);
    expect(externalView(doc, store.choices, 'alice')?.lastKind).toBe('user');
    store.choices.set('alice', 'user-transfer', { userId: 'bob', outcomeId: 'sales', method: 'warm', updatedAt: 5 });
    expect(externalView(doc, store.choices, 'alice')?.lastKind).toBe('user');
  });

  it('follows whichever of the two remembered choices is newer', () => {
    const doc = labDoc([]);
    store.choices.set('alice', 'user-transfer', { userId: 'bob', outcomeId: 'sales', method: 'warm', updatedAt: 5 });
    transferredTo(HOTLINE, 'Hotline', 6);
    expect(externalView(doc, store.choices, 'alice')?.lastKind).toBe('external');
    store.choices.set('alice', 'user-transfer', { userId: 'bob', outcomeId: 'sales', method: 'warm', updatedAt: 7 });
    expect(externalView(doc, store.choices, 'alice')?.lastKind).toBe('user');
  });
});
