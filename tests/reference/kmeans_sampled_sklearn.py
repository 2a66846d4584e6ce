"""Reference values for the sampled k-means search (src/analysis/kmeans/fit.rs).

6,000 points in four overlapping blobs with noise from a xorshift64
generator, which the Rust test repeats bit for bit.
Run: python3 tests/reference/kmeans_sampled_sklearn.py
"""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

MASK = (1 << 64) - 1
CENTERS = [(0.0, 0.0, 0.0), (3.0, 1.0, 0.0), (1.0, 4.0, 2.0), (4.0, 4.0, 4.0)]


def points():
    state = 88172645463325252
    def uniform():
        nonlocal state
        state ^= (state << 13) & MASK
        state ^= state >> 7
        state ^= (state << 17) & MASK
        return (state >> 11) / float(1 << 53)
    rows = []
    for i in range(6000):
        center = CENTERS[i % 4]
        # The sum of three uniforms minus 1.5: a bell-shaped noise.
        rows.append(tuple(c + 1.5 * (uniform() + uniform() + uniform() - 1.5) for c in center))
    return np.array(rows)


X = StandardScaler().fit_transform(points())
for k in range(2, 11):
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
    print(k, repr(km.inertia_))
