"""Where sweeps (simulate, scaling, experiment) compute: ``--device`` and ``--scheduler``."""

from __future__ import annotations

from contextlib import contextmanager

from theory._errors import InvalidArgument

__all__ = ["add_arguments", "compute_target"]


def add_arguments(p) -> None:
    p.add_argument("--device", default="cpu",
                   help="cpu (default) or gpu: compute each eNTK with CuPy on a CUDA GPU (the "
                        "networks are still drawn with NumPy, so a seed means the same "
                        "networks; GPU results are stored under their own run key)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the trials on the Dask cluster of this scheduler (default: "
                        "none, run here), e.g. "
                        "tcp://HOST:8786 (needs pruned-ntk[dask]; results are the same bits "
                        "as a local run and are stored here as they complete; --workers is "
                        "then unused)")


@contextmanager
def compute_target(args):
    """Yield (backend, client or None); the client is closed afterwards.

    Without ``--scheduler`` the device is checked in this process; with it, on a
    worker of the cluster (the machine running pntk need not have a GPU).
    """
    from numerics.backend.devices import DEVICES, device_backend
    from numerics.sweeps.cluster import check_backend_on_cluster, connect
    if args.scheduler is None:
        yield device_backend(args.device), None
        return
    if args.device not in DEVICES:
        raise InvalidArgument("--device", args.device, "unknown device", "choose cpu or gpu")
    client = connect(args.scheduler, argument="--scheduler")
    try:
        backend = check_backend_on_cluster(client, DEVICES[args.device], argument="--device",
                                           value=args.device)
        yield backend, client
    finally:
        client.close()
