import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { RelayError, SCORE_NAME_PATTERN, StatsAnswerSchema as StatsAnswer } from '@llm-relay/contracts';
import type { RollupDim, Store } from '@llm-relay/store';
import { BUCKET_MS, breakdown, bucketStart, series, withScores, type Bucket } from '../features/stats/aggregate.ts';
import { AUTH_ERRORS, errors } from '../schemas.ts';

const MAX_POINTS = 2000;
const MAX_COMPARED = 4;

const StatsQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  bucket: z.enum(['minute', 'hour', 'day']).optional(),
  dim: z
    .string()
    .regex(/^(model|key|project|provider|user|session|tag|prompt|promptVersion|property\.[a-z0-9_-]{1,64})$/, 'one of model, key, project, provider, user, session, tag, prompt, promptVersion, property.<name>')
    .default('model'),
  /** the score whose average and count every point and row carries */
  score: z.string().regex(SCORE_NAME_PATTERN, 'a score name is 1-64 of A-Z a-z 0-9 _ -').default('score'),
  /** up to four values of `dim` whose own series the answer adds (`seriesByValue`) */
  values: z
    .string()
    .max(1100)
    .transform((s) => [...new Set(s.split(',').map((v) => v.trim()).filter(Boolean))])
    .refine((v) => v.length <= MAX_COMPARED && v.every((x) => x.length <= 256), `at most ${MAX_COMPARED} values of at most 256 characters`)
    .optional(),
});

export async function statsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: z.infer<typeof StatsQuery> }>(
    '/admin/stats',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['stats'],
        description: 'Requests, errors, tokens, cost, latency percentiles (estimated from the roll-up histograms) and the average of a score (`score=`, default "score": scoreAvg over scoreCount scored logs) per time bucket, and totals per `dim` (with `values=a,b`, also each of those values over time in `seriesByValue`): model, key, project (the project of the call\'s key; only calls made with a key in a project), provider, user, session, tag, prompt (family id), promptVersion, property.<name>. Breakdown rows of key, project, prompt and promptVersion carry a readable `label` (key name and prefix, project name, family name, "family · v2"). Attribution dimensions count only the logs that carry them. Read from roll-ups only. Defaults: the last 24 h, hourly.',
        querystring: StatsQuery,
        response: { 200: StatsAnswer, ...errors(...AUTH_ERRORS) },
      },
    },
    async (req) => {
      const to = req.query.to ?? Date.now();
      const from = req.query.from ?? to - 24 * 3_600_000;
      if (from >= to) throw new RelayError('invalid_range', 'from must be before to', { param: 'from' });
      const span = to - from;
      const bucket: Bucket = req.query.bucket ?? (span <= 3 * 3_600_000 ? 'minute' : span <= 7 * 86_400_000 ? 'hour' : 'day');
      if (span / BUCKET_MS[bucket] > MAX_POINTS) throw new RelayError('too_many_points', `That range has more than ${MAX_POINTS} ${bucket} buckets; choose a larger bucket.`, { param: 'bucket' });
      const dim = req.query.dim as RollupDim;
      const name = req.query.score;
      const [all, byDim, scoresAll, scoresByDim] = await Promise.all([
        app.store.queryRollups({ from, to, dim: 'all' }),
        app.store.queryRollups({ from, to, dim }),
        app.store.queryScoreRollups({ from, to, dim: 'all', name }),
        app.store.queryScoreRollups({ from, to, dim, name }),
      ]);
      const rows = withScores(breakdown(byDim), (r) => r.value, scoresByDim, (s) => s.value);
      const labels = await labelsOf(app.store, req.query.dim);
      if (labels) {
        for (const r of rows) {
          const label = labels.get(r.value);
          if (label) Object.assign(r, { label });
        }
      }
      const seriesOf = (rollups: typeof all, scores: typeof scoresAll) => withScores(series(rollups, from, to, bucket), (p) => p.t, scores, (s) => bucketStart(s.minute, bucket));
      const answer: { series: ReturnType<typeof seriesOf>; breakdown: typeof rows; seriesByValue?: Record<string, ReturnType<typeof seriesOf>> } = { series: seriesOf(all, scoresAll), breakdown: rows };
      // the compared values' own series come from the roll-up rows already read for the breakdown
      if (req.query.values?.length) {
        answer.seriesByValue = Object.fromEntries(
          req.query.values.map((v) => [v, seriesOf(byDim.filter((r) => r.value === v), scoresByDim.filter((s) => s.value === v))]),
        );
      }
      return answer;
    },
  );
}

/** Readable names for the dimensions whose values are ids (a relay key, a project, a prompt family or version); null for the rest. */
async function labelsOf(store: Store, dim: string): Promise<Map<string, string> | null> {
  if (dim === 'key') return new Map((await store.listKeys()).map((k) => [k.id, `${k.name} (${k.prefix})`]));
  if (dim === 'project') return new Map((await store.listProjects()).map((p) => [p.id, p.name]));
  if (dim !== 'prompt' && dim !== 'promptVersion') return null;
  const { families, versions } = await store.listPromptIndex();
  const familyName = new Map(families.map((f) => [f.id, f.name]));
  if (dim === 'prompt') return familyName;
  return new Map(versions.map((v) => [v.id, `${familyName.get(v.familyId) ?? v.familyId} · ${v.label}`]));
}
