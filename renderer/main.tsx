import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

/** Placeholder view until the UI issue lands: the renderer is a view plus the media engine. */
function App(): React.JSX.Element {
  return (
    <main>
      <h1>Baton</h1>
      <p>The agent softphone.</p>
    </main>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
