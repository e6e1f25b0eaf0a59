"""Command line of the two jobs: `summarize` and `train-als` (spark-submit spark/submit.py ...,
`python -m regulars_spark ...` or the `regulars-spark` console script)."""

import argparse
import json
import sys
import time


def _input_options(p: argparse.ArgumentParser, item_required: bool):
    p.add_argument("--input", required=True, help="CSV with a header (.csv, .csv.gz, a directory of them) or Parquet")
    p.add_argument("--output", required=True, help="output directory (local path or any Hadoop file system URI)")
    p.add_argument("--customer", required=True, help="customer id column")
    p.add_argument("--time", help="time column (text as regulars parses it, a timestamp, a date or epoch ms)")
    p.add_argument("--amount", help="amount (money) column")
    p.add_argument("--item", required=item_required, help="item id column")
    p.add_argument("--quantity", help="quantity column (rows with quantity <= 0 are dropped, as in regulars)")
    p.add_argument("--price", help="unit price column: amount = quantity * price")
    p.add_argument("--invoice", help="invoice column: invoices starting with C are cancellations")
    p.add_argument("--keep-zero-amounts", action="store_true", help="keep rows whose amount is exactly 0")
    p.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    p.add_argument("--multiline", action="store_true", help="CSV quoted fields may hold line breaks")
    p.add_argument("--master", help="Spark master when not started by spark-submit (e.g. local[2])")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark setting when not started by spark-submit (repeatable)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="regulars-spark", description=__doc__)
    sub = top.add_subparsers(dest="job", required=True)
    s = sub.add_parser("summarize", help="per-customer summary in regulars' conventions")
    _input_options(s, item_required=False)
    s.add_argument("--observation-end", help="inclusive end (regulars time text or epoch ms); default: last purchase")
    s.add_argument("--calibration-end", help="inclusive end of the calibration period; adds the holdout columns")
    s.add_argument("--unit", default="day", choices=["day", "week"])
    s.add_argument("--no-csv", action="store_true", help="write Parquet only")
    a = sub.add_parser("train-als", help="MLlib implicit ALS factors in regulars' interchange format")
    _input_options(a, item_required=True)
    a.add_argument("--value", default="lines", choices=["lines", "quantity", "binary"],
                   help="cell value: order lines (regulars' default), summed quantity, or 1")
    a.add_argument("--factors", type=int, default=64)
    a.add_argument("--iterations", type=int, default=15)
    a.add_argument("--regularization", type=float, default=0.1, help="MLlib regParam (scaled per row, ALS-WR)")
    a.add_argument("--alpha", type=float, default=1.0, help="confidence c = 1 + alpha * value")
    a.add_argument("--seed", type=int, default=42)
    return top


def session(master=None, conf=()):
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName("regulars-spark")
    if master:
        b = b.master(master)
    for setting in conf:
        key, _, value = setting.partition("=")
        b = b.config(key, value)
    spark = b.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def main(argv=None):
    args = parser().parse_args(argv)
    if args.job == "train-als" and (args.factors < 1 or args.iterations < 1):
        sys.exit("regulars-spark: --factors and --iterations must be at least 1")
    started = time.time()
    spark = session(args.master, args.conf)
    spark_ready = time.time()
    try:
        if args.job == "summarize":
            from regulars_spark.summarize import run
        else:
            from regulars_spark.train_als import run
        result = run(spark, args)
    except ValueError as e:
        sys.exit(f"regulars-spark {args.job}: {e}")
    finally:
        spark.stop()
    timing = {"sessionSeconds": round(spark_ready - started, 2), "jobSeconds": round(time.time() - spark_ready, 2)}
    print(json.dumps({"job": args.job, "output": args.output, **timing,
                      **{k: result[k] for k in ("customers", "counts", "report") if k in result}}))
