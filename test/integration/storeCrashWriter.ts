/**
 * Child process for storeCrash.test.ts: writes history batches (10 entries per transaction) and a
 * disposition per batch as fast as it can, printing "committed N" after each commit returns. The
 * parent SIGKILLs it mid-stream. Usage: node --import tsx storeCrashWriter.ts DB_PATH
 */
import { openStore } from '../../electron/core/store/index.js';

const path = process.argv[2];
if (!path) throw new Error('usage: storeCrashWriter.ts DB_PATH');
const { store } = openStore(path);
let batch = 0;
function writeSome(): void {
  for (let i = 0; i < 20; i++) {
    const entries = Array.from({ length: 10 }, (_, k) => ({
      id: `b${batch}-e${k}`,
      contactId: `c-${batch % 7}`,
      at: batch * 10 + k,
      kind: 'note',
      actor: 'alice',
      note: `batch ${batch} entry ${k} `.repeat(8),
      origin: 'local' as const,
    }));
    store.history.append(entries);
    store.dispositions.file({ callId: `call-${batch}`, agent: 'alice', code: 'resolved', note: '', at: batch });
    process.stdout.write(`committed ${batch}\n`);
    batch++;
  }
  setImmediate(writeSome);
}
writeSome();
