import { z } from 'zod';
import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  // liveness only: admin keeps answering (and serving the UI) while Redis or the store recover
  app.get('/healthz', { schema: { tags: ['health'], security: [], response: { 200: z.object({ status: z.literal('ok'), service: z.literal('admin') }) } } }, async () => ({
    status: 'ok' as const,
    service: 'admin' as const,
  }));
}
