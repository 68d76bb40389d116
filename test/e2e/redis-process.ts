// A redis-server of a test's own lives in the testkit, where the cluster chaos run uses it too.
export { startRedisProcess, type RedisProcess } from '@switchboard/testkit';
