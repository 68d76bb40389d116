import { createMemoryHub, createRealtimeClient, type MemoryProvider } from '@switchboard/kit';
import { runProviderSuite } from '@switchboard/testkit';

runProviderSuite('memory', async () => {
  const hub = createMemoryHub();
  return {
    createClient: async (clientId) =>
      createRealtimeClient('memory', { hub, ...(clientId ? { clientId } : {}) }),
    interrupt: (client) => (client as MemoryProvider).simulateDisconnect(),
    restore: (client) => void (client as MemoryProvider).simulateReconnect(),
  };
});
