/**
 * Media prepared for a warm consult while the agent is still choosing in the transfer panel (ICE
 * gathered), so Confirm reaches the recipient without waiting for it. One per contact call, until
 * a consult takes it, the contact's call ends, it grows old or its media engine goes away.
 */
import type { PreparedMedia } from '../sip/bridgedSdh.js';
import type { Phone } from '../sip/phone.js';

/** Host candidates stay valid, but an offer days old is not worth keeping. */
const PREPARED_MEDIA_TTL_MS = 120_000;

interface Prepared {
  readonly media: PreparedMedia;
  readonly expiry: NodeJS.Timeout;
  readonly onEnded: { dispose(): void };
}

export class PreparedConsultMedia {
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly phone: Phone) {}

  /** Idempotent; does nothing unless the contact's call is connected. */
  prepare(contactCallId: string): void {
    if (this.prepared.has(contactCallId)) return;
    const contactCall = this.phone.calls().find((c) => c.id === contactCallId);
    if (!contactCall || contactCall.state !== 'established') return;
    const media = this.phone.prepareMedia();
    const release = (): void => {
      if (this.prepared.get(contactCallId)?.media !== media) return;
      const taken = this.take(contactCallId);
      if (taken) this.phone.releaseMedia(taken);
    };
    const expiry = setTimeout(release, PREPARED_MEDIA_TTL_MS);
    expiry.unref();
    this.prepared.set(contactCallId, { media, expiry, onEnded: contactCall.events.on('ended', release) });
  }

  /** The media prepared for a contact's call, now the caller's to use or release; nothing here keeps it. */
  take(contactCallId: string): PreparedMedia | undefined {
    const entry = this.prepared.get(contactCallId);
    if (!entry) return undefined;
    this.prepared.delete(contactCallId);
    clearTimeout(entry.expiry);
    entry.onEnded.dispose();
    return entry.media;
  }

  /** Media prepared in an engine that is gone (the window reloaded) is useless: drop it. */
  dropAll(): void {
    for (const callId of [...this.prepared.keys()]) {
      const media = this.take(callId);
      if (media) this.phone.releaseMedia(media);
    }
  }
}
