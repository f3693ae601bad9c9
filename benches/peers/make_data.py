"""Write the benchmark inputs: python make_data.py OUT_DIR SET...

Sets: febrl3 febrl4 companies_namesakes companies_1m companies_3m persons_100k persons_1m. A file already present is kept
(delete it to regenerate); every generator is seeded, so a regenerated file is the same bytes.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: make_data.py OUT_DIR SET... (febrl3 febrl4 companies_namesakes companies_1m companies_3m persons_100k persons_1m)")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:]:
        path = f"{out}/{name}.csv"
        if os.path.exists(path):
            print(f"data: {path} present, kept", file=sys.stderr)
            continue
        t = time.time()
        if name in ("febrl3", "febrl4"):
            import febrl

            n = febrl.write(out, name)
        elif name.startswith("companies_"):
            import companies

            size = {"companies_namesakes": companies.CARDS, "companies_1m": 1_000_000, "companies_3m": 3_000_000}.get(name)
            if size is None:
                sys.exit(f"data: unknown set {name!r}: companies_namesakes, companies_1m or companies_3m")
            n = companies.write(path, size)
        elif name.startswith("persons_"):
            import persons

            size = {"persons_100k": 100_000, "persons_1m": 1_000_000}.get(name)
            if size is None:
                sys.exit(f"data: unknown set {name!r}: persons_100k or persons_1m")
            n = persons.write(path, size)
        else:
            sys.exit(f"data: unknown set {name!r}")
        print(f"data: {path}: {n} rows in {time.time() - t:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
