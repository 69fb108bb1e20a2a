#!/usr/bin/env bash
# Builds each service image's file tree the way deploy/Dockerfile does, without Docker, and starts the
# service from it: manifests + lock -> `npm ci --omit=dev --ignore-scripts --workspace <svc>` -> sources
# without tests -> `node services/<svc>/src/index.ts` until its HEALTHCHECK command passes.
# Proves that production dependencies are enough (no devDependency, not the `node` package, is imported at
# run time) and that the workspace symlinks let Node strip the types of the packages.
# `web` is the admin image's web-build stage: `npm ci --workspace web` + `vite build`; the admin tree then gets
# its dist and must serve the UI.
#   bash deploy/image-dry-run.sh [web|gateway|processor|admin|mock ...]   (mock: the compose profile, gateway image)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NODE24="$ROOT/node_modules/.bin/node"
[ -x "$NODE24" ] || { echo "run npm install first (the project's Node 24 is missing)" >&2; exit 1; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(web gateway processor admin mock)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${prefix:-}" ]; then
    "$NODE24" -e "
      const { Redis } = require('ioredis');
      const r = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
      r.keys(process.argv[1] + '*').then((k) => (k.length ? r.del(...k) : 0)).finally(() => r.disconnect());
    " "$prefix" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
prefix="test-image-dry-run-$$"

free_port() { "$NODE24" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

copy_manifests() {
  find . -name package.json -not -path '*/node_modules/*' -not -path './.git/*' -exec cp --parents {} "$1/" \;
  cp package-lock.json "$1/"
}

for target in "${targets[@]}"; do
  if [ "$target" = web ]; then
    echo "[image-dry-run] web: npm ci --workspace web, vite build"
    mkdir -p "$work/web"
    copy_manifests "$work/web"
    (cd "$work/web" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error --workspace web >/dev/null)
    tar -c --exclude=node_modules --exclude=dist tsconfig.base.json packages/contracts web | tar -x -C "$work/web"
    (cd "$work/web" && PATH="$(dirname "$NODE24"):$PATH" npm run build --workspace web >"$work/web.log" 2>&1) || { cat "$work/web.log" >&2; exit 1; }
    [ -f "$work/web/web/dist/index.html" ] || { echo "web: no dist/index.html" >&2; exit 1; }
    echo "[image-dry-run] web: built ($(du -sh "$work/web/web/dist" | cut -f1))"
    continue
  fi
  case "$target" in
    gateway) workspace=services/gateway; port_var=GATEWAY_PORT ;;
    processor) workspace=services/log-processor; port_var=PROCESSOR_PORT ;;
    admin) workspace=services/admin; port_var=ADMIN_PORT ;;
    mock) workspace=services/gateway; port_var=MOCK_PORT ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  entry="$workspace/src/index.ts"; health=/healthz
  [ "$target" = mock ] && { entry=packages/mock-provider/src/cli.ts; health=/v1/models; }
  app="$work/$target"
  mkdir -p "$app/data"
  echo "[image-dry-run] $target: npm ci --omit=dev --workspace $workspace"
  # the manifests stage: every package.json (as .dockerignore leaves them) and the lock
  copy_manifests "$app"
  (cd "$app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error --workspace "$workspace" >/dev/null)
  for dev in node vitest typescript eslint vite; do
    if [ -e "$app/node_modules/$dev" ]; then echo "$target: devDependency $dev was installed" >&2; exit 1; fi
  done
  # the runtime stage: sources without tests, the healthcheck probe
  tar -c --exclude=node_modules --exclude='*.test.ts' --exclude=vitest.config.ts \
    package.json tsconfig.base.json deploy/healthcheck.mjs packages "$workspace" | tar -x -C "$app"
  if [ "$target" = admin ] && [ -d "$work/web/web/dist" ]; then mkdir -p "$app/web" && cp -r "$work/web/web/dist" "$app/web/dist"; fi
  port=$(free_port)
  # exec: $! must be the service itself, not a subshell that would leave it running when killed
  (cd "$app" && exec env -i PATH="$(dirname "$NODE24"):/usr/bin:/bin" HOME="$app" NODE_ENV=production LOG_LEVEL=warn \
    REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" REDIS_PREFIX="$prefix" DATABASE_URL="sqlite:$app/data/relay.db" \
    JWT_SECRET=image-dry-run-jwt-secret-0123456789abcdef ADMIN_PASSWORD=image-dry-run \
    "$port_var=$port" GATEWAY_HOST=127.0.0.1 ADMIN_HOST=127.0.0.1 PROCESSOR_HOST=127.0.0.1 \
    JOURNAL_DIR="$app/data/journal" WEB_DIST_DIR="$app/web/dist" TRUST_PROXY=uniquelocal \
    MOCK_HOST=127.0.0.1 "$NODE24" "$entry" >"$work/$target.log" 2>&1) &
  pids+=($!)
  ok=
  for _ in $(seq 150); do
    if (cd "$app" && env "$port_var=$port" "$NODE24" deploy/healthcheck.mjs "$port_var" "$port" "$health"); then ok=1; break; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then break; fi
    sleep 0.2
  done
  if [ -z "$ok" ]; then echo "$target did not become healthy from its production tree:" >&2; cat "$work/$target.log" >&2; exit 1; fi
  if [ "$target" = admin ] && [ -d "$app/web/dist" ]; then
    page=$("$NODE24" -e "fetch(process.argv[1],{headers:{accept:'text/html'}}).then(async r=>{if(!r.ok)process.exit(1);process.stdout.write(await r.text())},()=>process.exit(1))" "http://127.0.0.1:$port/admin/") ||
      { echo "admin does not serve the built UI at /admin/" >&2; exit 1; }
    grep -qi '<!doctype html' <<<"$page" || { echo "admin /admin/ is not the UI's index.html" >&2; exit 1; }
    echo "[image-dry-run] admin: serves the built UI at /admin/"
  fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  echo "[image-dry-run] $target: healthy from production dependencies only ($(du -sh "$app/node_modules" | cut -f1) node_modules)"
done
