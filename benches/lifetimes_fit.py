"""Times Python lifetimes on a summary written by side_by_side_churn.mjs (the same customers
regulars fits), and prints JSON: median seconds per fit and the fitted parameters."""
import json
import statistics
import sys
import time

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

summary = pd.read_csv(sys.argv[1])
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def timed(make_fit):
    times, params = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        params = make_fit()
        times.append(time.perf_counter() - start)
    return {"median_seconds": statistics.median(times), "params": params}


f, r, t = summary["frequency"], summary["recency"], summary["T"]
repeaters = summary[summary["frequency"] > 0]
out = {
    "bg_nbd": timed(lambda: BetaGeoFitter().fit(f, r, t).params_.to_dict()),
    "pareto_nbd": timed(lambda: ParetoNBDFitter().fit(f, r, t).params_.to_dict()),
    "gamma_gamma": timed(lambda: GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary"]).params_.to_dict()),
}
print(json.dumps(out))
