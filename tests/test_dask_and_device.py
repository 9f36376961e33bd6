"""Sweeps on a Dask cluster (same bits as local runs, resume, refusals) and the device backends.

Dask is a test dependency: without ``distributed`` this module fails to import
(it is not skipped).  There is no GPU where these tests were written, so the
non-NumPy path is exercised with ``array_api_strict`` as a stand-in backend
(the CuPy path shares everything but the namespace), and ``--device gpu`` is
checked to be refused in one line; where CuPy and a GPU are present the same
test instead compares GPU and CPU results.
"""

import json
import socket

import distributed
import numpy as np
import pytest
from cli_support import run_in_process

from numerics import ResultStore, SweepConfig, run_sweep
from numerics.backend.devices import backend_problem, check_backend, run_key
from numerics.scaling.grid import run_grid
from numerics.sweeps.cluster import CONNECT_TIMEOUT, check_backend_on_cluster, connect
from numerics.sweeps.config import trial_values
from theory import Architecture, InvalidArgument

X, Y = [1.0, 0.5, -0.3], [0.2, -1.0, 0.7]
CFG = SweepConfig(Architecture.pruned(2, "0.5", rescale=True), 24, X, Y, seed=7)
SIM = ["simulate", "--depth", "2", "--width", "24", "--keep-prob", "0.5", "--x", "1,0.5,-0.3",
       "--y", "0.2,-1,0.7", "--trials", "6", "--quiet", "--json"]
SCALING = ["scaling", "--depth", "1", "--keep-probs", "1,0.5", "--widths", "8,16",
           "--x", "1,0.5,-0.3", "--y", "0.2,-1,0.7", "--trials", "5", "--eps", "0.5",
           "--delta", "0.5", "--resamples", "50", "--rescale", "--quiet", "--json"]
HAVE_GPU = backend_problem("cupy") is None


def _bits(res):
    return tuple(getattr(res, f).tobytes() for f in ("theta_xy", "theta_xx", "theta_yy"))


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as lc:
        yield lc


@pytest.fixture(scope="module")
def address(cluster):
    return cluster.scheduler_address


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------- Dask
def test_cluster_run_is_bitwise_the_local_run(address):
    local = run_sweep(CFG, 12, progress=False)
    remote = run_sweep(CFG, 12, progress=False, scheduler=address)
    assert remote.computed == 12 and _bits(remote) == _bits(local)
    assert len(set(remote.theta_xy.tolist())) == 12


def test_cluster_resumes_a_local_store_and_vice_versa(address):
    fresh = run_sweep(CFG, 10, progress=False)
    with ResultStore() as store, distributed.Client(address, set_as_default=False) as client:
        assert run_sweep(CFG, 4, store=store, progress=False).computed == 4
        again = run_sweep(CFG, 8, store=store, progress=False, scheduler=client)
        assert again.computed == 4 and store.done_trials(CFG.key) == list(range(8))
        last = run_sweep(CFG, 10, store=store, progress=False)
        assert last.computed == 2 and _bits(last) == _bits(fresh)
        assert run_sweep(CFG, 10, store=store, progress=False, scheduler=client).computed == 0


def test_cluster_grid_equals_local_grid(address):
    kw = dict(depths=[1], rescale=True, seed=3, progress=False)
    local = run_grid(["1", "0.5"], [8, 16], X, Y, 4, **kw)
    remote = run_grid(["1", "0.5"], [8, 16], X, Y, 4, scheduler=address, **kw)
    assert remote.computed == 16
    for k, cell in local.cells.items():
        assert cell.theta_xy.tobytes() == remote.cells[k].theta_xy.tobytes()


def test_cli_simulate_and_scaling_on_a_scheduler(address, tmp_path, capsys):
    db = str(tmp_path / "d.db")
    local = json.loads(run_in_process(SIM, capsys)[1])
    code, out = run_in_process(SIM + ["--scheduler", address, "--db", db], capsys)
    r = json.loads(out)
    assert code == 0 and r["computed"] == 6 and r["scheduler"] == address
    assert (r["mean"], r["std"], r["run_key"]) == (local["mean"], local["std"], local["run_key"])
    resumed = json.loads(run_in_process(SIM + ["--scheduler", address, "--db", db], capsys)[1])
    assert resumed["computed"] == 0 and resumed["mean"] == r["mean"]
    lg = json.loads(run_in_process(SCALING, capsys)[1])
    rg = json.loads(run_in_process(SCALING + ["--scheduler", address], capsys)[1])
    for d in (lg, rg):
        d.pop("seconds"), d.pop("scheduler")
    assert rg == lg


def test_unreachable_scheduler_is_refused_after_the_connect_timeout_in_one_line(capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(InvalidArgument) as err:
        run_in_process(SIM + ["--scheduler", address], capsys)
    msg = str(err.value)
    assert f"within {CONNECT_TIMEOUT:g} s" in msg        # gave up after the stated timeout
    assert err.value.argument == "--scheduler" and address in msg and "\n" not in msg
    assert "no Dask scheduler answered" in msg and "fix:" in msg and "dask scheduler" in msg
    with pytest.raises(InvalidArgument, match="scheduler.*not a scheduler address"):
        connect("  ")


# ----------------------------------------------------------------- devices
def test_strict_backend_computes_the_numpy_bits():
    assert trial_values(CFG, 3, "strict") == trial_values(CFG, 3)
    local = run_sweep(CFG, 6, progress=False)
    strict = run_sweep(CFG, 6, progress=False, backend="strict")
    assert _bits(strict) == _bits(local)
    pooled = run_sweep(CFG, 6, progress=False, backend="strict", workers=2)
    assert _bits(pooled) == _bits(local)
    kw = dict(depths=[2], seed=1, progress=False)
    g_np = run_grid(["1", "0.25"], [8, 12], X, Y, 3, **kw)
    g_st = run_grid(["1", "0.25"], [8, 12], X, Y, 3, backend="strict", **kw)
    for k, cell in g_np.cells.items():
        assert cell.theta_xy.tobytes() == g_st.cells[k].theta_xy.tobytes()


def test_strict_backend_on_the_cluster_and_its_own_run_key(address):
    with ResultStore() as store:
        a = run_sweep(CFG, 5, store=store, progress=False)
        b = run_sweep(CFG, 5, store=store, progress=False, backend="strict", scheduler=address)
        assert b.computed == 5 and _bits(a) == _bits(b)
        assert run_key(CFG, "strict") != run_key(CFG) == CFG.key
        assert store.run_description(run_key(CFG, "strict"))["backend"] == "strict"
        assert "backend" not in store.run_description(CFG.key)


def test_erf_needs_scipy_or_cupyx():
    erf = SweepConfig(Architecture.pruned(1, "0.5", activation="erf"), 8, X, Y)
    with pytest.raises(InvalidArgument, match="activation.*erf"):
        trial_values(erf, 0, "strict")


@pytest.mark.skipif(HAVE_GPU, reason="CuPy and a GPU are present: see the test below")
def test_gpu_is_refused_in_one_line_without_cupy(address, capsys):
    for argv in (SIM + ["--device", "gpu"], SCALING + ["--device", "gpu"],
                 SIM + ["--device", "gpu", "--scheduler", address]):
        with pytest.raises(InvalidArgument) as err:
            run_in_process(argv, capsys)
        msg = str(err.value)
        assert err.value.argument == "--device" and err.value.value == "gpu"
        assert "CuPy with a CUDA device is not available" in msg and "\n" not in msg
        assert "cupy-cuda12x" in msg and "--device cpu" in msg
    with pytest.raises(InvalidArgument, match="backend='cupy'.*CuPy with a CUDA device"):
        run_sweep(CFG, 2, progress=False, backend="cupy")
    with pytest.raises(InvalidArgument, match="CuPy with a CUDA device"):
        run_grid(["1", "0.5"], [8, 16], X, Y, 2, progress=False, backend="cupy")
    with distributed.Client(address, set_as_default=False) as client:
        with pytest.raises(InvalidArgument, match="CuPy with a CUDA device"):
            check_backend_on_cluster(client, "cupy")


@pytest.mark.skipif(not HAVE_GPU, reason="needs CuPy and a CUDA device")
def test_gpu_agrees_with_cpu_to_rounding():  # pragma: no cover - needs a GPU
    local = run_sweep(CFG, 6, progress=False)
    gpu = run_sweep(CFG, 6, progress=False, backend="cupy")
    np.testing.assert_allclose(gpu.theta_xy, local.theta_xy, rtol=1e-12)
    np.testing.assert_allclose(gpu.theta_xx, local.theta_xx, rtol=1e-12)


def test_unknown_device_and_backend_are_refused(capsys):
    with pytest.raises(InvalidArgument, match="--device='tpu'.*cpu or gpu"):
        run_in_process(SIM + ["--device", "tpu"], capsys)
    with pytest.raises(InvalidArgument, match="backend='jax'.*unknown backend"):
        check_backend("jax")
    assert run_in_process(SIM + ["--device", "cpu"], capsys)[0] == 0
