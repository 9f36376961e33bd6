"""Data points that span the input subspaces where regions are counted.

Cai et al. count linear regions on the subspace spanned by a few data points.  The
default source is scikit-learn's bundled handwritten digits (1797 images of 8 x 8
pixels, values 0..16, so inputs of dimension 64; no download needed).

>>> data_points(3, seed=0).shape
(3, 64)
"""

from __future__ import annotations

import numpy as np

from theory._errors import InvalidArgument, check_int

__all__ = ["data_points", "digits"]


def digits() -> np.ndarray:
    """scikit-learn's digits as a float64 array of shape (1797, 64)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise InvalidArgument("points", "digits", "scikit-learn is not installed",
                              "pip install scikit-learn, or give your own points (.npy)") from None
    return np.asarray(load_digits().data, dtype=np.float64)


def data_points(count: int, seed: int = 0, source: str = "digits") -> np.ndarray:
    """``count`` distinct data points drawn without replacement (seeded)."""
    count = check_int(count, "count", 1)
    if source != "digits":
        raise InvalidArgument("source", source, "unknown data source",
                              "use 'digits' or give the points yourself")
    X = digits()
    if count > len(X):
        raise InvalidArgument("count", count, f"only {len(X)} digits exist",
                              f"ask for at most {len(X)} points")
    rng = np.random.default_rng([check_int(seed, "seed", 0), count])
    return X[rng.choice(len(X), size=count, replace=False)]
