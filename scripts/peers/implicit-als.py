#!/usr/bin/python3
"""The peer of `recsys train --algorithm als-implicit` for scripts/implicit-compare.sh: implicit's
AlternatingLeastSquares (conjugate gradient; its solver takes 3 steps, as Recsys) with Recsys' defaults — 64 factors, 15 iterations,
regularization 20, ratings of 4 or more are positives with confidence 1 + alpha = 6 — on every core. Reads a ratings
CSV (userId,movieId,rating,...; numpy's C reader), builds the user x item matrix and fits; prints the fit alone.

    PYTHONPATH=IMPLICIT_BUILD /usr/bin/python3 scripts/peers/implicit-als.py RATINGS.csv
"""
import sys
import time

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares

ratings = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, usecols=(0, 1, 2), dtype=np.float64)
users, user_index = np.unique(ratings[:, 0].astype(np.int64), return_inverse=True)
items, item_index = np.unique(ratings[:, 1].astype(np.int64), return_inverse=True)
positive = ratings[:, 2] >= 4.0
matrix = sp.csr_matrix(
    (np.ones(positive.sum(), dtype=np.float32), (user_index[positive], item_index[positive])),
    shape=(len(users), len(items)))
model = AlternatingLeastSquares(factors=64, regularization=20.0, alpha=6.0, iterations=15, use_cg=True,
                                calculate_training_loss=False, random_state=42)
start = time.perf_counter()
model.fit(matrix, show_progress=False)
print(f"implicit {len(ratings)} ratings, {len(users)} users, {len(items)} items: fit {time.perf_counter() - start:.3f} s")
