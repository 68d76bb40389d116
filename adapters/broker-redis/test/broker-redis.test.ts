import { createRedisBroker } from '@switchboard/broker-redis';
import { redisTestPrefix, runBrokerSuite } from '@switchboard/testkit';
import { afterAll, describe } from 'vitest';

// One key prefix for this file; each case's cluster gets a fresh prefix under it.
const redis = await redisTestPrefix('broker-redis conformance');
afterAll(() => redis?.drop());

const title = redis ? 'Redis broker' : 'Redis broker (skipped: Redis unreachable)';

describe.skipIf(!redis)(title, () => {
  runBrokerSuite('Redis', {
    cluster: async (settings) => {
      const prefix = redis!.child();
      return {
        connect: (nodeId) => createRedisBroker({ ...settings, url: redis!.url, prefix, nodeId }),
        close: async () => {},
      };
    },
  });
});
