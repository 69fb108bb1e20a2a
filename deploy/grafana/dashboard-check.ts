/**
 * Structural checks of the Grafana dashboard (deploy/grafana/llm-relay.json) and the metric names its
 * PromQL queries read. Shared by deploy/validate.sh (no Grafana or Prometheus here) and the test that
 * compares the names with what a running gateway, processor and admin export on /metrics.
 */
export interface DashboardCheck {
  errors: string[];
  /** every metric name the queries read (histograms by their `_bucket`/`_sum`/`_count` series) */
  metrics: Set<string>;
}

interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan']);
const CLAUSE = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g;

/** The metric names a PromQL expression selects; throws when its brackets do not balance. */
export function metricNames(expr: string): string[] {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  // strings first: a label value may hold any bracket
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const c of noStrings) {
    if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) throw new Error(`unbalanced "${c}" in: ${expr}`);
  }
  if (stack.length > 0) throw new Error(`unclosed "${stack.at(-1)}" in: ${expr}`);
  const bare = noStrings
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^[\]]*\]/g, ' ')
    .replace(CLAUSE, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w:.$])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1]!;
    if (!KEYWORDS.has(name.toLowerCase())) names.push(name);
  }
  return names;
}

export function checkDashboard(text: string): DashboardCheck {
  const errors: string[] = [];
  const metrics = new Set<string>();
  let doc: { title?: unknown; uid?: unknown; panels?: Panel[]; templating?: { list?: { name?: string; type?: string; query?: string }[] } };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    return { errors: [`not valid JSON: ${(err as Error).message}`], metrics };
  }
  if (typeof doc.title !== 'string' || typeof doc.uid !== 'string') errors.push('the dashboard needs a title and a uid');
  const dsVar = doc.templating?.list?.find((v) => v.type === 'datasource');
  if (!dsVar || dsVar.query !== 'prometheus') errors.push('no Prometheus datasource template variable');
  const panels = (doc.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  const ids = new Set<number>();
  for (const p of panels) {
    const where = `panel ${p.id ?? '?'} "${p.title ?? ''}"`;
    if (typeof p.id !== 'number' || ids.has(p.id)) errors.push(`${where}: missing or duplicate id`);
    else ids.add(p.id);
    if (p.type === 'row') continue;
    if (dsVar && p.datasource?.uid !== `\${${dsVar.name}}`) errors.push(`${where}: datasource is not the \${${dsVar.name}} variable`);
    if (!p.targets?.length) errors.push(`${where}: no targets`);
    for (const t of p.targets ?? []) {
      if (!t.expr?.trim()) {
        errors.push(`${where}: target ${t.refId ?? '?'} has no expr`);
        continue;
      }
      try {
        const names = metricNames(t.expr);
        if (names.length === 0) errors.push(`${where}: "${t.expr}" reads no metric`);
        for (const n of names) metrics.add(n);
      } catch (err) {
        errors.push(`${where}: ${(err as Error).message}`);
      }
    }
  }
  if (panels.filter((p) => p.type !== 'row').length === 0) errors.push('no panels');
  return { errors, metrics };
}

/** Sample names a Prometheus text exposition declares (`# TYPE`), histograms and summaries with their series. */
export function exportedNames(exposition: string): Set<string> {
  const out = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}
