#!/usr/bin/env bash
# `make test`: the whole suite on SQLite and on PostgreSQL at the same time.
#
# Why at once: each run is one pytest process that keeps about one core busy, and the two share nothing (each
# has its own database, temporary folders and ports), so on a 2-core machine the pair takes about as long as
# the slower one instead of the sum (CI must stay well under 60 minutes). Tests marked own_sqlite, which never
# touch the run's database, run in the SQLite run only (tests/conftest.py).
#
# The SQLite run prints as it goes; the PostgreSQL run writes test-artifacts/pytest-postgresql.log, which is
# printed whole (and followed until it ends) after the SQLite run. Fails when either run fails.
#
# Usage: tools/test_both_databases.sh PYTEST POSTGRESQL_DATABASE_URL [pytest options...]
set -uo pipefail

pytest=$1
database_url=$2
shift 2

mkdir -p test-artifacts
log=test-artifacts/pytest-postgresql.log
DATABASE_URL=$database_url "$pytest" "$@" >"$log" 2>&1 &
postgresql=$!
trap 'kill "$postgresql" 2>/dev/null' INT TERM

echo "== SQLite (PostgreSQL draait tegelijk: $log) =="
"$pytest" "$@"
sqlite_status=$?

echo "== PostgreSQL ($log) =="
tail -n +1 --pid="$postgresql" -f "$log"
wait "$postgresql"
postgresql_status=$?

if ((sqlite_status || postgresql_status)); then
  echo "make test: SQLite-run $sqlite_status, PostgreSQL-run $postgresql_status (0 = geslaagd)." >&2
  exit 1
fi
