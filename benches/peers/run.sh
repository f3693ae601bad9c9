#!/usr/bin/env bash
# golive vs Splink 5 on Febrl3, Febrl4, namesake company cards and synthetic persons.
# QUICK=1 skips the 1M persons; see benches/peers/README.md for every knob.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${PEERS_VENV:-$root/target/peers-venv}
export GOLIVE_BIN=${GOLIVE_BIN:-$root/target/release/golive}

# the venv is made once and reused; nothing from it is committed
if ! "$venv/bin/python" -c 'import splink, recordlinkage' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q 'splink==5.*' recordlinkage
fi
if [ ! -x /usr/bin/time ]; then
  echo "run.sh: GNU time is needed for wall time and peak memory: apt-get install time" >&2
  exit 1
fi
exec "$venv/bin/python" "$here/bench.py"
