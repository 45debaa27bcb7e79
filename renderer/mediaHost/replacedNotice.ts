/**
 * What a replaced media host shows (the browser fallback: the agent opened a second audio tab, and
 * main moved the calls to it). This tab no longer plays or captures anything, and says so.
 */
import { showPageNotice } from './pageNotice.js';
export const REPLACED_TEXT = 'This audio tab was replaced by another Baton audio tab, which plays your calls now. You can close this one.';

export function showReplaced(doc: Document): void {
  showPageNotice(doc, { text: REPLACED_TEXT, marker: 'batonReplaced', title: 'Baton audio (replaced)' });
}
