/**
 * The recipient's word to the initiator that the contact arrived — a small MESSAGE we send beside
 * the NOTIFY sipfrag, because the NOTIFY travels through the contact's phone and is lost when the
 * initiator's connection drops at that moment (or when a contact's stack never sends it).
 */
export const TRANSFER_STATUS_CONTENT_TYPE = 'application/vnd.baton.transfer-status+json';

export interface TransferStatus {
  readonly transferId: string;
  readonly status: 'connected';
}

export function encodeTransferStatus(status: TransferStatus): string {
  return JSON.stringify(status);
}

export function decodeTransferStatus(body: string): TransferStatus | null {
  if (body.length > 512) return null;
  try {
    const raw: unknown = JSON.parse(body);
    if (typeof raw !== 'object' || raw === null) return null;
    const { transferId, status } = raw as Record<string, unknown>;
    if (typeof transferId !== 'string' || transferId.length > 64 || status !== 'connected') return null;
    return { transferId, status };
  } catch {
    return null;
  }
}
