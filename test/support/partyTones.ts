/**
 * The tones test parties send, so that a listener can tell *who* it hears (test/support/audioOracle.ts).
 *
 * Every party in a test gets its own tone from this list. The tones are at least 110 Hz apart: the
 * oracle measures 20 ms Hann-windowed frames, whose main lobe is ±100 Hz wide, so one tone leaks
 * under 2.5 % of its amplitude into its neighbours' readings. No tone sits within 100 Hz of another's
 * second or third harmonic, with one exception kept on purpose: 660 = 2 × 330 (bob and the customer
 * since long before the oracle). The engines send pure sines and Opus adds no second harmonic worth
 * the name (the integration tests check that a party hearing 330 Hz alone reads nothing at 660 Hz),
 * so the pair stays distinguishable.
 *
 * Roles are conventions, not rules: a test that needs more parties picks the next free tone.
 */
export const TONES = {
  /** Customers and lab bots (test/lab/bots.ts). */
  customer: 330,
  /** The first desk. */
  alice: 440,
  /** A third desk. */
  carol: 550,
  /** The second desk. */
  bob: 660,
  /** A second customer. */
  customer2: 770,
  /** A sixth party. */
  sixth: 1210,
} as const;

/** Every party tone, ascending: what "hears only X" checks the others against. */
export const PARTY_TONES: readonly number[] = Object.values(TONES).sort((a, b) => a - b);
