import { useId, type ReactNode } from 'react';
import { PencilIcon } from './PencilIcon.js';

const LABELS = { number: 'Number', colleague: 'Colleague', outcome: 'Outcome' } as const;

/**
 * A choice the panel already holds (the remembered number, colleague or outcome), shown as text
 * under its label with a pencil button ("Edit colleague") that opens the picker again.
 */
export function Chosen({
  what,
  onEdit,
  children,
}: {
  readonly what: keyof typeof LABELS;
  readonly onEdit: () => void;
  /** What is chosen: its text, and any badge beside it. */
  readonly children: ReactNode;
}) {
  const labelId = useId();
  return (
    <div className="chosen">
      <span className="field__label" id={labelId}>
        {LABELS[what]}
      </span>
      <div className="chosen__value" aria-labelledby={labelId} role="group">
        {children}
        <button type="button" className="icon-button" aria-label={`Edit ${what}`} title={`Change ${what}`} onClick={onEdit}>
          <PencilIcon />
        </button>
      </div>
    </div>
  );
}
