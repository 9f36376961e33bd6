"""``pntk entk``: the exact empirical NTK Gram matrix of a network stored in NET.npz."""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import heartbeat, load_inputs
from .._outputs import check_save_path, save_gram

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "entk", help="empirical NTK Gram matrix of a finite (masked) network",
        description="Compute the exact empirical NTK Theta(x_p, x_q) = sum over kept weights "
                    "of df(x_p)/dw df(x_q)/dw for a network stored with numpy.savez: "
                    "W1..W{L+1} (shape n_h x n_{h-1}, one output), optional 0/1 masks "
                    "M1..M{L+1}, optional rescale flag, keep_probs and activation.")
    p.add_argument("--weights", required=True, metavar="NET.npz", help="the network")
    p.add_argument("--inputs", required=True, metavar="FILE",
                   help=".npy or .csv, one input per row")
    p.add_argument("--against", metavar="FILE",
                   help="second input set for an N x M matrix (default: --inputs)")
    p.add_argument("--save", metavar="FILE.npy",
                   help="also save the Gram matrix with numpy.save (default: not saved)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _inputs(path: str, argument: str, dim: int):
    import numpy as np
    X = load_inputs(path, argument)
    if X.shape[1] != dim:
        raise InvalidArgument(argument, path, f"inputs of dimension {X.shape[1]}, but W1 has "
                              f"{dim} columns", f"give inputs with {dim} coordinates per row")
    if not np.all(np.isfinite(X)):
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise InvalidArgument(argument, path, f"row {row} entry {col} is {X[row, col]}",
                              "give finite numbers only")
    return X


def run(args) -> int:
    from numerics import empirical_ntk, estimate_memory, load_network
    from numerics.backend.xp import default_memory_limit
    save = check_save_path(args.save)
    loaded = load_network(args.weights, "--weights")
    net = loaded.network
    X = _inputs(args.inputs, "--inputs", net.input_dim)
    Y = None if args.against is None else _inputs(args.against, "--against", net.input_dim)
    need = estimate_memory(net, X.shape[0], None if Y is None else Y.shape[0])
    limit = default_memory_limit()
    if need > limit:
        raise InvalidArgument("--inputs", args.inputs,
                              f"the Gram matrix needs about {need / 2**30:.3g} GiB, over the "
                              f"limit of {limit / 2**30:.3g} GiB (half the memory)",
                              "use fewer inputs or a smaller network")
    with heartbeat("pntk entk", enabled=not args.json):
        ntk = empirical_ntk(net, X, Y, memory_limit=limit)
    if save is not None:
        save_gram(save, ntk)
    result = {
        "ntk": ntk.tolist(), "shape": list(ntk.shape),
        "widths": list(net.widths), "depth": net.depth, "input_dim": net.input_dim,
        "masked_layers": list(net.masked_layers), "rescale": net.rescale,
        "keep_probs": [str(q) for q in net.keep_probs], "activation": net.activation,
        "kept_weights": net.num_kept(), "notes": list(loaded.notes),
        "method": "exact layer-wise closed form, float64",
        "saved": None if save is None else str(save),
    }
    if args.json:
        print(json.dumps(result))
    else:
        _print_text(result)
    return 0


def _print_text(r) -> None:
    import numpy as np
    kind = "rescaled" if r["rescale"] else "plain"
    print(f"network:  {r['activation']}, depth {r['depth']}, input dim {r['input_dim']}, "
          f"widths {r['widths']}, masked layers {r['masked_layers']}, "
          f"keep_probs {r['keep_probs']}, {kind} pruning, {r['kept_weights']} kept weights")
    for note in r["notes"]:
        print(f"note:     {note}")
    rows, cols = r["shape"]
    print(f"ntk ({rows} x {cols}, {r['method']}):")
    print(np.array2string(np.array(r["ntk"]), precision=6, max_line_width=100))
    if r["saved"]:
        print(f"saved:    {r['saved']} (numpy.load)")
