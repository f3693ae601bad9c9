"""Run golive and Splink 5 on the same inputs and print one table (see README.md beside this file).

Environment: GOLIVE_BENCH_DATA (data folder), GOLIVE_BIN (golive binary), QUICK=1 (skip the 1M
persons), SETS (comma list, overrides the mode), TOOLS (golive,splink), PEER_TIMEOUT (seconds per
tool and set, default 3600).
"""

import csv
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from score import score  # noqa: E402

# The mapping plus the house number: Splink compares `street_number`, so golive reads
# it too, as the start of the street line (two columns mapped to one field join in column order).
PERSON_MAP = [
    "--kind", "person",
    "--map", "given_name=given_name",
    "--map", "surname=family_name",
    "--map", "street_number=street",
    "--map", "address_1=street",
    "--map", "suburb=city",
    "--map", "postcode=postal_code",
    "--map", "state=region",
    "--map", "date_of_birth=birth_date",
    "--map", "soc_sec_id=tax_id",
]  # fmt: skip
# set: (kind, golive mapping); company columns are named as golive's fields and map themselves
SETS = {
    "febrl3": ("person", PERSON_MAP),
    "febrl4": ("person", PERSON_MAP),
    "companies_namesakes": ("company", []),
    "persons_100k": ("person", PERSON_MAP),
    "persons_1m": ("person", PERSON_MAP),
}
QUICK_SETS = ["febrl3", "febrl4", "companies_namesakes", "persons_100k"]
RESULT_COLUMNS = ["set", "precision", "recall", "f1", "wall_s", "peak_mb", "cpu_s"]


def timed(cmd, log_path, timeout):
    """Run cmd under GNU time; return (exit code, wall seconds, peak RSS in MB, CPU seconds).

    CPU seconds (user + system) are reported beside wall time: on a shared machine the wall
    time of both tools stretches with the load, their CPU time much less."""
    with open(log_path, "w") as log:
        started = time.time()
        try:
            rc = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=log, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return "timeout", time.time() - started, None, None
    text = open(log_path, encoding="utf-8", errors="replace").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))
    seconds = time.time() - started
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    return rc, seconds, (int(rss.group(1)) / 1024 if rss else None), cpu


def load_results(path):
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {r["set"]: r for r in csv.DictReader(f, delimiter="\t")}


def save_results(path, results):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, RESULT_COLUMNS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for name in sorted(results):
            w.writerow(results[name])
    os.replace(tmp, path)


def main():
    data = os.environ.get("GOLIVE_BENCH_DATA", "/work/benchdata")
    golive = os.environ.get("GOLIVE_BIN", os.path.join(HERE, "..", "..", "target", "release", "golive"))
    timeout = float(os.environ.get("PEER_TIMEOUT", "3600"))
    if os.environ.get("SETS"):
        sets = os.environ["SETS"].split(",")
    elif os.environ.get("QUICK") == "1":
        sets = QUICK_SETS
    else:
        sets = [*QUICK_SETS, "persons_1m"]
    tools = os.environ.get("TOOLS", "golive,splink").split(",")
    for name in sets:
        if name not in SETS:
            sys.exit(f"bench: unknown set {name!r}: one of {', '.join(SETS)}")
    for tool in tools:
        if tool not in ("golive", "splink"):
            sys.exit(f"bench: unknown tool {tool!r}: golive or splink")
    if "golive" in tools and not os.access(golive, os.X_OK):
        sys.exit(f"bench: no golive binary at {golive}: build it (cargo build --release) or set GOLIVE_BIN")

    subprocess.run([sys.executable, os.path.join(HERE, "make_data.py"), data, *sets], check=True)
    out_root = os.path.join(data, "runs")
    stored = {t: os.path.join(data, f"{t}_results.tsv") for t in ("golive", "splink")}
    results = {t: load_results(stored[t]) for t in stored}
    table = []
    for name in sets:
        kind, mapping = SETS[name]
        src = os.path.join(data, f"{name}.csv")
        with open(src, encoding="utf-8") as f:
            records = sum(1 for _ in f) - 1
        for tool in ("golive", "splink"):
            if tool not in tools:
                if name in results[tool]:
                    table.append((name, records, f"{tool} (stored)", results[tool][name]))
                continue
            out = os.path.join(out_root, name, tool)
            os.makedirs(out, exist_ok=True)
            clusters = os.path.join(out, "clusters.csv")
            if os.path.exists(clusters):
                os.remove(clusters)
            if tool == "golive":
                cmd = [golive, "dedupe", src, "--id", "id", "--truth", "truth", *mapping, "--out", out, "-q"]
            else:
                cmd = [sys.executable, os.path.join(HERE, "splink_run.py"), kind, src, clusters]
            print(f"bench: {name}: {tool} …", file=sys.stderr, flush=True)
            rc, wall, peak, cpu = timed(cmd, os.path.join(out, "run.log"), timeout)
            if rc != 0 or not os.path.exists(clusters):
                print(f"bench: {name}: {tool} failed ({rc}); see {out}/run.log", file=sys.stderr)
                row = {"set": name, "precision": "", "recall": "", "f1": "", "wall_s": f"{wall:.1f}", "peak_mb": "", "note": f"failed ({rc})"}
            else:
                p, r, f1, _, _ = score(src, clusters)
                row = {"set": name, "precision": f"{p:.4f}", "recall": f"{r:.4f}", "f1": f"{f1:.4f}", "wall_s": f"{wall:.1f}", "peak_mb": f"{peak:.0f}" if peak else "", "cpu_s": f"{cpu:.1f}"}
            results[tool][name] = row
            save_results(stored[tool], results[tool])
            table.append((name, records, tool, row))
            print(f"bench: {name}: {tool}: F1 {row['f1'] or '-'}, {row['wall_s']} s, {row['peak_mb'] or '-'} MB", file=sys.stderr, flush=True)

    print("| set | records | tool | precision | recall | F1 | wall s | peak MB | CPU s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for name, records, tool, row in table:
        cells = [row.get(k) or row.get("note", "-") for k in ("precision", "recall", "f1")]
        print(f"| {name} | {records:,} | {tool} | {' | '.join(cells)} | {row.get('wall_s') or '-'} | {row.get('peak_mb') or '-'} | {row.get('cpu_s') or '-'} |")


if __name__ == "__main__":
    main()
