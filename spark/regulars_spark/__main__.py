"""`python -m regulars_spark summarize|train-als ...` (local mode unless a master is configured)."""

from regulars_spark.cli import main

main()
