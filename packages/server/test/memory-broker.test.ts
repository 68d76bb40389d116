import { createMemoryBrokerBackend } from '@switchboard/server';
import { runBrokerSuite } from '@switchboard/testkit';

runBrokerSuite('in-memory', {
  cluster: async (settings) => {
    const backend = createMemoryBrokerBackend(settings);
    return { connect: async (nodeId) => backend.connect(nodeId), close: async () => {} };
  },
});
