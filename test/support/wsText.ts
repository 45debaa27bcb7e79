import type { RawData } from 'ws';

/** A WebSocket message as text: ws hands a frame over as one Buffer, a fragmented one as a list, or an ArrayBuffer when asked to. */
export function wsText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
