"""``pntk regions``: Theorem 1 of Cai et al. (``--bound``) or an exact region count
(``--weights NET.npz --points P.npy``)."""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import parse_int

__all__ = ["add_parser", "run"]

RANK_METHODS = ("auto", "exact", "sampled", "rowcount", "full")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "regions", help="linear regions of sparse ReLU networks: bound or exact count",
        description="--bound: Theorem 1 of Cai et al. (2023), the bound on the expected "
                    "maximal number of linear regions of a randomly pruned ReLU network on "
                    "a d-dimensional input subspace, in exact integer arithmetic, beside the "
                    "row-count approximation, the dense bound (Serra et al. 2018) and the "
                    "three-point density allocation.  --weights: the exact number of linear "
                    "(activation) regions of a network's hidden layers on the segment of 2 "
                    "points or the triangle of 3 points.  Exit 0, or 2 on bad input.")
    p.add_argument("--bound", action="store_true", help="compute Theorem 1's bound")
    p.add_argument("--widths", metavar="N0,N1,...",
                   help="input width, then every layer (the last counts as layer L; no default: "
                        "required with --bound)")
    p.add_argument("--density", metavar="D",
                   help="one density (kept fraction) for every layer (no default: with --bound "
                        "give it or --densities)")
    p.add_argument("--densities", metavar="D1,D2,...",
                   help="one density per layer (no default: with --bound give it or --density)")
    p.add_argument("--dim", default="1,2", metavar="D,...",
                   help="input subspace dimensions d (default 1,2)")
    p.add_argument("--rank-method", default="auto", choices=RANK_METHODS,
                   help="rank law P(k|R,C,S): exact enumeration, sampled structural ranks, "
                        "the row-count approximation, full rank; auto = exact where the "
                        "enumeration is small, else sampled")
    p.add_argument("--samples", default="2000", metavar="T", help="masks per sampled law")
    p.add_argument("--weights", metavar="NET.npz",
                   help="count the regions of this network (no default: required without --bound)")
    p.add_argument("--points", metavar="P.npy|digits",
                   help="2 or 3 input points (one per row, .npy or .csv), or 'digits' (no default: "
                        "required with --weights)")
    p.add_argument("--num-points", default="3", metavar="2|3",
                   help="with --points digits: how many digits span the subspace")
    p.add_argument("--grid", default="0", metavar="N",
                   help="also count distinct patterns on an N-step grid (a lower bound)")
    p.add_argument("--seed", default="0", metavar="S", help="seed of sampling and digits")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _list(text, argument: str, example: str) -> list[str]:
    items = [t for t in str(text).replace(" ", "").split(",") if t]
    if not items:
        raise InvalidArgument(argument, text, "empty list", f"write e.g. {argument} {example}")
    return items


def run(args) -> int:
    if args.bound == bool(args.weights):
        raise InvalidArgument("--bound", "given" if args.bound else "missing",
                              "choose exactly one of --bound and --weights",
                              "run 'pntk regions --bound --widths ...' or "
                              "'pntk regions --weights NET.npz --points P.npy'")
    result = _bound(args) if args.bound else _count(args)
    if args.json:
        print(json.dumps(result))
    else:
        _print(result)
    return 0


def _bound(args) -> dict:
    from theory.regions.allocation import allocate_densities
    from theory.regions.bound import check_widths, region_bounds
    from theory.regions.ranks import (check_density, exact_feasible, exact_rank_distribution,
                                      full_rank_distribution, point_rank_distribution,
                                      rowcount_rank_distribution)
    from numerics.regions.ranks import sampled_rank_distribution

    if args.widths is None:
        raise InvalidArgument("--widths", None, "missing", "give --widths 784,20,20,10")
    widths = check_widths([parse_int(w, "--widths", 1)
                           for w in _list(args.widths, "--widths", "784,20,20,10")], "--widths")
    layers = len(widths) - 1
    if (args.density is None) == (args.densities is None):
        raise InvalidArgument("--density", args.density, "give exactly one of --density and "
                              "--densities", "e.g. --density 0.1")
    if args.density is not None:
        densities = [check_density(args.density, "--density")] * layers
    else:
        densities = [check_density(d, "--densities")
                     for d in _list(args.densities, "--densities", "0.5,0.1,0.1")]
        if len(densities) != layers:
            raise InvalidArgument("--densities", args.densities,
                                  f"{len(densities)} values for {layers} layers",
                                  f"give one density per layer ({layers})")
    dims = sorted({parse_int(d, "--dim", 1) for d in _list(args.dim, "--dim", "1,2,4")})
    if dims[-1] > widths[0]:
        raise InvalidArgument("--dim", args.dim, f"{dims[-1]} exceeds the input width "
                              f"{widths[0]}", f"give dimensions between 1 and {widths[0]}")
    samples = parse_int(args.samples, "--samples", 1)
    seed = parse_int(args.seed, "--seed", 0)
    top = dims[-1]

    def law(method, l):
        rows, cols, S = widths[l], widths[l - 1], densities[l - 1]
        if method == "auto":
            method = "exact" if S in (0, 1) or exact_feasible(rows, cols) else "sampled"
        if method == "exact" and S == 1:
            return full_rank_distribution(rows, cols, S, top=top)
        if method == "exact" and S == 0:            # nothing kept: rank 0 surely
            return point_rank_distribution(rows, cols, 0, S, method="exact").truncate(top)
        if method == "exact":
            return exact_rank_distribution(rows, cols, S, top=top)
        if method == "sampled":
            return sampled_rank_distribution(rows, cols, S, samples, seed, top=top)
        if method == "rowcount":
            return rowcount_rank_distribution(rows, cols, S, top=top)
        return full_rank_distribution(rows, cols, S, top=top)

    try:
        chosen_laws = [law(args.rank_method, l) for l in range(1, layers + 1)]
    except InvalidArgument as exc:                # a layer too large to enumerate
        raise InvalidArgument("--rank-method", args.rank_method, exc.problem,
                              "use --rank-method auto, sampled or rowcount") from None
    chosen = region_bounds(widths, chosen_laws, dims)
    rowcount = region_bounds(widths, [law("rowcount", l) for l in range(1, layers + 1)], dims)
    dense = region_bounds(widths, [law("full", l) for l in range(1, layers + 1)], dims)
    uniform = len(set(densities)) == 1
    bounds = []
    for b, r, f in zip(chosen, rowcount, dense):
        entry = {**b.to_json(), "log2_rowcount": r.log2, "log2_dense": f.log2}
        if uniform:
            alloc = allocate_densities(widths, densities[0], b.dim)
            entry["three_point"] = alloc.to_json()
            entry["uniform_log2_rowcount"] = r.log2
        bounds.append(entry)
    return {"widths": list(widths), "densities": [str(d) for d in densities],
            "rank_method": args.rank_method, "samples": samples, "seed": seed,
            "log2_bound": {str(e["dim"]): e["log2_bound"] for e in bounds},
            "bounds": bounds}


def _count(args) -> dict:
    import numpy as np

    from numerics.networks.netfile import load_network
    from numerics.regions.average import count_regions
    from numerics.regions.data import data_points
    from numerics.regions.exact import hidden_matrices
    from numerics.regions.lower import grid_pattern_count
    from numerics.regions.ranks import layer_ranks
    from theory.regions.bound import deterministic_bound

    from .._common import load_inputs

    net = load_network(args.weights, "--weights").network
    if net.activation != "relu":
        raise InvalidArgument("--weights", args.weights, f"activation {net.activation} is not "
                              "piecewise linear", "store a ReLU network (activation 'relu')")
    if args.points is None:
        raise InvalidArgument("--points", None, "missing",
                              "give --points P.npy (2 or 3 rows) or --points digits")
    seed = parse_int(args.seed, "--seed", 0)
    if args.points == "digits":
        count = parse_int(args.num_points, "--num-points", 2)
        if count > 3:
            raise InvalidArgument("--num-points", args.num_points, "more than 3 points",
                                  "give 2 (a segment) or 3 (a triangle)")
        points = data_points(count, seed)
    else:
        points = load_inputs(args.points, "--points")
    if len(points) not in (2, 3):
        raise InvalidArgument("--points", args.points, f"{len(points)} points",
                              "give 2 points (a segment) or 3 (a triangle), one per row")
    if points.shape[1] != net.input_dim:
        raise InvalidArgument("--points", args.points, f"points of dimension {points.shape[1]}"
                              f" but W1 has {net.input_dim} columns",
                              f"give points with {net.input_dim} coordinates")
    if not np.all(np.isfinite(points)):
        raise InvalidArgument("--points", args.points, "NaN or infinity", "give finite points")
    layers = hidden_matrices(net)
    try:
        result = count_regions(layers, points)
    except InvalidArgument as exc:              # coincident or collinear points
        raise InvalidArgument("--points", args.points, exc.problem, exc.fix) from None
    ranks = layer_ranks(layers)
    widths = [net.input_dim, *(A.shape[0] for A in layers)]
    dim = len(points) - 1
    bound = deterministic_bound(widths, [r[0] for r in ranks], dim)
    out = {"count": result.count, "shape": "segment" if dim == 1 else "triangle",
           "per_layer": list(result.per_layer), "widths": widths,
           "structural_ranks": [r[0] for r in ranks], "numerical_ranks": [r[1] for r in ranks],
           "deterministic_bound": bound, "bound_over_count": bound / result.count,
           "method": result.method,
           "note": "hidden layers only (the linear output layer makes no regions)"}
    grid = parse_int(args.grid, "--grid", 0)
    if grid:
        lower = grid_pattern_count(layers, points, grid)
        out["grid_lower_bound"] = {"lower_bound": lower.lower_bound, "points": lower.points,
                                   "method": lower.method}
    return out


def _print(r: dict) -> None:
    if "count" in r:
        print(f"regions on the {r['shape']}: {r['count']} (exact; after each hidden layer: "
              f"{', '.join(map(str, r['per_layer']))})")
        print(f"widths {r['widths']}, structural ranks {r['structural_ranks']} (numerical "
              f"{r['numerical_ranks']})")
        print(f"deterministic bound at these ranks: {r['deterministic_bound']} "
              f"({r['bound_over_count']:.3g} x the count)")
        if "grid_lower_bound" in r:
            g = r["grid_lower_bound"]
            print(f"grid of {g['points']} points: {g['lower_bound']} patterns (a LOWER BOUND)")
        return
    print(f"widths {r['widths']}, densities {r['densities']}, rank law: {r['rank_method']}")
    print("dim  log2 bound   law per layer            log2 rowcount  log2 dense  "
          "three-point: log2 rowcount (densities)")
    for b in r["bounds"]:
        tp = b.get("three_point")
        extra = "" if tp is None else \
            f"{tp['log2_bound']:.4f} ({', '.join(f'{p:.3g}' for p in tp['densities'])})"
        print(f"{b['dim']:>3}  {b['log2_bound']:<11.6f}  {','.join(b['rank_methods']):<23}  "
              f"{b['log2_rowcount']:<13.6f}  {b['log2_dense']:<10.6f}  {extra}")
