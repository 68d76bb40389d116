/**
 * Channel serials: `<epoch>.<seq>` where the epoch names this incarnation of the channel and the
 * sequence is base-36, zero-padded so serials sort as text. Messages and presence events share one
 * sequence (RTL15b), so a client's last channelSerial locates it in the log.
 */
export interface ChannelPosition {
  epoch: string;
  seq: number;
}

/** Formats a channel serial. */
export function formatSerial(epoch: string, seq: number): string {
  return `${epoch}.${seq.toString(36).padStart(9, '0')}`;
}

/** Parses a channel serial; undefined when it is not one of ours. */
export function parseSerial(serial: string): ChannelPosition | undefined {
  const dot = serial.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const seq = parseInt(serial.slice(dot + 1), 36);
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { epoch: serial.slice(0, dot), seq };
}
