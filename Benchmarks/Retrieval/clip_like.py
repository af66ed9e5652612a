"""CLIP-like vectors at any scale, calibrated on real embeddings of the demo world.

Real image embeddings are clustered (scenes of one kind sit together), anisotropic (a few
directions carry most of the variance) and text queries sit apart from every image cluster (the
modality gap). The generator keeps those three properties, measured on the real vectors:

- clusters: k-means (spherical, `CLUSTERS` centroids) on the real images; a generated cluster
  centre is a real centroid plus a Gaussian perturbation with the centroids' own covariance
  scaled by `CENTRE_JITTER`, so 1M vectors get more distinct clusters than the real set has,
  spread like the real ones;
- spread around a centre: Gaussian with the covariance of the real within-cluster residuals
  (its eigen-spectrum is kept), scaled per cluster by that cluster's residual size;
- queries: a real query's offset from its nearest image centroid is split into the mean
  modality-gap vector plus a residual whose covariance is measured too; a generated query is a
  generated centre + the gap + such a residual.

Everything is L2-normalised, as the store keeps vectors. `calibrate` returns the fitted model,
`generate` draws from it, `describe` gives the statistics the calibration figures compare.
"""
import numpy as np

CLUSTERS = 1024
CENTRE_JITTER = 0.5


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def spherical_kmeans(x, k, iterations=12, seed=0):
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(iterations):
        assign = np.argmax(x @ centres.T, axis=1)
        for c in range(k):
            members = x[assign == c]
            centres[c] = members.mean(0) if len(members) else x[rng.integers(len(x))]
        centres = unit(centres)
    return centres, np.argmax(x @ centres.T, axis=1)


def calibrate(images, queries, clusters=CLUSTERS):
    centres, assign = spherical_kmeans(images, clusters)
    residuals = images - centres[assign]
    scale = np.array([np.sqrt((residuals[assign == c] ** 2).sum(1).mean()) if (assign == c).any() else 0.0
                      for c in range(clusters)])
    overall = np.sqrt((residuals ** 2).sum(1).mean())
    q_assign = np.argmax(queries @ centres.T, axis=1)
    offsets = queries - centres[q_assign]
    gap = offsets.mean(0)
    return {
        "centres": centres, "weights": np.bincount(assign, minlength=clusters) / len(images),
        "centre_cov": np.cov(centres.T), "residual_cov": np.cov(residuals.T) / overall ** 2,
        "scale": scale, "gap": gap, "query_cov": np.cov((offsets - gap).T),
    }


def generate(model, count, query_count, seed=1, clusters_out=None):
    rng = np.random.default_rng(seed)
    d = model["centres"].shape[1]
    k = len(model["centres"])
    clusters_out = clusters_out or max(k, count // 100)
    parent = rng.choice(k, clusters_out, p=model["weights"])
    jitter = rng.multivariate_normal(np.zeros(d), model["centre_cov"] * CENTRE_JITTER ** 2, clusters_out)
    centres = unit(model["centres"][parent] + jitter)
    residual = np.linalg.cholesky(model["residual_cov"] + 1e-9 * np.eye(d))
    images = np.empty((count, d), np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        c = rng.integers(clusters_out, size=n)
        noise = rng.standard_normal((n, d)) @ residual.T
        images[start:start + n] = unit(centres[c] + noise * model["scale"][parent[c]][:, None])
    qc = rng.integers(clusters_out, size=query_count)
    q_noise = rng.multivariate_normal(np.zeros(d), model["query_cov"], query_count)
    queries = unit(centres[qc] + model["gap"] + q_noise)
    return images, queries


def describe(images, queries, sample=2000, seed=2):
    """Eigen-spectrum (share of variance per principal direction), nearest-neighbour cosine of
    sampled images within the set, and the query–image cosine distribution (each query's best
    and its 100th best image)."""
    rng = np.random.default_rng(seed)
    centred = images[rng.choice(len(images), min(len(images), 50_000), replace=False)]
    centred = centred - centred.mean(0)
    spectrum = np.linalg.eigvalsh(np.cov(centred.T))[::-1]
    picks = rng.choice(len(images), sample, replace=False)
    sims = images[picks] @ images.T
    sims[np.arange(sample), picks] = -2
    nn = sims.max(1)
    qs = queries[: min(len(queries), 500)] @ images.T
    qs.sort(axis=1)
    return {"spectrum": spectrum / spectrum.sum(), "nn_cos": np.sort(nn),
            "query_top1": np.sort(qs[:, -1]), "query_top100": np.sort(qs[:, -100]),
            "query_mean": float(qs.mean())}
