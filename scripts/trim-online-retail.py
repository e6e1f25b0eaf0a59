"""Writes the repository's copy of Online Retail from the UCI file (given as an argument):
every invoice line with every column but Description, which moves to a small item table
(StockCode -> the code's most frequent description), so each file stays under 4 MB.

Usage: python3 scripts/trim-online-retail.py SOURCE.csv.gz tests/data/online-retail
"""
import collections
import csv
import gzip
import io
import os
import sys

source, out_dir = sys.argv[1], sys.argv[2]
with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
description = header.index("Description")
code = header.index("StockCode")

lines = io.StringIO()
writer = csv.writer(lines, lineterminator="\n")
names = collections.defaultdict(collections.Counter)
for row in rows:
    writer.writerow(row[:description] + row[description + 1:])
    if row is not rows[0] and row[description].strip():
        names[row[code]][row[description].strip()] += 1

items = io.StringIO()
writer = csv.writer(items, lineterminator="\n")
writer.writerow(["StockCode", "Description"])
for stock_code in sorted(names):
    # Most frequent description; ties to the alphabetically first, so the file is reproducible.
    best = sorted(names[stock_code].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    writer.writerow([stock_code, best])

# mtime=0: the same source gives the same bytes.
for name, text in (("online_retail.csv.gz", lines), ("items.csv.gz", items)):
    with open(os.path.join(out_dir, name), "wb") as out:
        out.write(gzip.compress(text.getvalue().encode("utf-8"), 9, mtime=0))
