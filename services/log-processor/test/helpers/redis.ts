// kept for services/log-processor/bench, which imports it by this name
export { deleteRedisPrefix as deleteKeys } from '@llm-relay/testkit';
