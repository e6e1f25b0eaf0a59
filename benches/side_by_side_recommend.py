#!/usr/bin/env python3
"""Side by side with Python `implicit` 0.7.3 on the Online Retail time split used by
tests/recommend_online_retail.rs and benches/recommend.rs.

Split: purchases of customers with an id, positive quantity, invoice not starting with "C";
train = lines before 2011-09-01; test = for each training customer, the items first bought on or
after that date (items never bought by that customer before it). Interactions: number of order
lines per (customer, item) (`--values quantity` sums quantities instead).

Prints one line per model: fit seconds, seconds to recommend top-10 for every test customer
(single thread), and the metrics:
  implicit_precision  = sum(hits) / sum(min(k, |test|))   (implicit's ranking_metrics_at_k "precision")
  recall              = mean over customers of hits / |test|
  precision           = mean over customers of hits / k
  ndcg                = implicit's ndcg (ideal DCG over min(k, |test|) positions), mean over customers
Usage: python3 benches/side_by_side_recommend.py [--values count|quantity] [--repeat N]
           [--split YYYY-MM-DD] [--subset all|even|odd|uk|nonuk] [--models als,bm25,cosine,popular]
--split moves the split date (default 2011-09-01, the issue's); --subset keeps only some customers
before splitting (even / odd numeric CustomerID, or customers of the United Kingdom / elsewhere,
by the country of their first row), a stand-in for "another shop" — the same subsets as
tests/recommend_online_retail.rs's `survey` (RX_SPLITS / RX_SUBSETS).
"""
import argparse
import os
import sys
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

import implicit
from implicit.als import AlternatingLeastSquares
from implicit.evaluation import ranking_metrics_at_k
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "online-retail", "online_retail.csv.gz")
SPLIT = "2011-09-01"
K = 10


def load(subset="all"):
    df = pd.read_csv(DATA, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    df = df[df["CustomerID"].notna() & (df["CustomerID"] != "")]
    if subset in ("even", "odd"):
        parity = df["CustomerID"].astype(float).astype(int) % 2
        df = df[parity == (0 if subset == "even" else 1)]
    elif subset in ("uk", "nonuk"):
        country = df.groupby("CustomerID", sort=False)["Country"].first()
        uk = df["CustomerID"].map(country) == "United Kingdom"
        df = df[uk if subset == "uk" else ~uk]
    elif subset != "all":
        raise SystemExit(f"unknown subset {subset}")
    df = df[(df["Quantity"] > 0) & ~df["InvoiceNo"].str.startswith("C")]
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    return df


def split(df, values, split_date=SPLIT):
    cut = pd.Timestamp(split_date)
    train = df[df["InvoiceDate"] < cut]
    test = df[df["InvoiceDate"] >= cut]
    users = {u: i for i, u in enumerate(sorted(train["CustomerID"].unique()))}
    items = {s: i for i, s in enumerate(sorted(train["StockCode"].unique()))}
    tu = train["CustomerID"].map(users).to_numpy()
    ti = train["StockCode"].map(items).to_numpy()
    data = np.ones(len(train), dtype=np.float32) if values == "count" else train["Quantity"].to_numpy(np.float32)
    train_mat = sp.csr_matrix((data, (tu, ti)), shape=(len(users), len(items)), dtype=np.float32)
    train_mat.sum_duplicates()
    # test: training customers, items known to the model, not bought before the split
    test = test[test["CustomerID"].isin(users) & test["StockCode"].isin(items)]
    eu = test["CustomerID"].map(users).to_numpy()
    ei = test["StockCode"].map(items).to_numpy()
    test_mat = sp.csr_matrix((np.ones(len(eu), dtype=np.float32), (eu, ei)), shape=train_mat.shape)
    test_mat.sum_duplicates()
    test_mat.data[:] = 1
    test_mat = test_mat - test_mat.multiply(train_mat > 0)  # drop items bought before
    test_mat.eliminate_zeros()
    return train_mat, test_mat


def metrics(ids, test_mat, users):
    hits_total = 0.0
    div_total = 0.0
    recall = precision = ndcg = 0.0
    cg = 1.0 / np.log2(np.arange(2, K + 2))
    cg_sum = np.cumsum(cg)
    recommended = set()
    for row, u in enumerate(users):
        likes = set(test_mat.indices[test_mat.indptr[u]:test_mat.indptr[u + 1]])
        recs = ids[row]
        recommended.update(int(x) for x in recs if x >= 0)
        hit_flags = [int(r) in likes for r in recs[:K]]
        hits = sum(hit_flags)
        hits_total += hits
        div_total += min(K, len(likes))
        recall += hits / len(likes)
        precision += hits / K
        idcg = cg_sum[min(K, len(likes)) - 1]
        ndcg += sum(cg[i] for i, h in enumerate(hit_flags) if h) / idcg
    n = len(users)
    return {
        "implicit_precision": hits_total / div_total,
        "recall": recall / n,
        "precision": precision / n,
        "ndcg": ndcg / n,
        "coverage": len(recommended) / test_mat.shape[1],
    }


def popular_recommend(train_mat, users):
    buyers = np.asarray((train_mat > 0).sum(axis=0)).ravel().astype(np.float64)
    order = np.argsort(-buyers, kind="stable")
    out = np.full((len(users), K), -1, dtype=np.int64)
    for row, u in enumerate(users):
        bought = set(train_mat.indices[train_mat.indptr[u]:train_mat.indptr[u + 1]])
        picks = [i for i in order[: K + len(bought)] if i not in bought][:K]
        out[row, : len(picks)] = picks
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", choices=["count", "quantity"], default="count")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--split", default=SPLIT, help="split date (default %(default)s)")
    parser.add_argument("--subset", default="all", choices=["all", "even", "odd", "uk", "nonuk"])
    parser.add_argument("--models", default="als,bm25,cosine,popular")
    args = parser.parse_args()
    wanted = args.models.split(",")

    print(f"implicit {implicit.__version__}, numpy {np.__version__}")
    t = time.perf_counter()
    df = load(args.subset)
    train_mat, test_mat = split(df, args.values, args.split)
    print(f"load+split {time.perf_counter() - t:.2f}s")
    users = np.flatnonzero(np.diff(test_mat.indptr) > 0)
    print(
        f"train: {train_mat.shape[0]} customers x {train_mat.shape[1]} items, {train_mat.nnz} nonzeros; "
        f"test customers {len(users)}, test pairs {test_mat.nnz}; values={args.values}; "
        f"split {args.split}, subset {args.subset}"
    )

    models = {
        "als": lambda: AlternatingLeastSquares(
            factors=args.factors, iterations=args.iterations, num_threads=1, random_state=42,
            calculate_training_loss=False,
        ),
        "bm25": lambda: BM25Recommender(K=20, K1=1.2, B=0.75, num_threads=1),
        "cosine": lambda: CosineRecommender(K=20, num_threads=1),
    }
    with threadpool_limits(limits=1):
        for name, make in models.items():
            if name not in wanted:
                continue
            fit_times, rec_times = [], []
            for repeat in range(args.repeat + 1):
                model = make()
                t = time.perf_counter()
                model.fit(train_mat, show_progress=False)
                fit_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                ids, _ = model.recommend(users, train_mat[users], N=K, filter_already_liked_items=True)
                rec_times.append(time.perf_counter() - t)
                if repeat == 0:  # warm-up, as on the regulars side
                    fit_times.pop()
                    rec_times.pop()
            m = metrics(ids, test_mat, users)
            check = ranking_metrics_at_k(model, train_mat, test_mat, K=K, show_progress=False)
            print(
                f"{name:8s} fit {statistics.median(fit_times)*1000:9.1f} ms  recommend_all {statistics.median(rec_times)*1000:8.1f} ms  "
                + "  ".join(f"{k} {v:.4f}" for k, v in m.items())
                + f"  (ranking_metrics_at_k precision {check['precision']:.4f} ndcg {check['ndcg']:.4f})"
            )
        if "popular" not in wanted:
            return
        t = time.perf_counter()
        ids = popular_recommend(train_mat, users)
        pt = time.perf_counter() - t
        m = metrics(ids, test_mat, users)
        print(f"{'popular':8s} fit {0:9.1f} ms  recommend_all {pt*1000:8.1f} ms  " + "  ".join(f"{k} {v:.4f}" for k, v in m.items()))


if __name__ == "__main__":
    sys.exit(main())
