#!/usr/bin/python3
"""The peers' side of scripts/ann-compare.sh: FAISS (Debian python3-faiss) and hnswlib (Debian python3-hnswlib) on the
vectors Recsys wrote (items.f32: item factors with the item bias as a last column; queries.f32: user factors with 1
there, so the inner product is the model's score less a per-user constant; truth.i32: the exact top 10 of each
query). Maximum inner product search: FAISS IndexIVFFlat with METRIC_INNER_PRODUCT and the same number of lists as
Recsys (2 sqrt(items)); FAISS IndexHNSWFlat and hnswlib on the MIPS-to-nearest-neighbour transform (one more column,
sqrt(max norm^2 - norm^2), and 0 for queries). Builds use the machine's threads; queries are timed on one thread.
Prints CSV rows: system,setting,recall_at_10,queries_per_s,build_s,index_mib.

    /usr/bin/python3 scripts/peers/ann-faiss-hnswlib.py DIR  (Debian's Python: its numpy, faiss and hnswlib)
"""
import os
import sys
import time

import numpy as np


def rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def recall(found, truth):
    hits = sum(len(set(f[f >= 0]) & set(t)) for f, t in zip(found, truth))
    return hits / truth.size


def main(directory):
    items, dim, queries = (int(x) for x in open(os.path.join(directory, "shape.txt")).read().split())
    xb = np.fromfile(os.path.join(directory, "items.f32"), dtype="<f4").reshape(items, dim)
    xq = np.fromfile(os.path.join(directory, "queries.f32"), dtype="<f4").reshape(queries, dim)
    truth = np.fromfile(os.path.join(directory, "truth.i32"), dtype="<i4").reshape(queries, 10)
    threads = os.cpu_count()

    import faiss

    def timed_search(search):
        search(xq[:100])  # warm-up
        start = time.perf_counter()
        found = np.vstack([search(xq[q:q + 1]) for q in range(queries)])
        return recall(found, truth), queries / (time.perf_counter() - start)

    # FAISS IVF-Flat, inner product, the lists Recsys uses.
    lists = max(1, round(2 * np.sqrt(items)))
    faiss.omp_set_num_threads(threads)
    before = rss_mib()
    start = time.perf_counter()
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    ivf.train(xb)
    ivf.add(xb)
    build = time.perf_counter() - start
    memory = rss_mib() - before
    faiss.omp_set_num_threads(1)
    probe = 1
    while probe <= lists:
        ivf.nprobe = probe
        r, qps = timed_search(lambda q: ivf.search(q, 10)[1])
        print(f"faiss-ivf-flat,lists={lists} nprobe={probe},{r:.4f},{qps:.0f},{build:.2f},{memory:.1f}", flush=True)
        if r >= 0.995:
            break
        probe *= 2

    # The MIPS-to-NN transform for the graph indexes.
    norms = np.linalg.norm(xb, axis=1)
    extra = np.sqrt(np.maximum(norms.max() ** 2 - norms ** 2, 0)).astype("f4")
    xb2 = np.hstack([xb, extra[:, None]])
    xq2 = np.hstack([xq, np.zeros((queries, 1), dtype="f4")])

    faiss.omp_set_num_threads(threads)
    before = rss_mib()
    start = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim + 1, 16)
    hnsw.hnsw.efConstruction = 100
    hnsw.add(xb2)
    build = time.perf_counter() - start
    memory = rss_mib() - before
    faiss.omp_set_num_threads(1)
    for ef in (16, 32, 64, 128, 256, 512, 1024, 2048):
        hnsw.hnsw.efSearch = ef
        start = time.perf_counter()
        hnsw.search(xq2[:100], 10)
        start = time.perf_counter()
        found = np.vstack([hnsw.search(xq2[q:q + 1], 10)[1] for q in range(queries)])
        qps = queries / (time.perf_counter() - start)
        r = recall(found, truth)
        print(f"faiss-hnsw-flat,M=16 efC=100 efSearch={ef},{r:.4f},{qps:.0f},{build:.2f},{memory:.1f}", flush=True)
        if r >= 0.995:
            break
    del hnsw

    import hnswlib

    before = rss_mib()
    start = time.perf_counter()
    graph = hnswlib.Index(space="l2", dim=dim + 1)
    graph.init_index(max_elements=items, M=16, ef_construction=100, random_seed=42)
    graph.add_items(xb2, np.arange(items), num_threads=threads)
    build = time.perf_counter() - start
    memory = rss_mib() - before
    graph.set_num_threads(1)
    for ef in (16, 32, 64, 128, 256, 512, 1024, 2048):
        graph.set_ef(ef)
        graph.knn_query(xq2[:100], k=10, num_threads=1)
        start = time.perf_counter()
        found = np.vstack([graph.knn_query(xq2[q:q + 1], k=10, num_threads=1)[0] for q in range(queries)]).astype("i8")
        qps = queries / (time.perf_counter() - start)
        r = recall(found, truth)
        print(f"hnswlib,M=16 efC=100 ef={ef},{r:.4f},{qps:.0f},{build:.2f},{memory:.1f}", flush=True)
        if r >= 0.995:
            break


if __name__ == "__main__":
    main(sys.argv[1])
