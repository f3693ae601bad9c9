#!/usr/bin/env bash
# `golive run` end to end at go-live scale: ingest, normalize, match, link, the
# load into a file target's import files, and the report, on the project of
# make_project.py (1,000,000 namesake-heavy organization cards + 300,000
# contacts by default). Prints each stage's seconds, the wall time and the peak
# memory of the one process.
#
#   benches/project/run.sh [DIR]        ORGS=… PERSONS=… CRM=… to change the set
#
# The project is generated once (kept in DIR); each run starts from an empty
# workspace and out/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:-/tmp/golive-project}
orgs=${ORGS:-1000000}
persons=${PERSONS:-300000}
crm=${CRM:-salesforce}
target=${CARGO_TARGET_DIR:-$repo/target}

if [ ! -f "$dir/golive.toml" ]; then
  echo "generating $orgs organizations + $persons persons into $dir"
  python3 "$here/make_project.py" "$dir" "$orgs" "$persons" "$crm"
fi
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
rm -rf "$dir/.golive" "$dir/out"
/usr/bin/time -v "$target/release/golive" --quiet run "$dir" --load --timings 2> "$dir/run.log" \
  || { cat "$dir/run.log"; exit 1; }
grep '^timing' "$dir/run.log"
grep -E 'Elapsed \(wall clock\)|Maximum resident set size' "$dir/run.log"
python3 - "$dir/out/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["sources"]:
    print(f'{s["name"]}: {s["rows_read"]} rows read, {s["golden"]} golden, {s["planned"]} planned, {s["loaded"]} loaded')
print("accounting ok:", r["accounting"]["ok"])
PY
ls -l "$dir/out/load/$crm"
