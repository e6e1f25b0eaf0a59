"""The script to give spark-submit: `spark-submit [spark options] spark/submit.py summarize|train-als ...`
(spark-submit runs a file, not a module; this file's directory puts regulars_spark on the path)."""

from regulars_spark.cli import main

main()
