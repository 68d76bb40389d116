import { createMemoryStore } from '@switchboard/server';
import { runStoreSuite } from '@switchboard/testkit';

runStoreSuite('in-memory', { open: () => createMemoryStore() });
