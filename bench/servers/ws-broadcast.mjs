// Baselines (a) and (b): the least a Node WebSocket broadcast server can do. It speaks the JSON
// subset of the Ably protocol the load tool uses (CONNECTED, ATTACH/ATTACHED, MESSAGE) and sends
// one frame, built once per publish, to every socket attached to the channel.
//   node ws-broadcast.mjs          (a) naive: socket.send per subscriber, one write each
//   node ws-broadcast.mjs --cork   (b) each socket corked on its first send in an event-loop turn
//                                  and uncorked in setImmediate, so a turn's frames leave in one write
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serve } from './harness.mjs';

const cork = process.argv.includes('--cork');
const CONNECTED = JSON.stringify({ action: 4, connectionId: 'x', connectionDetails: {} });

/** @type {Map<string, Set<import('ws').WebSocket>>} */
const channels = new Map();
/** @type {import('ws').WebSocket[]} */
const corked = [];
let flushScheduled = false;

function flush() {
  flushScheduled = false;
  for (let i = 0; i < corked.length; i++) {
    const ws = corked[i];
    ws.benchCorked = false;
    ws._socket.uncork();
  }
  corked.length = 0;
}

function send(ws, frame) {
  if (cork && !ws.benchCorked) {
    ws.benchCorked = true;
    ws._socket.cork();
    corked.push(ws);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  ws.send(frame);
}

function onMessage(ws, data) {
  let pm;
  try {
    pm = JSON.parse(data.toString());
  } catch {
    return;
  }
  if (pm.action === 10 && typeof pm.channel === 'string') {
    let subs = channels.get(pm.channel);
    if (!subs) channels.set(pm.channel, (subs = new Set()));
    subs.add(ws);
    ws.benchChannels.push(pm.channel);
    send(ws, JSON.stringify({ action: 11, channel: pm.channel }));
  } else if (pm.action === 15 && typeof pm.channel === 'string') {
    const subs = channels.get(pm.channel);
    if (!subs) return;
    const frame = Buffer.from(
      JSON.stringify({ action: 15, channel: pm.channel, messages: pm.messages }),
    );
    for (const sub of subs) send(sub, frame);
  }
}

await serve(cork ? 'ws-cork' : 'ws', async () => {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.benchCorked = false;
    ws.benchChannels = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) onMessage(ws, data);
    });
    ws.on('close', () => {
      for (const ch of ws.benchChannels) channels.get(ch)?.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    send(ws, CONNECTED);
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: http.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
});
