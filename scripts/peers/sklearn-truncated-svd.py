#!/usr/bin/env python3
"""scikit-learn's TruncatedSVD on the zero-filled rating matrix, scored with recsys evaluate's NDCG@10.

The peer figure the README compares with. Needs Debian's python3-sklearn and python3-pandas
(`apt-get install -y python3-sklearn python3-pandas`); run it with /usr/bin/python3.

Usage: scripts/peers/sklearn-truncated-svd.py [--rank 50] [--seeds 0-19] [--exact] [data-dir]

The metric is recsys's (src/Recsys.Factorization/Evaluation): every test user with a held-out rating >= 4 is
ranked; the top 10 are chosen from the training items minus the user's own; binary gains; the ideal DCG has
min(10, relevant) hits, and relevant test items absent from training still count as relevant.
"""
import argparse
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

K, THRESHOLD = 10, 4.0


def seeds(text):
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


parser = argparse.ArgumentParser()
parser.add_argument("data", nargs="?", default="../shared/data/ml-latest-small")
parser.add_argument("--rank", type=int, default=50)
parser.add_argument("--seeds", type=seeds, default=seeds("0-19"), help="random_state values, e.g. 0-19")
parser.add_argument("--exact", action="store_true", help="also score the exact SVD (numpy, dense)")
args = parser.parse_args()

train = pd.read_csv(f"{args.data}/splits/train-80.csv")
test = pd.read_csv(f"{args.data}/splits/test-20.csv")
users = {u: i for i, u in enumerate(sorted(train.userId.unique()))}
items = {m: j for j, m in enumerate(sorted(train.movieId.unique()))}
matrix = sp.csr_matrix(
    (train.rating.values, (train.userId.map(users).values, train.movieId.map(items).values)),
    shape=(len(users), len(items)))
relevant = test[test.rating >= THRESHOLD].groupby("userId").movieId.apply(list)
if any(u not in users for u in relevant.index):
    sys.exit("a test user is absent from training; this script has no cold-start ranking")
discount = 1 / np.log2(np.arange(2, K + 2))


def ndcg(scores):
    total = 0.0
    for user, held_out in relevant.items():
        row = users[user]
        s = scores[row].copy()
        s[matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]] = -np.inf
        top = np.argpartition(-s, K)[:K]
        top = top[np.argsort(-s[top], kind="stable")]
        hits = {items[m] for m in held_out if m in items}
        total += sum(discount[p] for p, j in enumerate(top) if j in hits) / discount[:min(K, len(held_out))].sum()
    return total / len(relevant)


print(f"{len(relevant)} ranked users, rank {args.rank}")
if args.exact:
    u, s, vt = np.linalg.svd(matrix.toarray(), full_matrices=False)
    print(f"exact SVD: NDCG@{K} {ndcg((u[:, :args.rank] * s[:args.rank]) @ vt[:args.rank]):.4f}")
values = []
for seed in args.seeds:
    start = time.perf_counter()
    model = TruncatedSVD(args.rank, random_state=seed)
    values.append(ndcg(model.fit_transform(matrix) @ model.components_))
    print(f"random_state {seed}: NDCG@{K} {values[-1]:.4f} ({time.perf_counter() - start:.2f} s with scoring)")
if len(values) > 1:
    v = np.array(values)
    print(f"NDCG@{K} {v.mean():.4f} ± {v.std(ddof=1):.4f} ({v.min():.4f} to {v.max():.4f}) over {len(v)} seeds")
