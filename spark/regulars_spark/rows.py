"""Transaction rows as regulars' CSV importer keeps them, as Spark column expressions.

Mirrors src/data/csv.rs (which rows are dropped, and why, in the same order of checks),
src/data/time.rs (which time texts parse, to the same epoch milliseconds) and
`canonical_id` ("17850.0" and "17850" are one customer). Everything runs in the JVM (no Python
UDFs), so executors need no Python code of ours.

Differences from the importer, in the report only: Spark skips blank lines instead of counting
them as "empty line" rows, and a short row's missing fields read as empty ones. Cancellations are
not netted (regulars' `net_cancellations` is off by default too).
"""

from dataclasses import dataclass
from typing import Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

DAY_MS = 86_400_000.0

# Rust's str::trim strips Unicode White_Space; Java's (?U)\s is the same property.
_TRIM = r"(?U)^\s+|\s+$"
# Finite numbers as Rust's f64::from_str reads them (inf and nan parse there but are not finite).
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_DIGITS_1_4 = "[0-9]{1,4}"


@dataclass
class Mapping:
    """Which columns hold which field (regulars' CsvMapping)."""

    customer: str
    time: Optional[str] = None
    amount: Optional[str] = None
    item: Optional[str] = None
    quantity: Optional[str] = None
    price: Optional[str] = None
    invoice: Optional[str] = None
    keep_zero_amounts: bool = False


def read_input(spark, path: str, delimiter: str = ",", multiline: bool = False):
    """(DataFrame, is_csv): Parquet (a directory or *.parquet) or CSV with a header, every CSV
    column as text.

    CSV quoting is RFC 4180 (doubled quotes), as in regulars; `multiline` allows newlines inside
    quoted fields (Spark then reads each file in one task).
    """
    lower = path.rstrip("/").lower()
    if lower.endswith(".parquet") or lower.endswith(".pq") or _is_parquet_dir(spark, path):
        return spark.read.parquet(path), False
    df = (
        spark.read.option("header", True)
        .option("sep", delimiter)
        .option("quote", '"')
        .option("escape", '"')
        .option("multiLine", multiline)
        .option("inferSchema", False)
        .option("mode", "PERMISSIVE")
        .csv(path)
    )
    return df, True


def _is_parquet_dir(spark, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(hpath) or not fs.getFileStatus(hpath).isDirectory():
        return False
    return any(s.getPath().getName().endswith(".parquet") for s in fs.listStatus(hpath))


def trimmed(c: Column) -> Column:
    return F.regexp_replace(c, _TRIM, "")


def text(df: DataFrame, name: str) -> Column:
    """A column as text the way the importer sees a field; numbers in Parquet become their text
    (whole doubles without the ".0" Spark would add, so ids stay ids)."""
    dtype = df.schema[name].dataType
    c = F.col(name)
    if isinstance(dtype, (T.FloatType, T.DoubleType)):
        whole = (c == F.floor(c)) & (F.abs(c) < 2.0**53)
        return F.when(whole, c.cast("long").cast("string")).otherwise(c.cast("string"))
    if isinstance(dtype, T.StringType):
        return c
    return c.cast("string")


def canonical_id(c: Column) -> Column:
    """regulars' canonical_id: trimmed, and "17850.0" -> "17850" (digits only before ".0")."""
    t = trimmed(c)
    return F.when(t.rlike(r"^[0-9]+\.0$"), F.regexp_extract(t, r"^([0-9]+)\.0$", 1)).otherwise(t)


def parse_number(c: Column) -> Column:
    """A finite double from text, else null (Rust: `s.trim().parse::<f64>()`, finite only)."""
    t = trimmed(c)
    v = t.try_cast("double")
    return F.when(t.rlike(_NUMBER) & ~F.isnan(v) & (F.abs(v) < F.lit(float("inf"))), v)


def number_column(df: DataFrame, name: str) -> Column:
    dtype = df.schema[name].dataType
    if isinstance(dtype, T.NumericType):
        v = F.col(name).cast("double")
        return F.when(~F.isnan(v) & (F.abs(v) < F.lit(float("inf"))), v)
    return parse_number(text(df, name))


def _days_from_civil(yy: Column, m: Column, d: Column) -> Column:
    """Howard Hinnant's days_from_civil in integer arithmetic (as in src/data/time.rs); `yy` is
    the year, less one in January and February."""
    era = _div(F.when(yy >= 0, yy).otherwise(yy - 399), 400)
    year_of_era = yy - era * 400
    mp = F.when(m > 2, m - 3).otherwise(m + 9)
    day_of_year = _div(153 * mp + 2, 5) + d - 1
    day_of_era = year_of_era * 365 + _div(year_of_era, 4) - _div(year_of_era, 100) + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _div(a: Column, b: int) -> Column:
    """Integer division truncating toward zero, like Rust's `/` on i64 (values here are far
    below 2^53, so the double quotient is exact before the truncation)."""
    q = a.cast("double") / float(b)
    return F.when(q >= 0, F.floor(q)).otherwise(-F.floor(-q)).cast("long")


def _date_ms(y: Column, m: Column, d: Column, yy: Column) -> Column:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = (
        F.when(m.isin(1, 3, 5, 7, 8, 10, 12), 31)
        .when(m.isin(4, 6, 9, 11), 30)
        .when(leap, 29)
        .otherwise(28)
    )
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (d <= dim)
    return F.when(valid, _days_from_civil(yy, m, d).cast("double") * F.lit(DAY_MS))


def with_time(df: DataFrame, source: Column, out: str) -> DataFrame:
    """`df` with `out` = epoch ms parsed from the text `source`, or null: regulars' parse_time
    (src/data/time.rs), format by format: compact YYYYMMDD; Y-M-D or M/D/YYYY, optionally
    followed (after the first ' ' or 'T') by H:MM[:SS[.fff]] and trailing 'Z's; else a finite
    number of epoch milliseconds. Built in stages (columns `_t*`, dropped by the caller) so that
    no stage repeats a big sub-expression and Spark's generated code stays small."""
    s, date = F.col("_ts"), F.col("_tdate")
    dash = rf"^({_DIGITS_1_4})-({_DIGITS_1_4})-({_DIGITS_1_4})$"
    slash = rf"^({_DIGITS_1_4})/({_DIGITS_1_4})/({_DIGITS_1_4})$"
    clock_re = rf"^({_DIGITS_1_4}):({_DIGITS_1_4})(:([^:]*))?$"
    df = df.withColumn("_ts", trimmed(source))
    df = df.withColumn("_tdate", F.regexp_extract(s, r"^([^ T]*)", 1)).withColumn(
        "_tclock", trimmed(F.regexp_extract(s, r"^[^ T]*[ T](.*)$", 1))
    )
    kind = (
        F.when(s.isNull() | (s == ""), F.lit(None))
        .when(s.rlike(r"^[0-9]{8}$"), "compact")
        .when(date.contains("-"), F.when(date.rlike(dash), "dash").otherwise("bad"))
        .when(date.contains("/"), F.when(date.rlike(slash), "slash").otherwise("bad"))
        .when(s.rlike(r"^\+?([0-9]+\.?[0-9]*|\.[0-9]+)([eE]\+?[0-9]+)?$"), "epoch")
    )
    df = df.withColumn("_tkind", kind)
    k = F.col("_tkind")
    part = lambda pattern, i: F.regexp_extract(date, pattern, i).try_cast("long")  # noqa: E731
    df = df.withColumn("_ty", F.when(k == "compact", F.substring(s, 1, 4).try_cast("long"))
                       .when(k == "dash", part(dash, 1)).when(k == "slash", part(slash, 3)))
    df = df.withColumn("_tm", F.when(k == "compact", F.substring(s, 5, 2).try_cast("long"))
                       .when(k == "dash", part(dash, 2)).when(k == "slash", part(slash, 1)))
    df = df.withColumn("_td", F.when(k == "compact", F.substring(s, 7, 2).try_cast("long"))
                       .when(k == "dash", part(dash, 3)).when(k == "slash", part(slash, 2)))
    y, m, d = F.col("_ty"), F.col("_tm"), F.col("_td")
    df = df.withColumn("_tyy", F.when(m <= 2, y - 1).otherwise(y))
    df = df.withColumn("_tday", F.when((k != "slash") | (y >= 100), _date_ms(y, m, d, F.col("_tyy"))))
    # The clock, after trailing Zs: HH:MM[:SS] with SS a number in [0, 61).
    cl = F.col("_tcl")
    df = df.withColumn("_tcl", F.regexp_replace(F.col("_tclock"), "Z+$", ""))
    df = df.withColumn("_th", F.regexp_extract(cl, clock_re, 1).try_cast("long")).withColumn(
        "_tmi", F.regexp_extract(cl, clock_re, 2).try_cast("long")
    ).withColumn("_tsec_text", F.when(F.regexp_extract(cl, clock_re, 3) != "", F.regexp_extract(cl, clock_re, 4)))
    sec_text = F.col("_tsec_text")
    df = df.withColumn("_tsec", F.when(sec_text.isNull(), F.lit(0.0)).when(sec_text.rlike(_NUMBER), sec_text.try_cast("double")))
    h, mi, sec = F.col("_th"), F.col("_tmi"), F.col("_tsec")
    clock_ok = cl.rlike(clock_re) & (h <= 23) & (mi <= 59) & sec.isNotNull() & (sec >= 0.0) & (sec < 61.0)
    clock_ms = F.when(clock_ok, (h.cast("double") * 3600.0 + mi.cast("double") * 60.0 + sec) * 1000.0)
    day = F.col("_tday")
    with_clock = F.when(F.col("_tclock") == "", day).otherwise(day + clock_ms)
    df = df.withColumn("_tepoch", F.when(k == "epoch", s.try_cast("double")))
    epoch = F.col("_tepoch")
    return df.withColumn(
        out,
        F.when(k == "compact", day)
        .when(k.isin("dash", "slash"), with_clock)
        .when(k == "epoch", F.when(~F.isnan(epoch) & (F.abs(epoch) < F.lit(float("inf"))), epoch)),
    )


def with_time_column(df: DataFrame, name: str, out: str) -> DataFrame:
    """`out` = epoch ms of the time column `name`: text is parsed as regulars parses it; a
    timestamp or date column is taken as is (UTC); a number is epoch milliseconds."""
    dtype = df.schema[name].dataType
    c = F.col(name)
    if isinstance(dtype, (T.TimestampType, T.TimestampNTZType)):
        return df.withColumn(out, F.unix_micros(c.cast("timestamp")).cast("double") / 1000.0)
    if isinstance(dtype, T.DateType):
        return df.withColumn(out, F.unix_date(c).cast("double") * F.lit(DAY_MS))
    if isinstance(dtype, T.NumericType):
        return df.withColumn(out, number_column(df, name))
    return with_time(df, text(df, name), out)


def clean(df: DataFrame, m: Mapping) -> DataFrame:
    """The importer's rows: columns `pos` (read order), `customer`, `time` (epoch ms, when
    mapped), `amount`, `item`, `quantity` (when mapped) and `dropped` (the importer's reason, null
    for kept rows), checked in the importer's order. A null field counts as an empty one (Spark's
    CSV reader cannot tell a short row's missing fields from empty ones, so regulars' "too few
    columns" rows are reported under the reason of their first empty field instead)."""
    for role, name in vars(m).items():
        if isinstance(name, str) and name not in df.columns:
            raise ValueError(
                f"column '{name}' (--{role.replace('_', '-')}) is not in the input; columns are: {', '.join(df.columns)}"
            )
    if m.price and not m.quantity and not m.amount:
        raise ValueError("--price needs --quantity (amount = quantity * price)")
    cols = [F.monotonically_increasing_id().alias("pos"), canonical_id(text(df, m.customer)).alias("customer")]
    if m.item:
        cols.append(trimmed(text(df, m.item)).alias("item"))
    if m.invoice:
        cols.append(trimmed(text(df, m.invoice)).alias("_invoice"))
    # Raw inputs under names of our own, so no input column name can clash with an output's.
    raw = {role: name for role, name in (("time", m.time), ("quantity", m.quantity), ("amount", m.amount), ("price", m.price)) if name}
    out = df.select(*cols, *[F.col(name).alias(f"_in_{role}") for role, name in raw.items()])
    if m.time:
        out = with_time_column(out, "_in_time", "time")
    for role, alias in (("quantity", "quantity"), ("amount", "_amount"), ("price", "_price")):
        if role in raw:
            out = out.withColumn(alias, number_column(out, f"_in_{role}"))
    if m.amount:
        out = out.withColumn("amount", F.col("_amount"))
    elif m.price:
        out = out.withColumn("amount", F.col("_price") * F.col("quantity"))
    reason = F.when(F.col("customer").isNull() | (F.col("customer") == ""), "missing customer")
    if m.invoice:
        reason = reason.when(F.col("_invoice").rlike("^[Cc]"), "cancellation")
    if m.time:
        reason = reason.when(F.col("time").isNull(), "unparsable time")
    if m.quantity:
        reason = (
            reason.when(F.col("quantity").isNull(), "unparsable quantity")
            .when(F.col("quantity") < 0.0, "cancellation")
            .when(F.col("quantity") == 0.0, "zero quantity")
        )
    if m.amount:
        reason = reason.when(F.col("_amount").isNull(), "unparsable amount")
    elif m.price:
        reason = reason.when(F.col("_price").isNull(), "unparsable price")
    if m.amount or m.price:
        bad = F.col("amount") < 0.0
        if not m.keep_zero_amounts:
            bad = bad | (F.col("amount") == 0.0)
        reason = reason.when(bad, "non-positive amount")
    if m.item:
        reason = reason.when(F.col("item").isNull() | (F.col("item") == ""), "missing item")
    keep = ["pos", "customer"] + [c for c in ("time", "amount", "item", "quantity") if c in out.columns]
    return out.withColumn("dropped", reason).select(*keep, "dropped")


def report(rows: DataFrame) -> dict:
    """The import report regulars gives (`tx.report`): rows, kept, dropped by reason."""
    counts = {r["dropped"]: r["n"] for r in rows.groupBy("dropped").agg(F.count("*").alias("n")).collect()}
    kept = counts.pop(None, 0)
    return {"rows": kept + sum(counts.values()), "kept": kept, "dropped": dict(sorted(counts.items()))}
