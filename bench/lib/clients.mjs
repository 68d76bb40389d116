// Load-side connections: the raw protocol client (default) and the official clients.
//
// Every payload the load tool publishes is a string `~bm~<publish time in µs>~xxxx…`. A subscriber
// counts deliveries by finding that marker in each received frame, whatever the server's framing
// (Ably JSON, Ably msgpack, socket.io text), and reads the timestamp after it for latency. Frames
// without the marker are protocol control frames and are decoded normally.
import { performance } from 'node:perf_hooks';
import { createHmac } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';
import { RawWs } from './raw-ws.mjs';

export const MARK = Buffer.from('~bm~');
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/**
 * Wall-clock time in whole microseconds (performance.timeOrigin + now: monotonic in a process,
 * and on one machine comparable across the load tool's worker processes to well under 1 ms).
 */
export const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** Builds payload strings of `size` characters carrying the publish time. */
export function payloadMaker(size) {
  const pad = 'x'.repeat(Math.max(0, size));
  return () => {
    const head = `~bm~${nowMicros()}~`;
    return head + pad.slice(0, Math.max(0, size - head.length));
  };
}

/** What the subscribers of one run add up: deliveries, frames and sampled latencies. */
export class Meter {
  constructor(capacity = 2_000_000) {
    this.delivered = 0;
    this.frames = 0;
    this.measuring = false;
    this.samples = new Float64Array(capacity);
    this.sampleCount = 0;
    this.errors = 0;
    this.lastError = '';
  }

  /** Records one publish→deliver latency in µs (only inside the measured window). */
  record(micros) {
    if (this.measuring && this.sampleCount < this.samples.length)
      this.samples[this.sampleCount++] = micros;
  }

  error(message) {
    this.errors += 1;
    this.lastError = message;
  }
}

/** Counts markers in buf[start, end) and samples their latency; returns how many were found. */
function countDeliveries(buf, start, end, first, meter, sample, dataSize) {
  const now = sample && meter.measuring ? nowMicros() : 0;
  let n = 0;
  let i = first;
  while (i >= 0 && i < end) {
    n += 1;
    if (now !== 0) {
      let ts = 0;
      for (let j = i + 4; j < end; j++) {
        const c = buf[j];
        if (c < 48 || c > 57) break;
        ts = ts * 10 + (c - 48);
      }
      meter.record(now - ts);
    }
    // The next marker, if this frame bundles several messages, is at least one payload further.
    i += dataSize;
    if (i >= end) break;
    i = buf.indexOf(MARK, i);
  }
  meter.delivered += n;
  meter.frames += 1;
  return n;
}

/** Parses the timestamp out of a payload string received by an official client. */
function countString(data, meter, sample) {
  if (typeof data !== 'string' || !data.startsWith('~bm~')) return;
  meter.delivered += 1;
  meter.frames += 1;
  if (sample && meter.measuring)
    meter.record(nowMicros() - Number(data.slice(4, data.indexOf('~', 4))));
}

/**
 * A raw protocol connection. `protocol` is 'ably' (Switchboard and the ws baselines, which speak
 * the same JSON subset), 'sio' (socket.io's engine.io v4 framing over a WebSocket) or 'pusher'
 * (Pusher protocol 7, for Soketi: channels are private ones, `private-<name>`, subscribed with
 * an auth signature the client computes itself from the app secret, and a publish is a
 * `client-m` event, which needs the publisher subscribed to the channel too).
 */
export class RawConn {
  /**
   * @param {{ protocol: 'ably' | 'sio', format: 'json' | 'msgpack', port: number, key?: string,
   *   clientId?: string, meter: Meter, sample: boolean, dataSize: number,
   *   onAck?: (conn: RawConn, serial: number, count: number, ok: boolean) => void,
   *   onProgress?: () => void }} options
   */
  constructor(options) {
    this.o = options;
    this.msgSerial = 0;
    this.connected = false;
    /** @type {Map<string, () => void>} */
    this.attaching = new Map();
    this.onConnected = undefined;
    this.onFailed = undefined;
    const params = new URLSearchParams({ format: options.format, heartbeats: 'false', v: '6' });
    if (options.key) params.set('key', options.key);
    if (options.clientId) params.set('clientId', options.clientId);
    const path =
      options.protocol === 'sio'
        ? '/socket.io/?EIO=4&transport=websocket'
        : options.protocol === 'pusher'
          ? `/app/${options.key?.split(':')[0]}?protocol=7&client=js&version=8.4.0&flash=false`
          : `/?${params}`;
    /** Pusher: the socket id from pusher:connection_established, which auth signatures name. */
    this.socketId = '';
    this.ws = new RawWs(options.port, path, {
      onMessage: (_ws, buf, start, end, binary) => this.message(buf, start, end, binary),
      onClose: (_ws, err) => {
        if (!this.connected) this.onFailed?.(err ?? new Error('closed before connecting'));
        else if (!this.closing)
          options.meter.error(`connection closed${err ? `: ${err.message}` : ''}`);
        this.connected = false;
      },
    });
  }

  /** Resolves once the server has accepted the connection (CONNECTED / socket.io connect). */
  ready(timeoutMs) {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out connecting')), timeoutMs);
      this.onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.onFailed = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
  }

  /** Attaches (joins) a channel; resolves on ATTACHED / `joined`. */
  attach(channel, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out attaching ${channel}`)),
        timeoutMs,
      );
      this.attaching.set(channel, () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.o.protocol === 'sio') this.ws.send(`42${JSON.stringify(['join', channel])}`);
      else if (this.o.protocol === 'pusher') this.pusherSubscribe(channel);
      else this.sendPm({ action: 10, channel });
    });
  }

  pusherSubscribe(channel) {
    const [key, secret] = (this.o.key ?? '').split(':');
    const name = `private-${channel}`;
    const signature = createHmac('sha256', secret ?? '')
      .update(`${this.socketId}:${name}`)
      .digest('hex');
    this.ws.send(
      JSON.stringify({
        event: 'pusher:subscribe',
        data: { channel: name, auth: `${key}:${signature}` },
      }),
    );
  }

  publish(channel, data) {
    if (this.o.protocol === 'sio')
      this.ws.send(`42${JSON.stringify(['pub', channel, { name: 'm', data }])}`);
    else if (this.o.protocol === 'pusher')
      this.ws.send(JSON.stringify({ event: 'client-m', channel: `private-${channel}`, data }));
    else
      this.sendPm({
        action: 15,
        channel,
        msgSerial: this.msgSerial++,
        messages: [{ name: 'm', data }],
      });
  }

  /** Presence enter (2) or leave (3) for this connection's clientId. */
  presence(channel, action, data) {
    this.sendPm({
      action: 14,
      channel,
      msgSerial: this.msgSerial++,
      presence: [{ action, clientId: this.o.clientId, data }],
    });
  }

  sendPm(pm) {
    if (this.o.format === 'msgpack') this.ws.send(packr.pack(pm));
    else this.ws.send(JSON.stringify(pm));
  }

  cork() {
    this.ws.cork();
  }

  uncork() {
    this.ws.uncork();
  }

  close() {
    this.closing = true;
    this.ws.destroy();
  }

  message(buf, start, end, binary) {
    const first = buf.indexOf(MARK, start);
    if (first >= 0 && first < end) {
      countDeliveries(buf, start, end, first, this.o.meter, this.o.sample, this.o.dataSize);
      this.o.onProgress?.();
      return;
    }
    if (this.o.protocol === 'sio') this.sioControl(buf.toString('utf8', start, end));
    else if (this.o.protocol === 'pusher') this.pusherControl(buf.toString('utf8', start, end));
    else {
      let pm;
      try {
        pm = binary
          ? unpackr.unpack(buf.subarray(start, end))
          : JSON.parse(buf.toString('utf8', start, end));
      } catch {
        this.o.meter.error('undecodable frame');
        return;
      }
      this.ablyControl(pm);
    }
  }

  ablyControl(pm) {
    switch (pm.action) {
      case 4:
        this.connected = true;
        this.onConnected?.();
        break;
      case 11:
        this.attaching.get(pm.channel)?.();
        this.attaching.delete(pm.channel);
        break;
      case 1:
        this.o.onAck?.(this, pm.msgSerial, pm.count ?? 1, true);
        break;
      case 2:
        this.o.meter.error(`NACK: ${pm.error?.message ?? 'no reason'}`);
        this.o.onAck?.(this, pm.msgSerial, pm.count ?? 1, false);
        break;
      case 6:
      case 9:
      case 13:
      case 17:
        this.o.meter.error(
          `${pm.action === 9 ? 'ERROR' : `action ${pm.action}`}: ${pm.error?.message ?? ''}`,
        );
        break;
      default:
        break;
    }
  }

  pusherControl(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.o.meter.error('undecodable frame');
      return;
    }
    switch (msg.event) {
      case 'pusher:connection_established':
        this.socketId = JSON.parse(msg.data).socket_id;
        this.connected = true;
        this.onConnected?.();
        break;
      case 'pusher_internal:subscription_succeeded': {
        const channel = String(msg.channel).replace(/^private-/, '');
        this.attaching.get(channel)?.();
        this.attaching.delete(channel);
        break;
      }
      case 'pusher:ping':
        this.ws.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
        break;
      case 'pusher:error':
      case 'pusher:subscription_error':
        this.o.meter.error(`${msg.event}: ${JSON.stringify(msg.data)}`);
        break;
      default:
        break;
    }
  }

  sioControl(text) {
    if (text === '2') this.ws.send('3');
    else if (text.startsWith('0')) this.ws.send('40');
    else if (text.startsWith('40')) {
      this.connected = true;
      this.onConnected?.();
    } else if (text.startsWith('42')) {
      const [event, arg] = JSON.parse(text.slice(2));
      if (event === 'joined') {
        this.attaching.get(arg)?.();
        this.attaching.delete(arg);
      }
    } else if (text.startsWith('41') || text.startsWith('44'))
      this.o.meter.error(`socket.io: ${text}`);
  }
}

/**
 * A subscriber through the official client library: ably-js for Switchboard, socket.io-client for
 * socket.io. Same surface as RawConn's subscriber side (ready, attach, close); presence through
 * ably-js too.
 */
export class OfficialConn {
  static async create(options) {
    const conn = new OfficialConn(options);
    if (options.protocol === 'sio') {
      const { io } = await import('socket.io-client');
      conn.socket = io(`http://127.0.0.1:${options.port}`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      conn.socket.on('m', (msg) => {
        countString(msg?.data, options.meter, options.sample);
        options.onProgress?.();
      });
    } else {
      const Ably = await import('ably');
      conn.client = new Ably.Realtime({
        key: options.key,
        ...(options.clientId ? { clientId: options.clientId } : {}),
        endpoint: '127.0.0.1',
        port: options.port,
        tls: false,
        useBinaryProtocol: options.format === 'msgpack',
        disableConnectivityCheck: true,
        transports: ['web_socket'],
        logLevel: 0,
      });
    }
    return conn;
  }

  constructor(options) {
    this.o = options;
  }

  ready(timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out connecting')), timeoutMs);
      const done = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      if (this.socket) {
        this.socket.once('connect', () => done());
        this.socket.once('connect_error', (err) => done(err));
      } else {
        this.client.connection.once('connected', () => done());
        this.client.connection.once('failed', (change) =>
          done(new Error(change.reason?.message ?? 'failed')),
        );
      }
    });
  }

  async attach(channel, timeoutMs) {
    const timeout = new Promise((_, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out attaching ${channel}`)), timeoutMs);
      t.unref();
    });
    if (this.socket) {
      const joined = new Promise((resolve) => this.socket.once('joined', resolve));
      this.socket.emit('join', channel);
      await Promise.race([joined, timeout]);
      return;
    }
    const { meter, sample, onProgress } = this.o;
    const ch = this.client.channels.get(channel);
    const onData = (msg) => {
      countString(msg.data, meter, sample);
      onProgress?.();
    };
    await Promise.race([ch.subscribe(onData), timeout]);
    await Promise.race([ch.presence.subscribe(onData), timeout]);
  }

  /** Presence enter (2) or leave (3); calls onAck when the server acknowledges it. */
  presence(channel, action, data) {
    const ch = this.client.channels.get(channel);
    const op = action === 2 ? ch.presence.enter(data) : ch.presence.leave(data);
    op.then(
      () => this.o.onAck?.(this, 0, 1, true),
      (err) => {
        this.o.meter.error(`presence: ${err.message}`);
        this.o.onAck?.(this, 0, 1, false);
      },
    );
  }

  close() {
    if (this.socket) this.socket.disconnect();
    else this.client.close();
  }
}
