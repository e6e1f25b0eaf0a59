"""The Spark half of `make test-spark`: runs the jobs in local[2] on the repository's data and
writes what the Node half (tests/spark/spark.test.mjs) compares with regulars:

  target/spark-test/retail-holdout/   summarize, Online Retail, calibration split, unit day
  target/spark-test/retail-week/      summarize, Online Retail, default ends, unit week
  target/spark-test/edge/             summarize, tests/spark/edge_cases.csv (parsing corners)
  target/spark-test/retail-parquet/   summarize, Online Retail as typed Parquet, calibration split
  target/spark-test/als/              train-als through spark-submit (factors 16, 5 iterations)
  target/spark-test/numpy_top10.json  top-10 items by numpy dot products for 50 customers
  target/spark-test/timings.json      seconds per step

The summaries run in one SparkSession through the same argument parser and job functions the
command line uses (one JVM start instead of three); train-als runs as a user runs it, with
spark-submit spark/submit.py. Checks that need no regulars are made here: the CLI time parser on
regulars' own time.rs vectors, Parquet == CSV output, the factor files' shapes.
"""

import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "spark"))
OUT = os.path.join(ROOT, "target", "spark-test")
RETAIL = os.path.join(ROOT, "tests", "data", "online-retail", "online_retail.csv.gz")
RETAIL_MAPPING = ["--customer", "CustomerID", "--time", "InvoiceDate", "--item", "StockCode",
                  "--quantity", "Quantity", "--price", "UnitPrice"]
SPARK_CONF = {"spark.sql.shuffle.partitions": "4", "spark.ui.showConsoleProgress": "false",
              "spark.driver.memory": "1g"}
timings = {}


def step(name, fn):
    started = time.time()
    result = fn()
    timings[name] = round(time.time() - started, 1)
    print(f"  {name}: {timings[name]} s", flush=True)
    return result


def check_time_parser():
    """regulars_spark.times.parse_time on the vectors of src/data/time.rs's tests."""
    from regulars_spark.times import DAY_MS, days_from_civil, parse_time

    assert parse_time("1970-01-02") == DAY_MS
    assert parse_time("19970101") == days_from_civil(1997, 1, 1) * DAY_MS
    for text in ["2011-12-09 08:50:00", "2011-12-09T08:50:00Z", "12/9/2011 8:50", "1323420600000"]:
        assert parse_time(text) == 1_323_420_600_000.0, text  # 1323420600 s: 2011-12-09 08:50 UTC
    assert days_from_civil(2000, 2, 29) == 11016
    for bad in ["", "2011-02-30", "2011-13-01", "yesterday", "2011-01-01 25:00", "NaN"]:
        assert parse_time(bad) is None, bad


def summarize_in_session(spark, argv):
    from regulars_spark.cli import parser
    from regulars_spark.summarize import run

    return run(spark, parser().parse_args(["summarize", *argv]))


def check_parquet_equals_csv(spark, out_dir):
    parquet = spark.read.parquet(os.path.join(out_dir, "summary.parquet")).collect()
    csv = spark.read.option("header", True).option("inferSchema", True).csv(os.path.join(out_dir, "summary.csv"))
    csv = csv.select([csv[c].cast("string" if c == "customer" else "double") for c in csv.columns]).collect()
    assert len(parquet) == len(csv), (len(parquet), len(csv))
    by_id = {r["customer"]: tuple(r) for r in csv}
    for r in parquet:
        assert by_id[r["customer"]] == tuple(r), (r, by_id[r["customer"]])


def write_typed_parquet(spark, path):
    """Online Retail as a warehouse would hold it: InvoiceDate a timestamp (UTC), CustomerID a
    double (17850.0), Quantity an int, UnitPrice a double; read back by summarize's Parquet path."""
    df = spark.read.option("header", True).option("inferSchema", True).csv(RETAIL)
    types = dict(df.dtypes)
    assert types["InvoiceDate"] == "timestamp" and types["CustomerID"] == "double", types
    df.write.mode("overwrite").parquet(path)


def numpy_top10(als_dir, n_customers=50, k=10):
    import numpy as np

    manifest = json.load(open(os.path.join(als_dir, "manifest.json")))
    f = manifest["factors"]
    read_ids = lambda name: open(os.path.join(als_dir, name), encoding="utf-8").read().split("\n")[:-1]  # noqa: E731
    items, customers = read_ids(manifest["items"]["ids"]), read_ids(manifest["customers"]["ids"])
    item_f = np.fromfile(os.path.join(als_dir, manifest["items"]["factors"]), dtype="<f4")
    cust_f = np.fromfile(os.path.join(als_dir, manifest["customers"]["factors"]), dtype="<f4")
    assert item_f.size == len(items) * f == manifest["items"]["count"] * f, (item_f.size, len(items))
    assert cust_f.size == len(customers) * f == manifest["customers"]["count"] * f, (cust_f.size, len(customers))
    assert len(set(items)) == len(items) and len(set(customers)) == len(customers)
    item_f, cust_f = item_f.reshape(-1, f).astype(np.float64), cust_f.reshape(-1, f).astype(np.float64)
    assert np.isfinite(item_f).all() and np.isfinite(cust_f).all()
    rows = [i * (len(customers) // n_customers) for i in range(n_customers)]
    picked = []
    for row in rows:
        scores = item_f @ cust_f[row]
        order = np.lexsort((np.arange(len(items)), -scores))[:k]  # score descending, then row
        picked.append({"customer": customers[row], "row": row, "items": [items[i] for i in order],
                       "scores": [float(scores[i]) for i in order]})
    return picked


def main():
    os.makedirs(OUT, exist_ok=True)
    print("spark test: time parser vectors", flush=True)
    check_time_parser()
    from regulars_spark.cli import session

    spark = step("SparkSession local[2] start", lambda: session("local[2]", [f"{k}={v}" for k, v in SPARK_CONF.items()]))
    try:
        step("summarize Online Retail, calibration split, day", lambda: summarize_in_session(spark, [
            "--input", RETAIL, *RETAIL_MAPPING, "--calibration-end", "2011-09-01",
            "--observation-end", "2011-12-09 12:50:00", "--unit", "day", "--output", os.path.join(OUT, "retail-holdout")]))
        step("summarize Online Retail, default ends, week", lambda: summarize_in_session(spark, [
            "--input", RETAIL, *RETAIL_MAPPING, "--unit", "week", "--output", os.path.join(OUT, "retail-week")]))
        step("summarize edge cases", lambda: summarize_in_session(spark, [
            "--input", os.path.join(ROOT, "tests", "spark", "edge_cases.csv"), "--customer", "c", "--time", "t",
            "--item", "i", "--quantity", "q", "--price", "p", "--invoice", "inv",
            "--calibration-end", "2011-06-15 12:00", "--observation-end", "2011-07-02", "--output", os.path.join(OUT, "edge")]))
        step("Parquet == CSV output", lambda: check_parquet_equals_csv(spark, os.path.join(OUT, "retail-holdout")))
        typed = os.path.join(OUT, "online_retail_typed.parquet")
        step("Online Retail as typed Parquet (timestamp, double ids)", lambda: write_typed_parquet(spark, typed))
        step("summarize typed Parquet, calibration split, day", lambda: summarize_in_session(spark, [
            "--input", typed, *RETAIL_MAPPING, "--calibration-end", "2011-09-01",
            "--observation-end", "2011-12-09 12:50:00", "--output", os.path.join(OUT, "retail-parquet")]))
    finally:
        spark.stop()

    venv_bin = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""), "PYSPARK_PYTHON": sys.executable}
    conf = [a for k, v in SPARK_CONF.items() for a in ("--conf", f"{k}={v}")]
    als_dir = os.path.join(OUT, "als")

    def submit():
        cmd = [os.path.join(venv_bin, "spark-submit"), "--master", "local[2]", *conf, os.path.join(ROOT, "spark", "submit.py"),
               "train-als", "--input", RETAIL, *RETAIL_MAPPING, "--factors", "16", "--iterations", "5", "--output", als_dir]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-5000:])
            raise SystemExit(f"spark-submit train-als failed ({done.returncode})")
        return json.loads(done.stdout.strip().splitlines()[-1])

    result = step("spark-submit train-als (16 factors, 5 iterations)", submit)
    manifest = json.load(open(os.path.join(als_dir, "manifest.json")))
    timings["ALS fit inside train-als"] = manifest["seconds"]["fit"]
    timings["train-als session start"] = result["sessionSeconds"]
    top = step("numpy top-10 for 50 customers", lambda: numpy_top10(als_dir))
    json.dump(top, open(os.path.join(OUT, "numpy_top10.json"), "w"), indent=1)
    json.dump(timings, open(os.path.join(OUT, "timings.json"), "w"), indent=2)
    print(f"spark test: done in {sum(v for k, v in timings.items() if k not in ('ALS fit inside train-als', 'train-als session start')):.1f} s")


if __name__ == "__main__":
    main()
