import type { FastifyInstance, FastifyRequest } from 'fastify';
import { uuidv7 } from '@llm-relay/contracts';

/**
 * Record who did what; an audit failure is logged but does not undo the change it describes. `actor` is for
 * public routes, where no session names the user yet (a login).
 */
export async function audit(
  app: FastifyInstance,
  req: FastifyRequest,
  action: string,
  target: string | null,
  details?: Record<string, unknown>,
  actor: string = req.user?.username ?? 'anonymous',
): Promise<void> {
  try {
    await app.store.addAudit({ id: uuidv7(), at: Date.now(), actor, action, target, ...(details ? { details } : {}) });
  } catch (err) {
    req.log.error({ err, action, target }, 'audit write failed');
  }
}

