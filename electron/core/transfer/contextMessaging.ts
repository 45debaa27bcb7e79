/**
 * What the two agents' desks say to each other beside the calls, by out-of-dialog MESSAGE: the
 * transfer context (cold: before the REFER; warm: it rides in the consult INVITE instead) and the
 * status words of transferStatus.ts. Sending, retrying while the other desk reconnects, and routing
 * what arrives to the role that handles it.
 */
import { TRANSFER_CONTEXT_CONTENT_TYPE, type TransferContext } from '../../../shared/transfer/context.js';
import type { HistoryActor } from '../../../shared/history.js';
import type { TransferMethod } from '../../../shared/transfer/index.js';
import type { Log } from '../log/log.js';
import type { IncomingMessage, Phone } from '../sip/phone.js';
import type { Transfer } from './transferRecord.js';
import {
  TRANSFER_STATUS_CONTENT_TYPE,
  decodeTransferStatus,
  encodeTransferStatus,
  type TransferStatus,
  type TransferStatusWord,
} from './transferStatus.js';

/** First retry of a status MESSAGE, and the longest gap between retries. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_GAP_MS = 5000;

export class TransferMessaging {
  constructor(
    private readonly phone: Phone,
    private readonly statusRetryMs: number,
    private readonly stopped: () => boolean,
  ) {}

  /** An out-of-dialog MESSAGE's final status; 503 when it could not be sent at all (signed out). */
  async message(uri: string, contentType: string, body: string, timeoutMs?: number): Promise<number> {
    try {
      return await this.phone.sendMessage(uri, contentType, body, timeoutMs);
    } catch {
      // Not sent at all (signed out, no transport): 503 is how every caller hears it, and each one
      // retries, falls back or reports it.
      return 503;
    }
  }

  /** Cold: the context goes to the recipient before the contact's phone is told anything. */
  sendContext(t: Transfer, json: string): Promise<number> {
    return this.message(t.counterpart.uri, TRANSFER_CONTEXT_CONTENT_TYPE, json);
  }

  statusBody(t: Transfer, word: TransferStatusWord): string {
    return encodeTransferStatus({ transferId: t.id, status: word, token: t.token });
  }

  /** Sends a status to the other agent, retried while it may be reconnecting; resolves with the last status. */
  async sendStatus(t: Transfer, word: TransferStatusWord): Promise<number> {
    if (t.token === '' || t.counterpart.uri === '') return 0;
    const body = this.statusBody(t, word);
    const deadline = Date.now() + this.statusRetryMs;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_GAP_MS)) {
      const status = await this.message(t.counterpart.uri, TRANSFER_STATUS_CONTENT_TYPE, body);
      // Final answers: delivered, or refused for a reason a retry cannot change.
      if (status < 300 || status === 400 || status === 403 || status === 481 || status === 415) return status;
      if (this.stopped() || Date.now() + delay > deadline) return status;
      if (this.phone.registration !== 'registered' && this.phone.registration !== 'reconnecting') return status;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  /** One attempt, bounded: used while the phone stops, when there is no time to retry. */
  sendStatusOnce(t: Transfer, word: TransferStatusWord, timeoutMs: number): Promise<number> {
    return this.message(t.counterpart.uri, TRANSFER_STATUS_CONTENT_TYPE, this.statusBody(t, word), timeoutMs);
  }

  /** The document a colleague receives: who the contact is, the outcome, the note, the History. */
  contextFor(t: Transfer, method: TransferMethod, agent: HistoryActor): TransferContext {
    return {
      v: 1,
      transferId: t.id,
      token: t.token,
      method,
      contact: t.contact ?? { id: '', name: '', number: '' },
      outcome: t.outcome ?? { id: '', label: '' },
      note: t.note,
      initiator: { id: agent.id, name: agent.name, uri: this.phone.aor },
      sentAt: new Date().toISOString(),
      history: t.history,
    };
  }
}

export interface MessageHandlers {
  /** A colleague's cold context; returns the status to answer with. */
  readonly context: (body: string, from: string) => number;
  /** The other agent's status word; returns the status to answer with. */
  readonly status: (status: TransferStatus, from: string) => number;
  /** Where an answer that could not be sent is noted. */
  readonly log?: Pick<Log, 'info'>;
}

/** Answers every MESSAGE: a context or a status word by its handler's verdict, anything else 415. */
export function routeMessage(message: IncomingMessage, handlers: MessageHandlers): void {
  let verdict = 415;
  if (message.contentType === TRANSFER_CONTEXT_CONTENT_TYPE) verdict = handlers.context(message.body, message.from);
  else if (message.contentType === TRANSFER_STATUS_CONTENT_TYPE) {
    const status = decodeTransferStatus(message.body);
    verdict = status ? handlers.status(status, message.from) : 400;
  }
  // The sender learns nothing more from a failed answer than from none: it retries or times out.
  void (verdict === 200 ? message.accept() : message.reject(verdict)).catch((error: unknown) =>
    handlers.log?.info('transfer: a MESSAGE could not be answered; its sender retries or times out', { verdict, error }),
  );
}
