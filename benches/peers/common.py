"""Shared helpers: atomic CSV writes, a seeded RNG with Zipf sampling, typo makers."""

import bisect
import csv
import itertools
import os
import random


def write_csv_atomic(path, header, rows):
    """Write to a temporary name beside the target, then rename: readers never see half a file."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


class Rng(random.Random):
    """random.Random plus the few draws the generators need."""

    def chance(self, p):
        return self.random() < p

    def zipf_table(self, n, s):
        """Cumulative weights of ranks 0..n-1 with weight 1/(rank+1)^s."""
        return list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(n)))

    def zipf(self, cum):
        return bisect.bisect_left(cum, self.random() * cum[-1])

    def weighted(self, items, cum):
        return items[self.zipf(cum)]


LATIN_KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()
CYR_KEYS = "йцукенгшщзхъ фывапролджэ ячсмитьбю".split()


def _neighbours(rows):
    out = {}
    for row in rows:
        for i, c in enumerate(row):
            out[c] = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return out


NEIGHBOURS = {**_neighbours(LATIN_KEYS), **_neighbours(CYR_KEYS)}
OCR = {"m": "rn", "rn": "m", "l": "1", "o": "0", "i": "l", "cl": "d", "vv": "w", "s": "5"}


def typo(rng, s):
    """One human or OCR slip: keyboard neighbour, dropped, doubled or swapped letter."""
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.random()
    c = s[i]
    if kind < 0.3:
        near = NEIGHBOURS.get(c.lower())
        if near:
            r = rng.choice(near)
            return s[:i] + (r.upper() if c.isupper() else r) + s[i + 1 :]
        return s[:i] + s[i + 1 :]
    if kind < 0.55:
        return s[:i] + s[i + 1 :]
    if kind < 0.7:
        return s[:i] + c + s[i:]
    if kind < 0.9:
        return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]
    for a, b in OCR.items():
        j = s.find(a)
        if j > 0:
            return s[:j] + b + s[j + len(a) :]
    return s[:i] + s[i + 1 :]


def digit_typo(rng, s):
    """One wrong or swapped digit."""
    digits = [i for i, c in enumerate(s) if c.isdigit()]
    if len(digits) < 2:
        return s
    if rng.chance(0.6):
        i = rng.choice(digits)
        return s[:i] + str((int(s[i]) + rng.randrange(1, 10)) % 10) + s[i + 1 :]
    k = rng.randrange(len(digits) - 1)
    i, j = digits[k], digits[k + 1]
    chars = list(s)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
