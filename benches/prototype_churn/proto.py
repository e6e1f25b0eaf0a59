"""Prototype for ChurnModel on the full CDNOW cohort.

Fit with transactions up to 1997-09-30 only; label = no purchase in (1997-09-30, 1998-06-30] (273 days).
Compares BTYD P(no purchase in 273 d) as-is with a supervised logistic layer trained on an internal
time split of the calibration data, converted to the requested horizon through the BTYD model.
Run: python proto.py
"""
import sys
import warnings

import numpy as np
import pandas as pd
from scipy.special import gammaln, expit, logit
from scipy.special import roots_genlaguerre
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from lifetimes import BetaGeoFitter, ParetoNBDFitter, ModifiedBetaGeoFitter

warnings.filterwarnings("ignore")
PATH = "/work/shared/data/cdnow/CDNOW_master.txt"


def load():
    df = pd.read_csv(PATH, sep=r"\s+", skiprows=1, header=None, names=["c", "d", "n", "v"], dtype={"c": str, "d": str})
    df["day"] = (pd.to_datetime(df.d, format="%Y%m%d") - pd.Timestamp("1970-01-01")).dt.days
    # same-day purchases merge
    g = df.groupby(["c", "day"], as_index=False).agg(v=("v", "sum"), n=("n", "sum"))
    return g


def day(s):
    return (pd.Timestamp(s) - pd.Timestamp("1970-01-01")).days


def summary(g, end, unit=7.0):
    """Summary at `end` (inclusive day), customers with a purchase by then."""
    cal = g[g.day <= end]
    a = cal.groupby("c").agg(first=("day", "min"), last=("day", "max"), cnt=("day", "size"), spend=("v", "sum"))
    first_spend = cal.sort_values("day").groupby("c").v.first()
    first_n = cal.sort_values("day").groupby("c").n.first()
    s = pd.DataFrame(index=a.index)
    s["frequency"] = a.cnt - 1
    s["recency"] = (a["last"] - a["first"]) / unit
    s["T"] = (end - a["first"]) / unit
    s["total_spend"] = a.spend
    s["first_spend"] = first_spend
    s["first_n"] = first_n
    s["monetary"] = np.where(s.frequency > 0, (a.spend - first_spend) / s.frequency.clip(lower=1), 0.0)
    return s


def label(g, s, end, window):
    """1 = no purchase in (end, end + window]."""
    h = g[(g.day > end) & (g.day <= end + window)]
    bought = set(h.c)
    return np.array([0 if c not in bought else 0 for c in []]) if False else np.array([0.0 if c in bought else 1.0 for c in s.index])


# ---------- BTYD P(no purchase in (T, T+t]) ----------
def bg_p0(p, x, tx, T, t, modified=False):
    r, al, a, b = p
    if modified:
        ratio = a / (b + x) * ((al + T) / (al + tx)) ** (r + x)
    else:
        ratio = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((al + T) / (al + tx)) ** (r + x), 0.0)
    pa = 1.0 / (1.0 + ratio)
    q = ((al + T) / (al + T + t)) ** (r + x)
    return 1 - pa * (1 - q), pa, q


def pareto_p0(fitter, x, tx, T, t):
    r, al, s, be = [fitter.params_[k] for k in ("r", "alpha", "s", "beta")]
    pa = fitter.conditional_probability_alive(x, tx, T)
    # given alive at T: lambda ~ Gamma(r+x, al+T), mu ~ Gamma(s, be+T) independent
    n = 48
    q = np.empty(len(x))
    for i in range(len(x)):
        shape_l, rate_l = r + x[i], al + T[i]
        shape_m, rate_m = s, be + T[i]
        zl, wl = roots_genlaguerre(n, shape_l - 1)
        zm, wm = roots_genlaguerre(n, shape_m - 1)
        wl = wl / np.exp(gammaln(shape_l))
        wm = wm / np.exp(gammaln(shape_m))
        lam = zl[:, None] / rate_l
        mu = zm[None, :] / rate_m
        f = mu / (lam + mu) + lam / (lam + mu) * np.exp(-(lam + mu) * t)
        q[i] = (wl[:, None] * wm[None, :] * f).sum()
    return 1 - pa * (1 - q), pa, q


def pareto_p0_fast(fitter, s, t):
    # group identical rows
    key = pd.DataFrame({"x": s.frequency.values, "tx": s.recency.values, "T": s["T"].values})
    u = key.drop_duplicates().reset_index(drop=True)
    p0, pa, q = pareto_p0(fitter, u.x.values, u.tx.values, u["T"].values, t)
    u["p0"], u["pa"], u["q"] = p0, pa, q
    m = key.merge(u, on=["x", "tx", "T"], how="left")
    return m.p0.values, m.pa.values, m.q.values


def fit_btyd(kind, s):
    x, tx, T = s.frequency.values, s.recency.values, s["T"].values
    if kind == "bg":
        f = BetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T)
    elif kind == "mbg":
        f = ModifiedBetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T)
    else:
        f = ParetoNBDFitter(penalizer_coef=0.0).fit(x, tx, T)
    return f


def btyd_p0(kind, f, s, t):
    x, tx, T = s.frequency.values, s.recency.values, s["T"].values
    if kind in ("bg", "mbg"):
        p = [f.params_[k] for k in ("r", "alpha", "a", "b")]
        return bg_p0(p, x, tx, T, t, modified=(kind == "mbg"))
    return pareto_p0_fast(f, s, t)


def ece(p, y, bins=10):
    idx = np.minimum((p * bins).astype(int), bins - 1)
    e = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            e += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return e


def report(name, p, y):
    print(f"{name:55s} AUC {roc_auc_score(y, p):.4f}  ECE {ece(p, y):.4f}  mean {p.mean():.3f} vs {y.mean():.3f}")


def features(s, p0, pa, q, unit=7.0):
    x = s.frequency.values
    tx = s.recency.values
    T = s["T"].values
    gap = T - tx
    usual_gap = np.where(x > 0, tx / np.maximum(x, 1), np.nan)
    overdue = np.where(x > 0, gap / np.maximum(usual_gap, 1.0 / unit), np.nan)
    eps = 1e-6
    F = np.column_stack([
        logit(np.clip(p0, eps, 1 - eps)),
        logit(np.clip(pa, eps, 1 - eps)),
        np.log1p(x),
        tx / T,
        np.log1p(gap),
        np.log1p(T),
        np.log1p(s.total_spend.values),
        np.log1p(s.first_spend.values),
        np.log1p(np.nan_to_num(overdue, nan=0.0)),
        (x == 0).astype(float),
    ])
    return F


def main():
    g = load()
    cal_end = day("1997-09-30")
    h = 273
    s = summary(g, cal_end)
    y = label(g, s, cal_end, h)
    print("customers", len(s), "no purchase share", y.mean())
    models = {}
    for kind in ("bg", "mbg", "pareto"):
        f = fit_btyd(kind, s)
        models[kind] = f
        p0, pa, q = btyd_p0(kind, f, s, h / 7.0)
        report(f"{kind} P0(273d) as-is", p0, y)
        report(f"{kind} 1-P(alive)", 1 - pa, y)
    # --- supervised layer on an internal split ---
    first = g.day.min()
    span = cal_end - first
    for w in [int(sys.argv[1])] if len(sys.argv) > 1 else [91, 120]:
        split = cal_end - w
        s_in = summary(g, split)
        y_in = label(g, s_in, split, w)
        rng = np.random.default_rng(7)
        held = rng.random(len(s_in)) < 0.3
        for kind in ("bg", "pareto"):
            f_in = fit_btyd(kind, s_in)
            p0_in, pa_in, q_in = btyd_p0(kind, f_in, s_in, w / 7.0)
            X_in = features(s_in, p0_in, pa_in, q_in)
            mu, sd = X_in[~held].mean(0), X_in[~held].std(0) + 1e-9
            lr = LogisticRegression(C=1.0, max_iter=2000).fit((X_in[~held] - mu) / sd, y_in[~held])
            pv = lr.predict_proba((X_in[held] - mu) / sd)[:, 1]
            print(f"  internal w={w} {kind}: held-out AUC btyd {roc_auc_score(y_in[held], p0_in[held]):.4f} "
                  f"sup {roc_auc_score(y_in[held], pv):.4f}; ECE btyd {ece(p0_in[held], y_in[held]):.4f} sup {ece(pv, y_in[held]):.4f}")
            # Platt on btyd alone for the internal window
            # --- apply at cal_end ---
            f_full = models[kind]
            p0_w, pa_f, q_w = btyd_p0(kind, f_full, s, w / 7.0)
            p0_h, _, q_h = btyd_p0(kind, f_full, s, h / 7.0)
            # (i) direct: swap in the horizon's BTYD probability
            X_h = features(s, p0_h, pa_f, q_h)
            p_direct = lr.predict_proba((X_h - mu) / sd)[:, 1]
            report(f"  w={w} {kind} (i) direct feature swap", p_direct, y)
            # (ii) structural: predict p_w at cal_end, implied P(alive), then horizon through BTYD q
            X_w = features(s, p0_w, pa_f, q_w)
            p_w = lr.predict_proba((X_w - mu) / sd)[:, 1]
            pa_adj = np.clip((1 - p_w) / np.maximum(1 - q_w, 1e-9), 0, 1)
            p_struct = 1 - pa_adj * (1 - q_h)
            report(f"  w={w} {kind} (ii) implied P(alive) -> horizon", p_struct, y)


if __name__ == "__main__":
    main()
