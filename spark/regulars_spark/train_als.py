"""MLlib ALS with implicit preferences on the customer x item matrix, written in the factor
interchange format regulars loads (spark/README.md, "Factor files").

The matrix is built from the rows regulars' importer keeps (rows.clean, same drops and canonical
customer ids), and each cell holds what regulars' Recommender uses by default: the number of
order lines of that (customer, item) (`--value lines`; or summed `quantity`, or `binary`).
MLlib's confidence is c = 1 + alpha * value (Hu, Koren & Volinsky 2008, eq. 2 with the linear
scaling); its regularization is scaled by each row's number of ratings (Zhou et al. 2008, ALS-WR),
so its lambda is not on the scale of regulars' own (implicit-style) regularization.
Customers and items are numbered densely in order of first appearance, which is also the row
order of the written files.
"""

import json
import time as clock
from datetime import datetime, timezone

import pyspark
from pyspark.ml.recommendation import ALS
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from regulars_spark import rows as R
from regulars_spark.summarize import _write_text

FORMAT = "regulars-factors"
VERSION = 1
ROWS_PER_WRITE = 8192


def dense_index(keys: DataFrame, order: str, name: str) -> DataFrame:
    """`keys` with a column `name` = 0..n-1 in `order`: range-partitioned by `order`, numbered
    inside each partition, shifted by the sizes of the partitions before it (no single-partition
    window, so it scales with the cluster)."""
    spark = keys.sparkSession
    ranged = keys.orderBy(order).withColumn("_part", F.spark_partition_id())
    numbered = ranged.withColumn("_rn", F.row_number().over(Window.partitionBy("_part").orderBy(order)) - 1)
    sizes = sorted((r["_part"], r["n"]) for r in ranged.groupBy("_part").agg(F.count("*").alias("n")).collect())
    offsets, total = [], 0
    for part, n in sizes:
        offsets.append((part, total))
        total += n
    offsets_df = spark.createDataFrame(offsets, "_part int, _offset long")
    return (
        numbered.join(F.broadcast(offsets_df), "_part")
        .withColumn(name, (F.col("_offset") + F.col("_rn")).cast("int"))
        .drop("_part", "_rn", "_offset")
    )


def write_factors(spark, factors: DataFrame, ids: DataFrame, index: str, id_col: str, rank: int, ids_path: str, f32_path: str) -> int:
    """Streams (id, features) rows in index order to an ids text file and a float32 file; returns
    the row count. Rows come to the driver a partition at a time (toLocalIterator)."""
    import numpy as np

    rows = ids.join(factors, ids[index] == factors["id"]).select(index, id_col, "features").orderBy(index)
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()

    def create(path):
        p = jvm.org.apache.hadoop.fs.Path(path)
        fs = p.getFileSystem(conf)
        fs.setWriteChecksum(False)  # no .crc files beside ours on a local disk
        return fs.create(p, True)

    id_out, f32_out = create(ids_path), create(f32_path)
    count, batch_ids, batch_vectors = 0, [], []

    def flush():
        if batch_ids:
            id_out.write(bytearray("".join(i + "\n" for i in batch_ids).encode("utf-8")))
            f32_out.write(bytearray(np.asarray(batch_vectors, dtype="<f4").reshape(-1, rank).tobytes()))
            batch_ids.clear()
            batch_vectors.clear()

    for row in rows.toLocalIterator(prefetchPartitions=True):
        if row[index] != count:
            raise RuntimeError(f"{id_col} rows are not dense: expected index {count}, got {row[index]}")
        batch_ids.append(row[id_col])
        batch_vectors.append(row["features"])
        count += 1
        if len(batch_ids) >= ROWS_PER_WRITE:
            flush()
    flush()
    id_out.close()
    f32_out.close()
    return count


def run(spark: SparkSession, args) -> dict:
    started = clock.time()
    mapping = R.Mapping(
        customer=args.customer, time=args.time, amount=args.amount, item=args.item,
        quantity=args.quantity, price=args.price, invoice=args.invoice, keep_zero_amounts=args.keep_zero_amounts,
    )
    if not args.item:
        raise ValueError("train-als needs --item")
    if args.value == "quantity" and not args.quantity:
        raise ValueError("--value quantity needs --quantity")
    raw, is_csv = R.read_input(spark, args.input, args.delimiter, args.multiline)
    rows = R.clean(raw, mapping).cache()
    report = R.report(rows)
    kept = rows.filter(F.col("dropped").isNull())
    bad = kept.filter(F.col("customer").rlike("[\r\n]") | F.col("item").rlike("[\r\n]")).select("customer", "item").first()
    if bad is not None:
        raise ValueError(f"ids must not contain line breaks (the id files hold one per line): customer {bad[0]!r}, item {bad[1]!r}")

    customers = dense_index(kept.groupBy("customer").agg(F.min("pos").alias("pos")), "pos", "u").cache()
    items = dense_index(kept.groupBy("item").agg(F.min("pos").alias("pos")), "pos", "i").cache()
    value = {"lines": F.count("*"), "quantity": F.sum("quantity"), "binary": F.lit(1)}[args.value]
    ratings = (
        kept.groupBy("customer", "item").agg(value.cast("float").alias("r"))
        .join(customers.select("customer", "u"), "customer")
        .join(items.select("item", "i"), "item")
        .select("u", "i", "r")
        .cache()
    )
    pairs = ratings.count()
    prepared = clock.time()
    als = ALS(
        rank=args.factors, maxIter=args.iterations, regParam=args.regularization, alpha=args.alpha,
        implicitPrefs=True, userCol="u", itemCol="i", ratingCol="r", seed=args.seed,
        coldStartStrategy="drop", nonnegative=False,
    )
    fit_started = clock.time()
    model = als.fit(ratings)
    fit_seconds = clock.time() - fit_started
    base = args.output.rstrip("/")
    write_started = clock.time()
    n_items = write_factors(spark, model.itemFactors, items, "i", "item", args.factors, f"{base}/items.txt", f"{base}/item_factors.f32")
    n_customers = write_factors(
        spark, model.userFactors, customers, "u", "customer", args.factors, f"{base}/customers.txt", f"{base}/customer_factors.f32"
    )
    write_seconds = clock.time() - write_started
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "factors": args.factors,
        "dtype": "float32",
        "byteOrder": "little-endian",
        "layout": "row-major: row k of a .f32 file is the factor vector of line k of its ids file",
        "items": {"count": n_items, "ids": "items.txt", "factors": "item_factors.f32"},
        "customers": {"count": n_customers, "ids": "customers.txt", "factors": "customer_factors.f32"},
        "hyperParameters": {
            "algorithm": "als",
            "implicitPrefs": True,
            "factors": args.factors,
            "iterations": args.iterations,
            "regularization": args.regularization,
            "alpha": args.alpha,
            "seed": args.seed,
            "value": args.value,
        },
        "counts": {**report, "pairs": pairs, "customers": n_customers, "items": n_items},
        "trainedAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "trainer": f"Spark MLlib ALS (pyspark {pyspark.__version__})",
        "input": args.input,
        "seconds": {
            "prepare": round(prepared - started, 2),
            "fit": round(fit_seconds, 2),
            "write": round(write_seconds, 2),
            "total": round(clock.time() - started, 2),
        },
    }
    _write_text(spark, f"{base}/manifest.json", json.dumps(manifest, indent=2) + "\n")
    for df in (rows, customers, items, ratings):
        df.unpersist()
    return manifest
