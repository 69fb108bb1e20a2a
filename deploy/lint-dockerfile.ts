/**
 * Lints deploy/Dockerfile without a Docker engine: the Dockerfile language service's validator (syntax,
 * instruction arguments, flags), then this project's rules for the three service targets.
 *   node deploy/lint-dockerfile.ts [path]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate, ValidationSeverity } from 'dockerfile-utils';

const TARGETS = ['gateway', 'processor', 'admin'] as const;

export interface Stage {
  name: string;
  from: string;
  body: string;
}

/** Split a Dockerfile into its build stages (`FROM image AS name` up to the next FROM). */
export function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const part of text.split(/^(?=FROM\s)/m).slice(1)) {
    const m = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(part);
    if (m) out.push({ from: m[1]!, name: m[2] ?? '', body: part });
  }
  return out;
}

/** The chain of stages a target is built FROM, the target itself first. */
function chain(all: Stage[], name: string): Stage[] {
  const out: Stage[] = [];
  for (let s = all.find((x) => x.name === name); s; s = all.find((x) => x.name === s!.from)) out.push(s);
  return out;
}

export function projectRules(text: string): string[] {
  const problems: string[] = [];
  const all = stages(text);
  const baseArg = /^ARG NODE_IMAGE=(\S+)/m.exec(text)?.[1] ?? '';
  if (!/^node:24[.\d]*-bookworm-slim$/.test(baseArg)) problems.push(`NODE_IMAGE default must be node:24-bookworm-slim, is "${baseArg}"`);
  for (const target of TARGETS) {
    const stagesOf = chain(all, target);
    if (stagesOf.length === 0) {
      problems.push(`target "${target}" is missing`);
      continue;
    }
    const own = stagesOf[0]!.body;
    const inherited = stagesOf.map((s) => s.body).join('\n');
    const user = [...own.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    if (!user || user === 'root' || user === '0') problems.push(`${target}: must end as a non-root USER`);
    if (!/^HEALTHCHECK\s+/m.test(own)) problems.push(`${target}: no HEALTHCHECK`);
    if (!/^CMD\s+\[/m.test(own)) problems.push(`${target}: CMD must be in exec form (signals reach node)`);
    if (!/NODE_ENV=production/.test(inherited)) problems.push(`${target}: NODE_ENV=production not set`);
    const deps = /COPY --from=(deps-\S+)/.exec(own)?.[1];
    const depsStage = all.find((s) => s.name === deps);
    if (!depsStage || !/npm ci --omit=dev/.test(depsStage.body)) problems.push(`${target}: dependencies must come from an \`npm ci --omit=dev\` stage`);
  }
  if (!/COPY --from=web-build \S+web\/dist/.test(chain(all, 'admin')[0]?.body ?? '')) problems.push('admin: the built web UI is not copied in');
  return problems;
}

function main(): void {
  const path = resolve(process.argv[2] ?? fileURLToPath(new URL('Dockerfile', import.meta.url)));
  const text = readFileSync(path, 'utf8');
  const problems: string[] = [];
  const diagnostics = validate(text, {
    instructionCasing: ValidationSeverity.ERROR,
    instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
    instructionWorkdirRelative: ValidationSeverity.ERROR,
    emptyContinuationLine: ValidationSeverity.ERROR,
  });
  for (const d of diagnostics) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);
  problems.push(...projectRules(text));
  if (problems.length > 0) {
    for (const p of problems) console.error(`${path}: ${p}`);
    process.exit(1);
  }
  console.log(`${path}: ${stages(text).length} stages, targets ${TARGETS.join(', ')} OK`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
