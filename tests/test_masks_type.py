"""The Mask type, its files, and networks with given masks (numerics.masks.mask, maskfile,
pruning)."""

import json
from fractions import Fraction

import numpy as np
import pytest

from numerics import empirical_ntk, load_network
from numerics.masks import (
    Mask,
    PruningSpec,
    digits,
    draw_weights,
    load_mask,
    load_scoring_data,
    masked_network,
    prune,
    save_mask,
)
from numerics.networks.sampling import sample_network
from theory import Architecture, InvalidArgument


def test_a_mask_knows_its_shapes_densities_and_provenance():
    m = Mask((None, np.eye(4), [[1, 0, 0, 1]]), shape=(3, 4, 4, 1), method="hand",
             params={"why": "test"}, nominal=(1, "0.25", "1/2"))
    assert m.depth == 2 and m.widths == (4, 4) and m.input_dim == 3
    assert m.layer_shapes == ((4, 3), (4, 4), (1, 4)) and m.masked_layers == (2, 3)
    assert m.kept == (12, 4, 2) and m.densities == (1, Fraction(1, 4), Fraction(1, 2))
    assert m.density() == Fraction(6, 20) and m.nominal[1] == Fraction(1, 4)
    assert m.params["why"] == "test" and not m.layers[1].flags.writeable
    assert m.summary()["layers"][1]["kept"] == 4
    # the shape follows from the arrays where they imply it
    assert Mask((np.ones((2, 5)), np.ones((1, 2)))).shape == (5, 2, 1)


BAD_MASKS = {
    "one layer": (dict(layers=(np.ones((1, 3)),)), "masks"),
    "values not 0/1": (dict(layers=(None, [[1, 2]]), shape=(2, 2, 1)), "masks"),
    "strings": (dict(layers=(None, np.array([["a"]])), shape=(2, 1, 1)), "masks"),
    "not 2-D": (dict(layers=(None, np.ones(3)), shape=(2, 3, 1)), "masks"),
    "shapes do not chain": (dict(layers=(np.ones((3, 2)), np.ones((1, 4)))), "masks"),
    "last layer not one row": (dict(layers=(None, np.ones((2, 3))), shape=(2, 3, 1)), "masks"),
    "size not implied": (dict(layers=(None, None)), "masks"),
    "bad shape": (dict(layers=(None, None), shape=(2, 3)), "shape"),
    "nominal out of range": (dict(layers=(None, [[1, 0]]), shape=(2, 2, 1),
                                  nominal=(1, 1.5)), "nominal[2]"),
    "nominal on dense layer": (dict(layers=(None, [[1, 0]]), shape=(2, 2, 1),
                                    nominal=("0.5", "0.5")), "nominal"),
    "params not JSON": (dict(layers=(None, [[1, 0]]), shape=(2, 2, 1),
                             params={"x": object()}), "params"),
}


@pytest.mark.parametrize("case", sorted(BAD_MASKS))
def test_bad_masks_get_one_line_errors_naming_the_argument(case):
    kwargs, argument = BAD_MASKS[case]
    with pytest.raises(InvalidArgument) as err:
        Mask(**kwargs)
    assert err.value.argument == argument and "\n" not in str(err.value)
    assert "fix:" in str(err.value)


BAD_SPECS = {
    "unknown method": (("nope", "0.2"), {}, "method"),
    "density zero": (("magnitude", "0"), {}, "density"),
    "density above one": (("magnitude", "1.5"), {}, "density"),
    "density not a number": (("magnitude", "abc"), {}, "density"),
    "scope unknown": (("magnitude", "0.2"), {"scope": "local"}, "scope"),
    "scope not allowed": (("erk", "0.2"), {"scope": "per-layer"}, "scope"),
    "no layers": (("magnitude", "0.2"), {"layers": ()}, "layers"),
    "rounds zero": (("synflow", "0.2"), {"rounds": 0}, "rounds"),
    "activation": (("magnitude", "0.2"), {"activation": "tanh"}, "activation"),
    "data file missing": (("snip", "0.2"), {"data": "missing.npz"}, "--data"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_pruning_settings_get_one_line_errors(case):
    args, kwargs, argument = BAD_SPECS[case]
    with pytest.raises(InvalidArgument) as err:
        PruningSpec(*args, **kwargs)
    assert err.value.argument == argument and "\n" not in str(err.value)


def test_layers_beyond_the_network_and_data_of_the_wrong_dimension_are_refused():
    with pytest.raises(InvalidArgument, match="layer 5 does not exist"):
        prune("magnitude", (3, 4, 4, 1), "0.5", layers=(2, 5))
    with pytest.raises(InvalidArgument, match="has 64 features"):
        prune("snip", (3, 4, 4, 1), "0.5")


def test_bernoulli_network_path_is_unchanged_and_draw_weights_reproduces_it():
    """sample_network's dense and masked draws are bitwise those of draw_weights and the
    random method: the existing path and the new one share their streams."""
    arch = Architecture.pruned(2, "0.4", rescale=True)
    ref = sample_network(arch, 50, seed=9, trial=3, input_dim=4)
    W = draw_weights((4, 50, 50, 1), seed=9, trial=3)
    mask = prune("random", (4, 50, 50, 1), "0.4", seed=9, trial=3)
    net = mask.network(W, rescale=True, keep_probs="nominal")
    for a, b in zip(net.weights, ref.weights):
        assert np.array_equal(a, b)
    assert net.layer_factors() == ref.layer_factors()
    X = np.array([[1.0, 0, 0, 0], [0.6, 0.8, 0, 0]])
    assert np.array_equal(empirical_ntk(net, X), empirical_ntk(ref, X))
    # pruned weights of the dense draw are zeroed, kept ones unchanged
    assert np.array_equal(net.weights[1], W[1] * mask.layers[1])


def test_masked_network_uses_fresh_weights_per_trial_and_the_masks_densities():
    mask = prune("magnitude", (3, 20, 20, 1), "0.3", seed=0)
    a, b = masked_network(mask, 1, 0), masked_network(mask, 1, 1)
    assert not np.array_equal(a.weights[1], b.weights[1])
    assert np.array_equal(a.weights[1] != 0, mask.layers[1] & (draw_weights(
        mask.shape, 1, 0)[1] != 0))
    assert a.keep_probs == mask.densities
    assert mask.architecture().keep_probs == mask.densities
    assert mask.architecture(keep_probs="nominal").keep_probs[1] == Fraction(3, 10)


def test_save_and_load_round_trip_and_pntk_entk_reads_the_file(tmp_path):
    shape = (64, 30, 20, 1)
    W = draw_weights(shape, seed=4)
    mask = prune("snip", shape, "0.25", seed=4, samples=100)
    path = save_mask(mask, tmp_path / "m.npz", W, activation="relu")
    back = load_mask(path)
    assert back.digest() == mask.digest() and back.method == "snip"
    assert back.nominal == mask.nominal and dict(back.params) == dict(mask.params)
    net = load_network(path).network             # the NET.npz reader of pntk entk
    ref = mask.network(W)
    for a, b in zip(net.weights, ref.weights):
        assert np.array_equal(a, b)
    assert net.masked_layers == (2, 3)
    only = save_mask(mask, tmp_path / "only.npz")
    assert load_mask(only).digest() == mask.digest()
    with np.load(only) as npz:
        assert sorted(npz.files) == ["M2", "M3", "mask_info"]
        assert json.loads(str(npz["mask_info"]))["format"] == "pruned-ntk.mask.v1"


def test_a_users_masks_only_file_needs_a_shape(tmp_path):
    np.savez(tmp_path / "a.npz", M1=np.ones((3, 2)), M2=[[1, 0, 1]])
    assert load_mask(tmp_path / "a.npz").shape == (2, 3, 1)
    np.savez(tmp_path / "b.npz", M2=[[1, 0, 1]])
    with pytest.raises(InvalidArgument, match="network shape is unknown"):
        load_mask(tmp_path / "b.npz")


BAD_FILES = {
    "missing": (None, "no such file"),
    "single array": ("npy", "a single array"),
    "not npz": ("text", "unreadable"),
    "no masks": (dict(W1=np.ones((2, 2)), W2=np.ones((1, 2))), "holds no masks"),
    "bad values": (dict(M1=np.full((2, 2), 3), M2=np.ones((1, 2))), "0 or 1"),
    "not chaining": (dict(M1=np.ones((2, 2)), M2=np.ones((1, 3))), "do not chain"),
    "bad info": (dict(M1=np.ones((2, 2)), M2=np.ones((1, 2)), mask_info=np.array("[1]")),
                 "not a JSON object"),
    "weights do not match": (dict(W1=np.ones((2, 2)), W2=np.ones((1, 2)),
                                  M2=np.ones((1, 3))), "shape"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_mask_files_get_one_line_errors_naming_the_file(tmp_path, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "f.npz"
    if content == "npy":
        with open(path, "wb") as fh:
            np.save(fh, np.ones(3))
    elif content == "text":
        path.write_text("hello")
    elif content is not None:
        np.savez(path, **content)
    with pytest.raises(InvalidArgument) as err:
        load_mask(path, "--mask")
    assert err.value.argument == "--mask" and message in str(err.value)
    assert "\n" not in str(err.value)


def test_saving_is_atomic(tmp_path, monkeypatch):
    """A failure while writing leaves neither a partial file nor a temporary one."""
    mask = prune("uniform", (2, 5, 5, 1), "0.5")
    target = tmp_path / "m.npz"
    target.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        save_mask(mask, target)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_digits_and_user_data(tmp_path):
    d = digits()
    assert d.inputs.shape == (1797, 64) and d.classes == 10
    np.testing.assert_allclose(np.linalg.norm(d.inputs, axis=1), 1.0, rtol=1e-15)
    assert np.bincount(d.labels).min() >= 170          # every class is present
    X = np.random.default_rng(0).standard_normal((6, 3))
    np.savez(tmp_path / "d.npz", inputs=X, labels=[5, 7, 5, 9, 7, 5])
    u = load_scoring_data(str(tmp_path / "d.npz"))
    assert u.classes == 3 and u.labels.tolist() == [0, 1, 0, 2, 1, 0]
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", np.array([0, 1, 0, 1, 1, 0]))
    v = load_scoring_data(str(tmp_path / "x.npy"), str(tmp_path / "y.npy"))
    assert v.classes == 2 and np.array_equal(v.inputs, X)
    for data, labels, message in (
            (str(tmp_path / "x.npy"), None, "inputs only"),
            (str(tmp_path / "d.npz"), str(tmp_path / "y.npy"), "already holds labels"),
            ("digits", str(tmp_path / "y.npy"), "bring their own labels")):
        with pytest.raises(InvalidArgument, match=message):
            load_scoring_data(data, labels)
    np.savez(tmp_path / "one.npz", inputs=X, labels=np.zeros(6, int))
    with pytest.raises(InvalidArgument, match="same label"):
        load_scoring_data(str(tmp_path / "one.npz"))
    np.savez(tmp_path / "frac.npz", inputs=X, labels=np.linspace(0, 1, 6))
    with pytest.raises(InvalidArgument, match="not integers"):
        load_scoring_data(str(tmp_path / "frac.npz"))


def test_mask_sources_for_commands(tmp_path):
    from numerics.masks import mask_source, source_description, trial_network
    spec = mask_source("snip", density="0.3", samples=50)
    assert isinstance(spec, PruningSpec) and source_description(spec)["samples"] == 50
    shape = (64, 16, 16, 1)
    a, b = trial_network(spec, shape, 2, 0), trial_network(spec, shape, 2, 1)
    ref = prune("snip", shape, "0.3", seed=2, trial=1, samples=50)
    assert np.array_equal(b.masks[1], ref.layers[1]) and not np.array_equal(a.masks[1],
                                                                            b.masks[1])
    path = save_mask(ref, tmp_path / "m.npz")
    fixed = mask_source(str(path))
    net = trial_network(fixed, shape, 5, 3, activation="erf", rescale=True)
    assert net.activation == "erf" and np.array_equal(net.masks[1], ref.layers[1])
    assert np.array_equal(net.weights[1], draw_weights(shape, 5, 3)[1] * ref.layers[1])
    assert source_description(fixed)["digest"] == ref.digest()
    for value, message in (("snip", "needs a target density"),
                           ("nonsense", "neither a pruning method")):
        with pytest.raises(InvalidArgument, match=message):
            mask_source(value)
    with pytest.raises(InvalidArgument, match="the network has shape"):
        trial_network(fixed, (64, 8, 16, 1), 0, 0)


def test_masks_and_specs_travel_to_worker_processes():
    """Both pickle (multiprocessing and Dask send them to workers) and come back equal."""
    import pickle
    mask = prune("snip", (64, 10, 10, 1), "0.3", samples=40)
    back = pickle.loads(pickle.dumps(mask))
    assert back.digest() == mask.digest() and dict(back.params) == dict(mask.params)
    assert back.nominal == mask.nominal and not back.layers[1].flags.writeable
    spec = PruningSpec("grasp", "0.3", samples=40)
    again = pickle.loads(pickle.dumps(spec))
    assert again.mask((64, 10, 10, 1), 1).digest() == spec.mask((64, 10, 10, 1), 1).digest()
