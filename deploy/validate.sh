#!/usr/bin/env bash
# Validates every deploy file with what runs without a Docker engine or a cluster; exits non-zero on the
# first file that fails. Installs the Go tools it needs (kustomize) when they are missing. Called by .ci/run.
#   bash deploy/validate.sh
#
#  1. docker-compose.yml   dclint (its rules + the Compose Specification JSON schema),
#                          then `docker-compose config -q` (Debian's 1.29: interpolation, anchors, references)
#  2. deploy/edge          `haproxy -c` on the edge config (warnings other than unresolvable names fail)
#  3. deploy/Dockerfile    the Dockerfile language service's validator + this project's rules
#  4. deploy/k8s           `kustomize build` of the base and the example overlay, each rendered set decoded
#                          strictly into the Kubernetes API's Go types and its references checked
#                          (deploy/k8s/validate; kubeconform needs JSON schemas that cannot be downloaded here)
#  5. deploy/grafana      the dashboard: valid JSON, a Prometheus datasource variable, every panel with queries on
#                          it, every PromQL expression balanced and naming at least one metric
#  6. image trees          deploy/image-dry-run.sh: each image's production tree built as the Dockerfile does
#                          and the service started from it (needs Redis; DEPLOY_SKIP_IMAGE_DRY_RUN=1 skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { echo "[deploy] $*"; }
skip() { echo "[deploy] SKIPPED: $*"; }

# Placeholder values for the variables the compose file requires (${VAR:?...}); nothing else is set, so
# every default in the file is what gets checked.
cat >"$work/ci.env" <<'EOF'
PROXY_KEY=ci-proxy-key
TARGET_BASE_URL=http://mock:8100/v1
ADMIN_PASSWORD=ci-admin-password
JWT_SECRET=ci-jwt-secret-at-least-32-characters-long
EOF

step "dclint docker-compose.yml"
dclint --max-warnings 0 docker-compose.yml

if command -v docker-compose >/dev/null; then
  step "docker-compose config"
  docker-compose --project-directory "$ROOT" --env-file "$work/ci.env" -f docker-compose.yml config -q
  # with the one-machine .env.example as .env, the containers must still share Redis and MongoDB
  sed -e 's/^PROXY_KEY=$/PROXY_KEY=ci/' -e 's/^ADMIN_PASSWORD=$/ADMIN_PASSWORD=ci/' \
    -e 's/^JWT_SECRET=$/JWT_SECRET=ci-jwt-secret-at-least-32-characters-long/' \
    -e 's|^TARGET_BASE_URL=$|TARGET_BASE_URL=http://mock:8100/v1|' .env.example >"$work/example.env"
  docker-compose --project-directory "$ROOT" --env-file "$work/example.env" -f docker-compose.yml config >"$work/compose.yml"
  if grep -E 'DATABASE_URL: sqlite|REDIS_URL: redis://127' "$work/compose.yml" >&2; then
    echo "docker-compose.yml takes a local store or Redis from .env.example" >&2
    exit 1
  fi
  # the stack must refuse to start without its secrets
  if docker-compose --project-directory "$ROOT" --env-file /dev/null -f docker-compose.yml config -q 2>/dev/null; then
    echo "docker-compose.yml accepts a missing JWT_SECRET/ADMIN_PASSWORD/PROXY_KEY" >&2
    exit 1
  fi
else
  skip "docker-compose not installed (apt-get install docker-compose)"
fi

HAPROXY=$(command -v haproxy || { [ -x /usr/sbin/haproxy ] && echo /usr/sbin/haproxy; } || true)
if [ -n "$HAPROXY" ]; then
  step "haproxy -c deploy/edge/haproxy.cfg"
  "$HAPROXY" -c -f deploy/edge/haproxy.cfg >"$work/haproxy.out" 2>&1 || { cat "$work/haproxy.out" >&2; exit 1; }
  # the service names only resolve inside the compose network
  if grep '\[WARNING\]' "$work/haproxy.out" | grep -v "could not resolve address" >&2; then exit 1; fi
else
  skip "haproxy not installed (apt-get install haproxy)"
fi

step "Grafana dashboard deploy/grafana/llm-relay.json"
node deploy/grafana/validate-dashboard.ts deploy/grafana/llm-relay.json

step "lint deploy/Dockerfile"
node deploy/lint-dockerfile.ts deploy/Dockerfile

step "kustomize build + strict Kubernetes decode"
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
export PATH="$(go env GOPATH)/bin:$PATH"
if ! command -v kustomize >/dev/null; then
  step "go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  (cd "$work" && go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
fi
(cd deploy/k8s/validate && go build -o "$work/k8s-validate" .)
kustomize build deploy/k8s/base >"$work/base.yaml"
"$work/k8s-validate" -external-secret llm-relay-secrets <"$work/base.yaml"
kustomize build deploy/k8s/overlays/example >"$work/overlay.yaml"
"$work/k8s-validate" <"$work/overlay.yaml"
# the base with the Secret template applied beside it, as the README says to deploy it: every key exists
{ cat "$work/base.yaml"; echo '---'; cat deploy/k8s/base/secret.template.yaml; } | "$work/k8s-validate"
grep -q 'nginx.ingress.kubernetes.io/proxy-buffering: "off"' "$work/overlay.yaml" || { echo "gateway Ingress lost proxy-buffering off" >&2; exit 1; }

if [ "${DEPLOY_SKIP_IMAGE_DRY_RUN:-}" = 1 ]; then
  skip "image dry run (DEPLOY_SKIP_IMAGE_DRY_RUN=1)"
else
  step "image dry run: production dependencies only, each service starts"
  bash deploy/image-dry-run.sh
fi

step "all deploy files valid"
