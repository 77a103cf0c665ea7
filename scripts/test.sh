#!/usr/bin/env bash
# `make test`: everything CI runs, against the real PostgreSQL and Redis on this machine
# (override DATABASE_URL / CELERY_BROKER_URL to point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/outturn}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
export PLAYWRIGHT_CHROMIUM="${PLAYWRIGHT_CHROMIUM:-/usr/bin/chromium}"

echo "== ruff"
$BIN/ruff check .
echo "== ruff format"
$BIN/ruff format --check .
echo "== layers (import-linter)"
$BIN/lint-imports
echo "== mypy"
$BIN/mypy .
echo "== migrations are up to date"
$BIN/python manage.py makemigrations --check --dry-run
echo "== deploy checks with production-like settings"
DJANGO_SECRET_KEY="check-deploy-$(date +%s)-a-long-random-looking-value-0123456789" DJANGO_SECURE_COOKIES=1 \
  DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_HSTS_SECONDS=31536000 \
  $BIN/python manage.py check --deploy --fail-level WARNING
echo "== tests"
$BIN/python -m pytest "$@"
