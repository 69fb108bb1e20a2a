import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { RelayError, StatsAnswerSchema as StatsAnswer } from '@llm-relay/contracts';
import { BUCKET_MS, breakdown, series, type Bucket } from '../features/stats/aggregate.ts';
import { AUTH_ERRORS, errors } from '../schemas.ts';

const StatsQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  bucket: z.enum(['minute', 'hour', 'day']).optional(),
  dim: z.enum(['model', 'key', 'provider']).default('model'),
});
const MAX_POINTS = 2000;

export async function statsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: z.infer<typeof StatsQuery> }>(
    '/admin/stats',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['stats'],
        description: 'Requests, errors, tokens, cost and latency percentiles (estimated from the roll-up histograms) per time bucket, and totals per model, key or provider. Defaults: the last 24 h, hourly.',
        querystring: StatsQuery,
        response: { 200: StatsAnswer, ...errors(...AUTH_ERRORS) },
      },
    },
    async (req) => {
      const to = req.query.to ?? Date.now();
      const from = req.query.from ?? to - 24 * 3_600_000;
      if (from >= to) throw new RelayError(400, 'invalid_range', 'from must be before to', { param: 'from' });
      const span = to - from;
      const bucket: Bucket = req.query.bucket ?? (span <= 3 * 3_600_000 ? 'minute' : span <= 7 * 86_400_000 ? 'hour' : 'day');
      if (span / BUCKET_MS[bucket] > MAX_POINTS) throw new RelayError(400, 'too_many_points', `That range has more than ${MAX_POINTS} ${bucket} buckets; choose a larger bucket.`, { param: 'bucket' });
      const [all, byDim] = await Promise.all([
        app.store.queryRollups({ from, to, dim: 'all' }),
        app.store.queryRollups({ from, to, dim: req.query.dim }),
      ]);
      const rows = breakdown(byDim);
      if (req.query.dim === 'key') {
        const names = new Map((await app.store.listKeys()).map((k) => [k.id, `${k.name} (${k.prefix})`]));
        for (const r of rows) {
          const label = names.get(r.value);
          if (label) Object.assign(r, { label });
        }
      }
      return { series: series(all, from, to, bucket), breakdown: rows };
    },
  );
}
