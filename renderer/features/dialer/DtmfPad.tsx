/** The keypad during a call: each key sends its DTMF tone at once. Typing digits works too. */
import { useState, type KeyboardEvent } from 'react';
import { useSend } from '../../app/commands.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
const LETTERS: Readonly<Record<string, string>> = {
  '2': 'ABC',
  '3': 'DEF',
  '4': 'GHI',
  '5': 'JKL',
  '6': 'MNO',
  '7': 'PQRS',
  '8': 'TUV',
  '9': 'WXYZ',
  '0': '+',
};

export function DtmfPad({ callId }: { readonly callId: string }) {
  const send = useSend();
  const [sent, setSent] = useState('');

  const press = (tone: string): void => {
    setSent((s) => (s + tone).slice(-24));
    void send('call.dtmf', { callId, tones: tone });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9*#]$/.test(event.key) && !(event.target instanceof HTMLButtonElement && event.key === ' ')) {
      event.preventDefault();
      press(event.key);
    }
  };

  return (
    <div className="keypad" role="group" aria-label="Keypad" onKeyDown={onKeyDown}>
      <output className="keypad__sent" aria-live="polite" aria-label="Tones sent">
        {sent || '\u00a0'}
      </output>
      <div className="keypad__grid">
        {KEYS.map((key) => (
          <button key={key} type="button" className="keypad__key" onClick={() => press(key)}>
            <span className="keypad__digit">{key}</span>
            <span className="keypad__letters" aria-hidden="true">
              {LETTERS[key] ?? '\u00a0'}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}
