"""regulars on Spark: the per-customer summary and ALS factors, computed where the data is, in
the formats regulars (Node, browser, edge worker) loads. See spark/README.md."""

__version__ = "0.1.0"
