"""``pntk entk``: the exact empirical NTK Gram matrix of a network stored in NET.npz."""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import heartbeat, load_inputs, parse_int
from .._masksource import add_mask_arguments, mask_source_from
from .._outputs import check_save_path, save_gram

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "entk", help="empirical NTK Gram matrix of a finite (masked) network",
        description="Compute the exact empirical NTK Theta(x_p, x_q) = sum over kept weights "
                    "of df(x_p)/dw df(x_q)/dw for a network stored with numpy.savez: "
                    "W1..W{L+1} (shape n_h x n_{h-1}, one output), optional 0/1 masks "
                    "M1..M{L+1}, optional rescale flag, keep_probs and activation.  --mask "
                    "FILE|METHOD puts other masks on the file's weights W1..W{L+1}: a mask "
                    "file's, or those a pruning method makes from these weights.")
    p.add_argument("--weights", required=True, metavar="NET.npz", help="the network")
    p.add_argument("--inputs", required=True, metavar="FILE",
                   help=".npy or .csv, one input per row")
    p.add_argument("--against", metavar="FILE",
                   help="second input set for an N x M matrix (default: --inputs)")
    p.add_argument("--save", metavar="FILE.npy",
                   help="also save the Gram matrix with numpy.save (default: not saved)")
    add_mask_arguments(p)
    p.add_argument("--layers", help="with --mask METHOD: pruned layers, comma-separated "
                                    "(default: 2..L+1, the first layer dense)")
    p.add_argument("--seed", default="0", help="with --mask METHOD: seed of the method's "
                                               "random draws (random, uniform, erk, the "
                                               "scoring head)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _remask(args, loaded):
    """The file's weights W1..W{L+1} (as stored) under the masks of ``--mask``."""
    import numpy as np

    from numerics.masks import Mask
    net = loaded.network
    layers = None
    if args.layers is not None:
        from .._network import parse_layers
        layers = parse_layers(args.layers, "--layers", net.depth)
    source = mask_source_from(args, layers=layers, activation=net.activation)
    if source is None:
        if args.layers is not None or args.seed != "0":
            raise InvalidArgument("--layers" if args.layers is not None else "--seed",
                                  args.layers or args.seed, "applies to --mask METHOD only",
                                  "drop it or give --mask METHOD")
        return net, None
    with np.load(args.weights, allow_pickle=False) as data:
        weights = [np.asarray(data[f"W{h}"], dtype=np.float64)
                   for h in range(1, net.depth + 2)]
    shape = (net.input_dim, *net.widths, 1)
    if isinstance(source, Mask):
        if source.shape != shape:
            raise InvalidArgument("--mask", args.mask, f"a mask of shape "
                                  f"{list(source.shape)}, the network has shape {list(shape)}",
                                  "give a mask file made for this network's shape")
        mask = source
    else:
        try:
            mask = source.mask(shape, parse_int(args.seed, "--seed", 0), 0, weights)
        except InvalidArgument as exc:
            flag = {"layers": "--layers", "shape": "--weights"}.get(exc.argument, exc.argument)
            raise InvalidArgument(flag, exc.value, exc.problem, exc.fix) from None
    return mask.network(weights, rescale=net.rescale, activation=net.activation), mask


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
    net, mask = _remask(args, loaded)
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
        "masks": "the file's" if mask is None else
        {"method": mask.method, "digest": mask.digest(), "params": dict(mask.params)},
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
