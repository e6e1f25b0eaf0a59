#!/usr/bin/env python3
"""Re-create online-retail-sample.csv from the full Online Retail file (CC BY 4.0).

Selection (deterministic, documented in ATTRIBUTION.md): every invoice line of the customers whose
numeric CustomerID is divisible by 6 and who have at most 150 invoice lines in the whole file
(the cap keeps the sample around 2 MB; it leaves out a few dozen wholesale-sized accounts).
Guest lines (no CustomerID) are left out; the Country column is dropped; everything else,
cancellations and odd stock codes included, is kept as it is.

Usage: python3 make_sample.py /path/to/online_retail.csv.gz > online-retail-sample.csv
"""
import collections, csv, gzip, sys

src = sys.argv[1]
lines = collections.Counter()
with gzip.open(src, "rt", encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    next(reader)
    for row in reader:
        lines[row[6]] += 1

def keep(cid):
    return cid != "" and int(float(cid)) % 6 == 0 and lines[cid] <= 150

out = csv.writer(sys.stdout, lineterminator="\n")
with gzip.open(src, "rt", encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    out.writerow(header[:7])
    for row in reader:
        if keep(row[6]):
            out.writerow(row[:7])
