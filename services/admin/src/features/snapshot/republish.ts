import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * After a config change: publish the new snapshot. The change is already in the store (the source of truth),
 * so a Redis failure here is logged, not reported as a failed change: the reconcile loop publishes it later.
 */
export async function republish(app: FastifyInstance, req: FastifyRequest): Promise<number | null> {
  try {
    return await app.snapshots.publish();
  } catch (err) {
    req.log.warn({ err: (err as Error).message }, 'snapshot publish failed; the reconcile loop will retry');
    return null;
  }
}
