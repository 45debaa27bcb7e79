/**
 * The UI's entry: a view of main's desk state. Builds the store, mirrors the desk through
 * window.baton, and renders the screen. The calls' media is not here: it lives in the media host
 * (renderer/mediaHost), so this page may reload or crash without touching a call's audio.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App.js';
import { NoDesk } from './app/NoDesk.js';
import { findBaton } from './app/baton.js';
import { BatonProvider } from './app/commands.js';
import { connectDesk } from './app/deskSync.js';
import { createAppStore } from './app/store.js';
import { selectRingingTransfers } from './features/desk/selectors.js';
import { focusCall } from './features/desk/workspaceSlice.js';
import { migrateLegacyDeviceChoice } from './features/settings/deviceSync.js';

const root = document.getElementById('root');
const baton = findBaton();

if (root && !baton) {
  createRoot(root).render(<NoDesk />);
} else if (root && baton) {
  const store = createAppStore();
  // The devices are main's (the agent's choice or IT's policy); the media host applies them. This
  // moves a choice an older Baton kept in this profile to main.
  migrateLegacyDeviceChoice(store, baton);
  // A snapshot also answers a click on an OS notification: bring an offered transfer forward.
  connectDesk(baton, store, () => {
    const ringing = selectRingingTransfers(store.getState())[0];
    const callId = ringing?.consultCallId ?? ringing?.contactCallId;
    if (callId) store.dispatch(focusCall(callId));
  });
  createRoot(root).render(
    <StrictMode>
      <Provider store={store}>
        <BatonProvider baton={baton}>
          <App />
        </BatonProvider>
      </Provider>
    </StrictMode>,
  );
}
