"""The per-customer summary regulars' `tx.summary(...)` computes (src/data/summary.rs), as a
Spark job: one row per customer with a purchase in the (calibration) period.

Conventions, each as in regulars:
- a purchase's day is its UTC calendar day, floor(ms / 86,400,000); purchases on one day are one
  transaction whose spend is their sum;
- `observationEnd` defaults to the last kept transaction's time; `calibrationEnd` and
  `observationEnd` are inclusive (a purchase at exactly that instant counts);
- the period ends at `calibrationEnd` when given, else at `observationEnd`;
- `frequency` = transactions (days) in the period - 1; `recency` = last day - first day;
  `T` = (period end in ms - first day * DAY) / unit; both in the unit (day or week = 7 days);
- `monetary` = mean spend of the repeat transactions (0 without any); `totalSpend` = all spend
  in the period, first transaction included;
- with `calibrationEnd`: `holdoutFrequency` = transactions (days) after it up to
  `observationEnd`, `holdoutMonetary` = their mean spend (0 without any); a day cut by the
  calibration end is one transaction on each side, as in regulars;
- customers come in order of first appearance among the kept rows (for one input file: file
  order), as regulars interns them.
"""

import json
import os
import time as clock
from datetime import datetime, timezone

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from regulars_spark import rows as R

UNITS = {"day": 1.0, "week": 7.0}
COLUMNS = ["customer", "frequency", "recency", "T", "monetary", "totalSpend"]
HOLDOUT_COLUMNS = ["holdoutFrequency", "holdoutMonetary"]


def iso(ms):
    return None if ms is None else datetime.fromtimestamp(ms / 1000.0, timezone.utc).isoformat().replace("+00:00", "Z")


def summary(kept: DataFrame, observation_end, calibration_end, unit: str):
    """(summary DataFrame ordered by first appearance, metadata dict). `kept`: rows of
    rows.clean with `dropped` null, columns pos, customer, time and amount (optional)."""
    if unit not in UNITS:
        raise ValueError(f'--unit must be "day" or "week", got "{unit}"')
    unit_ms = UNITS[unit] * R.DAY_MS
    if "amount" not in kept.columns:
        kept = kept.withColumn("amount", F.lit(0.0))
    bounds = kept.agg(F.min("time").alias("first"), F.max("time").alias("last"), F.count("*").alias("n")).first()
    if bounds["n"] == 0:
        raise ValueError("the input has no usable rows")
    obs_end = bounds["last"] if observation_end is None else observation_end
    if calibration_end is not None and calibration_end > obs_end:
        raise ValueError("--calibration-end must not be after --observation-end")
    period_end = obs_end if calibration_end is None else calibration_end
    if period_end < bounds["first"]:
        raise ValueError("the period ends before the first transaction: no customer has a purchase in it")

    order = kept.groupBy("customer").agg(F.min("pos").alias("pos"))
    days = (
        kept.filter(F.col("time") <= F.lit(obs_end))
        .withColumn("day", F.floor(F.col("time") / F.lit(R.DAY_MS)).cast("double"))
        .withColumn("holdout", F.col("time") > F.lit(period_end))
        .groupBy("customer", "holdout", "day")
        .agg(F.sum("amount").alias("spend"))
    )
    cal = days.filter(~F.col("holdout")).withColumn("fd", F.min("day").over(Window.partitionBy("customer")))
    cal = cal.groupBy("customer").agg(
        F.min("day").alias("first_day"),
        F.max("day").alias("last_day"),
        F.count("*").alias("n_days"),
        F.sum(F.when(F.col("day") > F.col("fd"), F.col("spend")).otherwise(0.0)).alias("repeat_spend"),
        F.sum("spend").alias("totalSpend"),
    )
    freq = (F.col("n_days") - 1).cast("double")
    out = cal.select(
        "customer",
        freq.alias("frequency"),
        ((F.col("last_day") - F.col("first_day")) * F.lit(R.DAY_MS) / F.lit(unit_ms)).alias("recency"),
        ((F.lit(period_end) - F.col("first_day") * F.lit(R.DAY_MS)) / F.lit(unit_ms)).alias("T"),
        F.when(freq > 0, F.col("repeat_spend") / freq).otherwise(0.0).alias("monetary"),
        "totalSpend",
    )
    columns = list(COLUMNS)
    if calibration_end is not None:
        hold = days.filter(F.col("holdout")).groupBy("customer").agg(
            F.count("*").cast("double").alias("holdoutFrequency"), F.sum("spend").alias("holdout_spend")
        )
        out = out.join(hold, "customer", "left").select(
            *COLUMNS,
            F.coalesce(F.col("holdoutFrequency"), F.lit(0.0)).alias("holdoutFrequency"),
            F.when(F.col("holdoutFrequency") > 0, F.col("holdout_spend") / F.col("holdoutFrequency"))
            .otherwise(0.0)
            .alias("holdoutMonetary"),
        )
        columns += HOLDOUT_COLUMNS
    out = out.join(order, "customer").orderBy("pos").select(*columns)
    meta = {
        "unit": unit,
        "observationEnd": obs_end,
        "observationEndIso": iso(obs_end),
        "calibrationEnd": calibration_end,
        "calibrationEndIso": iso(calibration_end),
        "holdoutDuration": None if calibration_end is None else (obs_end - calibration_end) / unit_ms,
        "columns": columns,
    }
    return out, meta


def run(spark: SparkSession, args) -> dict:
    started = clock.time()
    mapping = R.Mapping(
        customer=args.customer, time=args.time, amount=args.amount, item=args.item,
        quantity=args.quantity, price=args.price, invoice=args.invoice, keep_zero_amounts=args.keep_zero_amounts,
    )
    raw, is_csv = R.read_input(spark, args.input, args.delimiter, args.multiline)
    rows = R.clean(raw, mapping).cache()
    report = R.report(rows)
    kept = rows.filter(F.col("dropped").isNull()).drop("dropped")
    from regulars_spark.times import parse_end

    out, meta = summary(
        kept, parse_end("--observation-end", args.observation_end), parse_end("--calibration-end", args.calibration_end), args.unit
    )
    out = out.cache()
    customers = out.count()
    out.write.mode("overwrite").parquet(os.path.join(args.output, "summary.parquet"))
    if not args.no_csv:
        # Java's Double.toString, which Spark's CSV writer uses, round-trips every double exactly.
        out.write.mode("overwrite").option("header", True).option("escape", '"').csv(os.path.join(args.output, "summary.csv"))
    meta = {
        "format": "regulars-summary",
        "version": 1,
        **meta,
        "customers": customers,
        "report": report,
        "input": args.input,
        "files": {"parquet": "summary.parquet", **({} if args.no_csv else {"csv": "summary.csv"})},
        "createdAt": iso(clock.time() * 1000.0),
        "seconds": round(clock.time() - started, 2),
    }
    _write_text(spark, os.path.join(args.output, "summary.json"), json.dumps(meta, indent=2) + "\n")
    rows.unpersist()
    out.unpersist()
    return meta


def _write_text(spark, path: str, content: str):
    """A small file next to Spark's output, on whatever file system the output is on."""
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.setWriteChecksum(False)  # no .crc files beside ours on a local disk
    stream = fs.create(hpath, True)
    stream.write(bytearray(content.encode("utf-8")))
    stream.close()
