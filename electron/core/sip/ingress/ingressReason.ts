/** Why the ingress refused, dropped or shed a message: the keys of its counters and log lines. */
export type IngressReason =
  // the frame
  | 'invalid-utf8'
  | 'frame-too-large'
  // structure
  | 'bad-start-line'
  | 'no-header-end'
  | 'malformed-header-line'
  | 'too-many-headers'
  | 'bad-content-length'
  | 'body-shorter-than-content-length'
  | 'body-too-large'
  | 'message-too-large'
  | 'sip-version'
  // mandatory headers
  | 'missing-header'
  | 'repeated-header'
  | 'bad-via'
  | 'bad-cseq'
  | 'cseq-method-mismatch'
  | 'bad-from'
  | 'bad-to'
  | 'bad-call-id'
  | 'bad-max-forwards'
  | 'bad-contact'
  | 'bad-record-route'
  | 'bad-refer-to'
  | 'bad-challenge'
  | 'bad-content-type'
  // request semantics
  | 'request-uri-scheme'
  | 'bad-request-uri'
  | 'request-uri-headers'
  | 'method-not-allowed'
  | 'method-unknown'
  | 'prack-unmatched'
  | 'cancel-unmatched'
  | 'require-unsupported'
  | 'content-encoding'
  | 'not-sdp'
  | 'not-acceptable'
  // transfers and subscriptions
  | 'bad-replaces'
  | 'replaces-no-dialog'
  | 'refer-to-count'
  | 'refer-to-scheme'
  | 'refer-to-escape'
  | 'notify-no-event'
  | 'notify-no-subscription'
  // responses
  | 'bad-response'
  // flow control and isolation
  | 'shed'
  | 'sipjs-threw';

/** A refusal: answer with `status` when the request can be answered, otherwise drop. */
export interface Refusal {
  readonly reason: IngressReason;
  readonly status: number;
  /** Reason phrase, when more useful than the standard one. */
  readonly phrase?: string;
  readonly headers?: readonly string[];
}

export function refuse(reason: IngressReason, status: number, phrase?: string, headers?: readonly string[]): Refusal {
  return { reason, status, ...(phrase ? { phrase } : {}), ...(headers ? { headers } : {}) };
}
