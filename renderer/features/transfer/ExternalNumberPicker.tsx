/**
 * The external-number part of the transfer form: a number field checked against IT's dial plan as
 * the agent types (libphonenumber-js, IT's default region; main checks again on Confirm), IT's
 * speed-dial destinations and the agent's recent numbers. A click on either fills the field.
 */
import { useId } from 'react';
import type { ExternalTransferView } from '../../../shared/desk.js';
import { checkNumber } from '../../../shared/transfer/dialPlan.js';

export function ExternalNumberPicker({
  external,
  value,
  onChange,
  autoFocus,
}: {
  readonly external: ExternalTransferView;
  readonly value: string;
  readonly onChange: (number: string) => void;
  readonly autoFocus?: boolean;
}) {
  const id = useId();
  const verdict = value.trim() === '' ? null : checkNumber(value, external.dialPlan);
  const { speedDial } = external.dialPlan;
  return (
    <div className="external-picker">
      <label className="field">
        <span className="field__label">Phone number</span>
        <input
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={value}
          placeholder={`e.g. a number in ${external.dialPlan.defaultRegion}, or +country code`}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={verdict !== null && !verdict.ok}
          aria-describedby={`${id}-verdict`}
          autoFocus={autoFocus}
        />
        <span id={`${id}-verdict`} className={`field__hint${verdict && !verdict.ok ? ' counter--over' : ''}`} role="status">
          {verdict === null ? '' : verdict.ok ? `Will dial ${verdict.display}` : verdict.message}
        </span>
      </label>
      {speedDial.length > 0 && (
        <fieldset className="external-picker__list">
          <legend className="field__label">Speed dial</legend>
          {speedDial.map((entry) => (
            <button
              key={`${entry.name}-${entry.number}`}
              type="button"
              className="button button--small"
              onClick={() => onChange(entry.number)}
            >
              {entry.name} <span className="muted">{entry.number}</span>
            </button>
          ))}
        </fieldset>
      )}
      {external.recent.length > 0 && (
        <fieldset className="external-picker__list">
          <legend className="field__label">Recent numbers</legend>
          {external.recent.map((entry) => (
            <button key={entry.number} type="button" className="button button--small" onClick={() => onChange(entry.number)}>
              {entry.name === entry.number ? (
                entry.number
              ) : (
                <>
                  {entry.name} <span className="muted">{entry.number}</span>
                </>
              )}
            </button>
          ))}
        </fieldset>
      )}
    </div>
  );
}
