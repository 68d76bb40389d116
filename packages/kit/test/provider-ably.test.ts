import { createRealtimeClient, type RealtimeProvider } from '@switchboard/kit';
import {
  runProviderSuite,
  startTcpProxy,
  startTestServer,
  type TcpProxy,
} from '@switchboard/testkit';

// Each client reaches the server through its own TCP proxy, so the suite can cut one client's network.
runProviderSuite('ably (official client against Switchboard)', async () => {
  const server = await startTestServer({ persistAllChannels: true });
  const proxies = new Map<RealtimeProvider, TcpProxy>();
  return {
    async createClient(clientId) {
      const proxy = await startTcpProxy(server.port);
      const client = createRealtimeClient('ably', {
        ...server.clientOptions('json'),
        port: proxy.port,
        key: server.key,
        ...(clientId ? { clientId } : {}),
        disconnectedRetryTimeout: 200,
        logLevel: 0,
      });
      proxies.set(client, proxy);
      return client;
    },
    interrupt(client) {
      const proxy = proxies.get(client)!;
      proxy.refuse(true);
      proxy.dropAll();
    },
    restore(client) {
      proxies.get(client)!.refuse(false);
    },
    async close() {
      await Promise.all([...proxies.values()].map((p) => p.close()));
      await server.close();
    },
  };
});
