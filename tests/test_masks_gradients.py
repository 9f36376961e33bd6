"""Exact gradients and Hessian-vector products of the scoring network (numerics.masks.gradients),
and the SNIP and GraSP scores built on them, against central finite differences.

Tolerance of a central difference D(eps) = (F(t + eps) - F(t - eps)) / (2 eps) of a smooth F:

* truncation: D(eps) - F'(t) = eps^2 F'''(t) / 6 + O(eps^4), estimated per entry by
  Richardson's rule as |D(2 eps) - D(eps)| / 3 (the eps^4 term is below 1e-16 here);
* rounding: each evaluation of F carries a relative error of at most eta = 8 m u
  (u = 2^-53, m = the longest sum in the network: inputs, widths, classes and
  samples added), so D carries at most eta max(|F|) / eps.

An entry passes when |exact - D(eps)| <= 4 truncation + 2 rounding (the factors leave
room for the estimate itself being rounded).  ReLU has kinks: its checks require the
sign pattern of every pre-activation to be the same at both ends of every difference,
so the loss is smooth on the segment (asserted, not assumed).
"""

import numpy as np
import pytest

from numerics.masks import PruningSpec, ScoringData, draw_weights
from numerics.masks.gradients import ScoringNet, hessian_vector, loss_gradient, scoring_loss
from numerics.masks.methods import scoring_net
from numerics.masks.job import PruneJob

U = 2.0 ** -53
EPS = 1e-4


def _net(activation, seed=0, d0=5, widths=(6, 7), classes=3):
    rng = np.random.default_rng(seed)
    shapes = list(zip(widths, (d0, *widths[:-1])))
    hidden = tuple(rng.standard_normal(s) for s in shapes)
    return ScoringNet(hidden, rng.standard_normal((classes, widths[-1])), activation)


def _data(seed=1, n=8, d0=5, classes=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d0)), rng.integers(0, classes, n)


def _eta(net, X):
    m = X.shape[1] + sum(W.shape[0] for W in net.hidden) + net.classes + X.shape[0]
    return 8 * m * U


def _pattern(net, X):
    a, signs = X, []
    for W, c in zip(net.hidden, net.gains()):
        f = a @ W.T
        signs.append(f > 0)
        a = c * np.maximum(f, 0)
    return np.concatenate([s.ravel() for s in signs])


def _shift(net, direction, t):
    return net.with_params([p + t * d for p, d in zip(net.params, direction)])


def _central(fn, net, direction, eps, X=None):
    """D(eps) of fn along ``direction``; checks the ReLU pattern at both ends."""
    lo, hi = _shift(net, direction, -eps), _shift(net, direction, eps)
    if net.activation == "relu":
        assert np.array_equal(_pattern(lo, X), _pattern(hi, X)), "a kink inside the step"
    return lo, hi


def _check(exact, d1, d2, rounding):
    truncation = np.abs(d2 - d1) / 3
    err = np.abs(exact - d1)
    bound = 4 * truncation + 2 * rounding
    assert np.all(err <= bound), (float(np.max(err - bound)), float(np.max(err)))


def _unit(net, index):
    out = [np.zeros_like(p) for p in net.params]
    k, i = index
    out[k].reshape(-1)[i] = 1.0
    return out


@pytest.mark.parametrize("activation", ["erf", "relu"])
def test_gradient_matches_central_differences_in_every_coordinate(activation):
    net = _net(activation)
    X, y = _data()
    loss, grad = loss_gradient(net, X, y)
    assert loss == pytest.approx(scoring_loss(net, X, y), rel=0, abs=0)
    eta = _eta(net, X)
    for k, p in enumerate(net.params):
        exact, d1, d2 = grad[k].ravel(), np.empty(p.size), np.empty(p.size)
        for i in range(p.size):
            e = _unit(net, (k, i))
            for eps, out in ((EPS, d1), (2 * EPS, d2)):
                lo, hi = _central(None, net, e, eps, X)
                out[i] = (scoring_loss(hi, X, y) - scoring_loss(lo, X, y)) / (2 * eps)
        _check(exact, d1, d2, eta * max(1.0, loss) / EPS)


@pytest.mark.parametrize("activation", ["erf", "relu"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hessian_vector_matches_central_differences_of_the_gradient(activation, seed):
    net = _net(activation, seed)
    X, y = _data(seed + 10)
    rng = np.random.default_rng(seed + 20)
    v = [rng.standard_normal(p.shape) for p in net.params]
    hv = hessian_vector(net, X, y, v)
    g_scale = max(float(np.max(np.abs(np.concatenate([g.ravel() for g in loss_gradient(
        net, X, y)[1]])))), 1.0)
    diffs = {}
    for eps in (EPS, 2 * EPS):
        lo, hi = _central(None, net, v, eps, X)
        g_lo, g_hi = loss_gradient(lo, X, y)[1], loss_gradient(hi, X, y)[1]
        diffs[eps] = [(b - a) / (2 * eps) for a, b in zip(g_lo, g_hi)]
    for k in range(len(hv)):
        _check(hv[k], diffs[EPS][k], diffs[2 * EPS][k], _eta(net, X) * g_scale / EPS)


def test_hessian_vector_is_symmetric_and_linear():
    """u . H v = v . H u and H (a v + b w) = a H v + b H w, to rounding."""
    net = _net("erf", 3)
    X, y = _data(4)
    rng = np.random.default_rng(5)
    u = [rng.standard_normal(p.shape) for p in net.params]
    v = [rng.standard_normal(p.shape) for p in net.params]
    dot = lambda a, b: sum(float(np.sum(x * z)) for x, z in zip(a, b))  # noqa: E731
    hu, hv = hessian_vector(net, X, y, u), hessian_vector(net, X, y, v)
    assert dot(u, hv) == pytest.approx(dot(v, hu), rel=1e-12)
    combo = hessian_vector(net, X, y, [2 * a - 3 * b for a, b in zip(u, v)])
    for c, a, b in zip(combo, hu, hv):
        np.testing.assert_allclose(c, 2 * a - 3 * b, rtol=1e-11, atol=1e-13)


def _job(activation, seed=0):
    shape = (5, 6, 7, 1)
    rng = np.random.default_rng(seed + 100)
    data = ScoringData(rng.standard_normal((10, 5)), rng.integers(0, 3, 10), 3, "test")
    weights = draw_weights(shape, seed)
    return shape, data, weights, PruneJob(shape, (2, 3), 1, "global", weights, seed, 0, data,
                                          activation=activation)


def _fd_layer_gradients(net, data, layers, depth):
    """Central-difference gradients (eps and 2 eps) of the loss in every weight of ``layers``
    (the head's first row for layer L+1)."""
    out = {}
    for h in layers:
        k = h - 1 if h <= depth else depth
        size = net.params[k].shape[1] if h > depth else net.params[k].size
        d = {EPS: np.empty(size), 2 * EPS: np.empty(size)}
        for i in range(size):
            e = _unit(net, (k, i))
            for eps in d:
                lo, hi = _central(None, net, e, eps, data.inputs)
                d[eps][i] = (scoring_loss(hi, data.inputs, data.labels)
                             - scoring_loss(lo, data.inputs, data.labels)) / (2 * eps)
        out[h] = d
    return out


@pytest.mark.parametrize("activation", ["erf", "relu"])
def test_snip_scores_and_mask_against_finite_difference_gradients(activation):
    shape, data, weights, job = _job(activation)
    net = scoring_net(job)
    loss = scoring_loss(net, data.inputs, data.labels)
    fd = _fd_layer_gradients(net, data, (2, 3), 2)
    exact = loss_gradient(net, data.inputs, data.labels)[1]
    scores = {}
    for h in (2, 3):
        w = weights[h - 1].ravel()
        g = (exact[h - 1] if h <= 2 else exact[-1][0]).ravel()
        _check(np.abs(g * w), np.abs(fd[h][EPS] * w), np.abs(fd[h][2 * EPS] * w),
               _eta(net, data.inputs) * max(1.0, loss) / EPS * np.abs(w))
        scores[h] = np.abs(fd[h][EPS] * w)
    density = "0.3"
    mask = PruningSpec("snip", density, data=data, activation=activation).mask(
        shape, 0, weights=weights)
    everything = np.sort(np.concatenate([scores[2], scores[3]]))[::-1]
    k = sum(mask.kept[1:])
    assert k == round(0.3 * (42 + 7))
    assert everything[k - 1] - everything[k] > 1e-6      # no near-tie at the threshold
    threshold = (everything[k - 1] + everything[k]) / 2
    for h in (2, 3):
        np.testing.assert_array_equal(mask.layers[h - 1].ravel(), scores[h] > threshold)


@pytest.mark.parametrize("activation", ["erf", "relu"])
def test_grasp_keeps_the_lowest_scores_of_finite_difference_hessian_gradient_products(activation):
    """-(H g) . w with H g from central differences of the gradient along g."""
    shape, data, weights, job = _job(activation, seed=1)
    net = scoring_net(job)
    X, y = data.inputs, data.labels
    g = loss_gradient(net, X, y)[1]
    diffs = {}
    for eps in (EPS, 2 * EPS):
        lo, hi = _central(None, net, g, eps, X)
        diffs[eps] = [(b - a) / (2 * eps) for a, b in
                      zip(loss_gradient(lo, X, y)[1], loss_gradient(hi, X, y)[1])]
    hg = hessian_vector(net, X, y, g)
    for k in range(len(hg)):
        _check(hg[k], diffs[EPS][k], diffs[2 * EPS][k], _eta(net, X) / EPS)
    fd_hg = {2: diffs[EPS][1], 3: diffs[EPS][-1][:1]}
    scores = {h: -(fd_hg[h] * weights[h - 1]).ravel() for h in (2, 3)}
    mask = PruningSpec("grasp", "0.4", data=data, activation=activation).mask(
        shape, 1, weights=weights)
    allscores = np.sort(np.concatenate([scores[2], scores[3]]))
    k = sum(mask.kept[1:])
    assert k == round(0.4 * 49)
    assert allscores[k] - allscores[k - 1] > 1e-6         # no near-tie at the threshold
    threshold = (allscores[k - 1] + allscores[k]) / 2
    for h in (2, 3):
        np.testing.assert_array_equal(mask.layers[h - 1].ravel(), scores[h] < threshold)


def test_the_head_keeps_the_networks_output_layer_as_its_first_row():
    shape, data, weights, job = _job("relu")
    net = scoring_net(job)
    assert net.classes == 3
    np.testing.assert_array_equal(net.head[0], weights[-1][0])
    acts = data.inputs
    for W, c in zip(net.hidden, net.gains()):
        acts = c * np.maximum(acts @ W.T, 0)
    from numerics.networks.network import MaskedNetwork, forward
    f = forward(MaskedNetwork(weights, (None,) * 3), data.inputs).output
    np.testing.assert_allclose((acts @ net.head.T)[:, 0], f, rtol=1e-13, atol=1e-14)
