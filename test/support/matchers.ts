/**
 * vitest types its asymmetric matchers as `any`; these hand them out as `unknown`, so an expected
 * object that holds one is not an unsafe `any` assignment and keeps its own type checks.
 */
import { expect } from 'vitest';

export const textContaining = (text: string): unknown => expect.stringContaining(text);
export const textMatching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
