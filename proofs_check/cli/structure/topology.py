"""``pntk topology``: Ramanujan-graph metrics of every layer of a set of masks."""

from __future__ import annotations

import json

from theory._errors import InvalidArgument

from .._common import parse_int

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "topology", help="Ramanujan-graph metrics of masks (Hoang et al. 2023)",
        description="Per layer of a mask set: the bipartite graph with isolated nodes "
                    "removed, and (when the mean left and right degrees are >= 3) mu_0, "
                    "mu_hat, Delta_r, Delta_s, the weighted spectral gap (with weights), the "
                    "mean of the gaps over input-degree classes, and the constant-graphon "
                    "prediction at the layer's density.  Exit 0, or 2 on bad input.")
    p.add_argument("--masks", required=True, metavar="FILE|random|METHOD",
                   help="NET.npz, an .npz of masks M1..Mk, 'random' (Bernoulli on every "
                        "layer, no readout) or a pruning method of pntk masks (uniform, erk, "
                        "magnitude, snip, grasp, synflow: the network N0, N1, ..., 1 with "
                        "the method's defaults), the last two with --density and --widths")
    p.add_argument("--density", metavar="D",
                   help="density of random or method-made masks (no default: required "
                        "with them)")
    p.add_argument("--widths", metavar="N0,N1,...",
                   help="layer widths of random or method-made masks (no default: required "
                        "with them)")
    p.add_argument("--seed", default="0", metavar="S",
                   help="seed of random masks, or of the network a method prunes")
    p.add_argument("--no-classes", action="store_true",
                   help="skip the degree-class mean (faster)")
    p.add_argument("--plot", metavar="PATH.png",
                   help="also plot the metrics against density (the --sweep densities) of "
                        "masks of the same shapes made the same way (random for a file), "
                        "with these masks' layers marked (default: no plot)")
    p.add_argument("--sweep", default="0.01,0.02,0.05,0.1,0.2,0.5", metavar="D,...",
                   help="densities of the --plot sweep")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args) -> int:
    from numerics.topology.inputs import read_masks
    from numerics.topology.report import density_sweep, mask_topology, plot_sweep

    widths = None
    if args.widths is not None:
        widths = [parse_int(w, "--widths", 1) for w in str(args.widths).split(",") if w]
    seed = parse_int(args.seed, "--seed", 0)
    if args.plot:
        from pathlib import Path
        folder = Path(args.plot).resolve().parent
        if not folder.is_dir():
            raise InvalidArgument("--plot", args.plot, f"the folder {folder.name} does not exist",
                                  "create the folder first or give another path")
    masks = read_masks(args.masks, args.density, widths, seed)
    layers = mask_topology(masks.masks, masks.weights, classes=not args.no_classes)
    result = {"masks": masks.label, "layers": layers}
    if args.plot:
        sweep = []
        for text in str(args.sweep).split(","):
            try:
                value = float(text)
            except ValueError:
                raise InvalidArgument("--sweep", args.sweep, f"'{text}' is not a number",
                                      "give densities such as 0.01,0.1,0.5") from None
            if not 0 < value < 1:
                raise InvalidArgument("--sweep", args.sweep, f"density {text} not in (0, 1)",
                                      "give densities strictly between 0 and 1")
            sweep.append(value)
        shapes = [masks.masks[0].shape[1]] + [M.shape[0] for M in masks.masks]
        method = args.masks if args.masks in _methods() else "random"
        if method != "random":
            shapes = shapes[:-1]            # the readout row is the method's own
        rows = density_sweep(shapes, sweep, method=method)
        plot_sweep(rows, args.plot, label=f"{method} masks of shapes {shapes}",
                   marks=[(layer["layer"], layer["density"], layer)
                          for layer in layers if layer["computed"] and layer["density"] < 1])
        result["plot"] = args.plot
    if args.json:
        print(json.dumps(result))
    else:
        _print(result)
    return 0


def _methods() -> tuple:
    from numerics.masks import METHODS
    return tuple(METHODS)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.4g}"


def _print(r: dict) -> None:
    print(f"masks: {r['masks']}")
    print("layer  shape        density  left x right  mean deg (L, R)  mu_0      mu_hat   "
          "Delta_r   Delta_s   class-mean Delta_r  graphon Delta_r")
    for m in r["layers"]:
        cm = m.get("iterative_mean") or {}
        g = m.get("constant_graphon") or {}
        shape = f"{m['n_out']}x{m['n_in']}"
        print(f"{m['layer']:>5}  {shape:<11}  {m['density']:<7.4g}  "
              f"{m['left']:>5} x {m['right']:<5}  {m['mean_left_degree']:>6.4g}, "
              f"{m['mean_right_degree']:<7.4g}  {_fmt(m['mu_0']):<8}  {_fmt(m['mu_hat']):<7}  "
              f"{_fmt(m['delta_r']):<8}  {_fmt(m['delta_s']):<8}  "
              f"{_fmt(cm.get('delta_r')):<18}  {_fmt(g.get('delta_r'))}")
        if m["note"]:
            print(f"       {m['note']}")
        if m.get("weighted_gap") is not None:
            print(f"       weighted |W.M|: mu_0 {m['weighted_mu_0']:.4g}, mu_hat "
                  f"{m['weighted_mu_hat']:.4g}, spectral gap {m['weighted_gap']:.4g}")
    if "plot" in r:
        print(f"plot: {r['plot']}")
