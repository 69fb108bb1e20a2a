// Container HEALTHCHECK without curl (bookworm-slim has none): GET a path on the service's own port.
// Usage: node deploy/healthcheck.mjs <PORT_ENV_NAME> <default port> <path>
const [portEnv, fallback, path = '/healthz'] = process.argv.slice(2);
const port = (portEnv && process.env[portEnv]) || fallback;
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
