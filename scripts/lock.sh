#!/usr/bin/env bash
# `make lock`: resolve pyproject.toml into uv.lock (exact versions and hashes), then write from it
# the two files that install without uv: deploy/requirements.txt (the image's run-time packages,
# for `pip install --require-hashes`) and deploy/bootstrap-uv.txt (uv itself, for `make install`).
# Then `make install` brings .venv to the new lock.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=.venv/bin/uv
export UV_PYTHON_DOWNLOADS=never

$UV lock "$@"
$UV export --frozen --no-dev --no-emit-project --no-header --quiet --format requirements-txt \
  --output-file deploy/requirements.txt
version=$(awk '/^name = "uv"$/ {found = 1; next} found && /^version = / {gsub(/"/, "", $3); print $3; exit}' uv.lock)
{
  echo "# The installer itself, for \`make install\` on a machine without it: pip installs this (hashes"
  echo "# checked), then uv installs everything else from uv.lock. Written by \`make lock\` from the"
  echo "# version that pyproject.toml's dev group locks."
  echo "uv==$version" | $UV pip compile - --generate-hashes --universal --no-header --quiet
} > deploy/bootstrap-uv.txt.new
mv deploy/bootstrap-uv.txt.new deploy/bootstrap-uv.txt
echo "Locked. Now run \`make install\` (or any make target) to bring .venv to the new lock, and commit"
echo "pyproject.toml, uv.lock, deploy/requirements.txt and deploy/bootstrap-uv.txt together."
