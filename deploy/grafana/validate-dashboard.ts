// deploy/validate.sh: the Grafana dashboard is valid JSON, every panel has queries on the datasource
// variable, and every query parses into metric names. Usage: node deploy/grafana/validate-dashboard.ts [file]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDashboard } from './dashboard-check.ts';

const file = process.argv[2] ?? fileURLToPath(new URL('./llm-relay.json', import.meta.url));
const { errors, metrics } = checkDashboard(readFileSync(file, 'utf8'));
if (errors.length > 0) {
  for (const e of errors) console.error(`${file}: ${e}`);
  process.exit(1);
}
console.log(`${file}: valid, ${metrics.size} metric names: ${[...metrics].sort().join(' ')}`);
