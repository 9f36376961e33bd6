"""``--graphon G.npz`` of ``pntk simulate`` and ``pntk kernel``: finite networks sampled
from a graphon file, and the Graphon NTK of a file's graphons.

Heavy modules are imported inside the functions (the parser stays cheap).
"""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import gram_or_pair_inputs, heartbeat, interrupted, parse_int, parse_pair

__all__ = ["simulate_graphon", "kernel_graphon", "load_graphon_args", "DEFAULT_WIDTHS"]

DEFAULT_WIDTHS = "64,128,256,512,1024"


def _refuse_network_options(args) -> None:
    for flag, value in (("--keep-prob", args.keep_prob), ("--masked-layers", args.masked_layers),
                        ("--prune-first-layer", args.prune_first_layer or None),
                        ("--mask", getattr(args, "mask", None)),
                        ("--mask-samples", getattr(args, "mask_samples", None)),
                        ("--width", getattr(args, "width", None))):
        if value is not None:
            raise InvalidArgument(flag, value, "the graphon file gives the masks",
                                  f"drop {flag} (with --graphon the file's G{{h}} are the "
                                  "keep probabilities)")


def load_graphon_args(args):
    """The :class:`~theory.graphon.GraphonNetwork` of ``args.graphon`` at ``--depth`` with
    ``--rescale`` and ``--activation``; one-line errors name the options."""
    from theory.graphon import load_graphon_file
    _refuse_network_options(args)
    depth = parse_int(args.depth, "--depth", 1)
    activation = getattr(args, "activation", "relu")
    try:
        return load_graphon_file(args.graphon, depth, rescale=bool(args.rescale),
                                 activation=activation, argument="--graphon")
    except InvalidArgument as exc:
        if exc.argument == "activation":
            raise InvalidArgument("--activation", exc.value, exc.problem, exc.fix) from None
        if exc.argument.startswith(("G", "V")):      # the file's arrays: name the file
            raise InvalidArgument("--graphon", f"{args.graphon} (array {exc.argument}: "
                                  f"{exc.value})", exc.problem, exc.fix) from None
        raise


def _widths(text: str) -> list[int]:
    items = [t for t in str(text).replace(" ", "").split(",") if t]
    widths = sorted({parse_int(t, "--widths", 1) for t in items})
    if len(widths) < 2:
        raise InvalidArgument("--widths", text, "need at least two widths",
                              "write e.g. --widths 64,128,256,512")
    return widths


def _limit_net(net, selection: str):
    """The network whose Graphon NTK the sampled networks converge to: ``net`` itself for
    Bernoulli masks; with the magnitude second-moment profile for selected weights."""
    if selection == "bernoulli":
        return net
    from theory.graphon import GraphonNetwork, magnitude_second_moment
    layers = {h: G for h, G in enumerate(net.layers, start=1) if G is not None}
    return GraphonNetwork.from_layers(layers, net.depth, input_dim=net.input_dim,
                                      rescale=net.rescale, activation=net.activation,
                                      variances={h: magnitude_second_moment(G)
                                                 for h, G in layers.items()})


def simulate_graphon(args) -> int:
    """``pntk simulate --graphon G.npz``."""
    from numerics import ResultStore
    from numerics.graphons import SELECTIONS, analyse_convergence, graphon_trials
    from numerics.sweeps.progress import Progress
    net = load_graphon_args(args)
    if args.selection not in SELECTIONS:
        raise InvalidArgument("--selection", args.selection, "unknown selection rule",
                              f"choose one of {', '.join(SELECTIONS)}")
    widths = _widths(args.widths or DEFAULT_WIDTHS)
    trials = parse_int(args.trials, "--trials", 2)
    seed = parse_int(args.seed, "--seed", 0)
    x, y = parse_pair(args)
    if net.input_dim is not None and net.input_dim != x.size:
        raise InvalidArgument("--x", args.x, f"{x.size} coordinates, but G1 has "
                              f"{net.input_dim} columns (one per input coordinate)",
                              f"give inputs with {net.input_dim} coordinates")
    widest = max(k for k in net.blocks[1:-1])
    if widths[0] < widest:
        raise InvalidArgument("--widths", widths[0], f"a layer has {widest} graphon blocks, "
                              "more than this width's neurons",
                              f"use widths >= {widest}")
    store = ResultStore(args.db, argument="--db")
    bar = Progress(len(widths) * trials, enabled=not (args.quiet or args.json),
                   total_cost=sum(trials * n * n for n in widths))
    try:
        runs = graphon_trials(net, x, y, widths, trials, seed=seed, store=store,
                              selection=args.selection,
                              limit_net=_limit_net(net, args.selection),
                              progress=lambda n, done, total: bar.advance(cost=n * n))
    except KeyboardInterrupt:
        bar.close()
        return interrupted("pntk simulate", "finished trials", args.db)
    finally:
        store.close()
    bar.close()
    conv = analyse_convergence(runs, seed=seed)
    out = {
        "graphon": str(args.graphon), "description": net.describe(),
        "selection": args.selection, "widths": list(conv.widths), "trials": trials,
        "seed": seed, "x": list(map(float, x)), "y": list(map(float, y)),
        "limit": dict(zip(("theta_xy", "theta_xx", "theta_yy"), map(float, conv.limit))),
        "limit_method": "Graphon NTK (float64)" + (
            ", second-moment profile of magnitude-selected weights"
            if args.selection == "magnitude" else ""),
        "per_width": [{"width": n, "mean": float(conv.means[i, 0]),
                       "stderr": float(conv.stderrs[i, 0]), "z": float(conv.z[i, 0]),
                       "mean_abs_deviation": float(conv.mean_abs_dev[i])}
                      for i, n in enumerate(conv.widths)],
        "slope": conv.slope, "slope_ci": list(conv.slope_ci), "level": conv.level,
        "intercept": list(map(float, conv.intercept)),
        "intercept_z": list(map(float, conv.intercept_z)),
        "intercept_p": list(map(float, conv.intercept_p)), "alpha": conv.alpha,
        "mean_consistent": bool(conv.mean_consistent), "db": args.db,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"graphon:   {args.graphon}: {net.describe()}")
        print(f"masks:     {args.selection} selection, {trials} trials per width, seed {seed}")
        print(conv.table())
    return 0


def kernel_graphon(args) -> int:
    """``pntk kernel --graphon G.npz``: the Graphon NTK (and NNGP) of a pair or a Gram."""
    import numpy as np

    from theory._errors import check_dps
    from theory.graphon import graphon_ntk, graphon_ntk_mp
    from theory.kernels.float64 import limit_kernel
    from theory.config import Architecture

    from .._outputs import check_save_path, save_gram
    net = load_graphon_args(args)
    first = {"auto": "mean_field", "mean_field": "mean_field", "exact": "exact"}.get(
        args.first_layer)
    if first is None:
        raise InvalidArgument("--first-layer", args.first_layer, "not a graphon first-layer "
                              "treatment", "choose mean_field (default) or exact")
    dps = check_dps(args.dps, "--dps") if args.dps is not None else None
    save = check_save_path(args.save)
    X, Y, gram = gram_or_pair_inputs(args)
    d0 = X.shape[1]
    if net.input_dim is not None and net.input_dim != d0:
        raise InvalidArgument("--inputs" if gram else "--x", args.inputs or args.x,
                              f"inputs of dimension {d0}, but G1 has {net.input_dim} columns "
                              "(one per input coordinate)",
                              f"give inputs with {net.input_dim} coordinates")
    dense_arch = Architecture.dense(net.depth, activation=net.activation)
    with heartbeat("pntk kernel", enabled=not args.json):
        if dps is None:
            k = graphon_ntk(net, X, None if (gram and Y is None) else Y, first_layer=first)
            dense = limit_kernel(dense_arch, X, None if (gram and Y is None) else Y)
            pick = (lambda a: np.asarray(a).tolist()) if gram else (lambda a: float(a[0, 0]))
            result = {"ntk": pick(k.ntk), "nngp": pick(k.nngp), "dense_ntk": pick(dense.ntk),
                      "dense_nngp": pick(dense.nngp), "precision": "float64",
                      "method": f"Graphon NTK, float64, first layer {first}"}
        else:
            import mpmath
            if first != "mean_field":
                raise InvalidArgument("--first-layer", args.first_layer, "the mpmath Graphon "
                                      "NTK uses the mean-field first layer",
                                      "drop --first-layer with --dps")
            fmt = lambda v: mpmath.nstr(v, dps, strip_zeros=False)  # noqa: E731
            Yv = X if Y is None else Y
            dense = limit_kernel(dense_arch, X, None if (gram and Y is None) else Yv)
            ntk, nngp = [], []
            for i, x in enumerate(X):            # pair by pair (symmetric: upper triangle)
                row_t, row_n = [], []
                for j, y in enumerate(Yv):
                    if gram and Y is None and j < i:
                        row_t.append(ntk[j][i])
                        row_n.append(nngp[j][i])
                        continue
                    k = graphon_ntk_mp(net, x, y, dps=dps)
                    row_t.append(fmt(k.ntk))
                    row_n.append(fmt(k.nngp))
                ntk.append(row_t)
                nngp.append(row_n)
            pick = (lambda a: a) if gram else (lambda a: a[0][0])
            pick_f = (lambda a: np.asarray(a).tolist()) if gram else (lambda a: float(a[0, 0]))
            result = {"ntk": pick(ntk), "nngp": pick(nngp), "dense_ntk": pick_f(dense.ntk),
                      "dense_nngp": pick_f(dense.nngp), "precision": f"{dps} digits",
                      "method": f"Graphon NTK, mpmath at {dps} significant digits "
                                "(dense reference in float64)"}
    result["graphon"] = str(args.graphon)
    result["description"] = net.describe()
    result["blocks"] = [None if b is None else int(b) for b in net.blocks]
    if save is not None:
        save_gram(save, result["ntk"])
        result["saved"] = str(save)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"method:      {result['method']}")
    print(f"network:     {result['description']}")
    for key in ("ntk", "nngp", "dense_ntk", "dense_nngp"):
        val = result[key]
        if isinstance(val, list):
            arr = np.array(val, dtype=object if isinstance(val[0][0], str) else float)
            print(f"{key}:\n{np.array2string(arr, precision=6, max_line_width=100)}")
        else:
            print(f"{key:<12} {val}")
    if "saved" in result:
        print(f"saved:       {result['saved']} (Graphon NTK Gram matrix, numpy.load)")
    return 0
