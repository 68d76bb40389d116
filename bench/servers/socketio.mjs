// Baseline (c): socket.io 4 with rooms, what users pick instead. WebSocket transport only, no
// compression. Clients emit `join` (answered with `joined`) and `pub`; a publish goes to the room
// with io.to(channel).emit, which socket.io encodes once per broadcast.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serve } from './harness.mjs';

await serve('socket.io', async () => {
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
  });
  io.on('connection', (socket) => {
    socket.on('join', (channel) => {
      if (typeof channel !== 'string') return;
      socket.join(channel);
      socket.emit('joined', channel);
    });
    socket.on('pub', (channel, message) => {
      if (typeof channel === 'string') io.to(channel).emit('m', message);
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: http.address().port,
    close: () =>
      new Promise((resolve) => {
        io.disconnectSockets(true);
        io.close(() => resolve());
      }),
  };
});
