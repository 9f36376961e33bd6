"""``pntk masks``: prune a network at initialisation by a named method and save its masks."""

from __future__ import annotations

import json
import sys

from theory._errors import InvalidArgument

from .._common import parse_int

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "masks", help="masks from a pruning method (random, ERK, magnitude, SNIP, GraSP, SynFlow)",
        description="Draw the Gaussian weights of a network (seeded as pntk simulate draws "
                    "them), prune it at initialisation with METHOD to the target density and "
                    "write the masks M1..M{L+1} with the initial weights W1..W{L+1} to a "
                    "NET.npz file that pntk entk --weights reads.  SNIP and GraSP score on "
                    "data (default: scikit-learn's handwritten digits, through a 10-way "
                    "readout used only for scoring).  --list shows the methods.")
    p.add_argument("method", nargs="?", metavar="METHOD", help="a pruning method (see --list)")
    p.add_argument("--list", action="store_true", help="list the methods and exit")
    p.add_argument("--depth", help="number of hidden layers L (>= 1; no default: required "
                                   "unless --list)")
    p.add_argument("--width", help="hidden width of every layer, or L comma-separated widths "
                                   "(no default: required unless --list)")
    p.add_argument("--density", help="kept fraction d in (0, 1] of the pruned layers, or one "
                                     "per pruned layer (comma-separated, with --per-layer; no "
                                     "default: required unless --list)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--per-layer", dest="scope", action="store_const", const="per-layer",
                       help="every pruned layer keeps the fraction d")
    scope.add_argument("--global", dest="scope", action="store_const", const="global",
                       help="the pruned layers together keep the fraction d (default for "
                            "score-based methods and ERK)")
    p.add_argument("--layers", help="pruned layers, comma-separated (default: 2..L+1, the "
                                    "first layer dense)")
    p.add_argument("--data", default="digits",
                   help="scoring data: 'digits' (default) or a .npz with arrays inputs and "
                        "labels, or a .npy of inputs with --labels")
    p.add_argument("--labels", metavar="FILE", help=".npy of integer labels for --data X.npy (default: none; "
                   "required with a .npy --data)")
    p.add_argument("--samples", help="score on the first N inputs only (default: all)")
    p.add_argument("--input-dim", help="input dimension d0 (default: that of --data, 64 for "
                                       "the digits; data-free methods only)")
    p.add_argument("--rounds", help="rounds of iterative methods (SynFlow; default 100)")
    p.add_argument("--activation", default="relu", help="relu or erf")
    p.add_argument("--seed", default="0", help="seed of the weights and random draws (>= 0)")
    p.add_argument("--trial", default="0", help="trial index t: the network pntk simulate "
                                                "draws as trial t (>= 0)")
    p.add_argument("--out", help="the .npz file to write (atomically; default: none, nothing is written)")
    p.add_argument("--masks-only", action="store_true",
                   help="write the masks without the weights (a smaller file; pntk entk "
                        "needs the weights)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _require(args, name: str, flag: str):
    value = getattr(args, name)
    if value is None:
        raise InvalidArgument(flag, None, "missing", f"give {flag} (see pntk masks --help)")
    return value


def _widths(text: str, depth: int) -> tuple[int, ...]:
    parts = [t for t in str(text).replace(" ", "").split(",") if t]
    if len(parts) == 1:
        parts *= depth
    if len(parts) != depth:
        raise InvalidArgument("--width", text, f"{len(parts)} widths for depth {depth}",
                              f"give one width or {depth} comma-separated widths")
    return tuple(parse_int(t, "--width", 1) for t in parts)


def _layers(text: str | None):
    if text is None:
        return None
    parts = [t for t in str(text).replace(" ", "").split(",") if t]
    if not parts:
        raise InvalidArgument("--layers", text, "no layer given", "write e.g. --layers 2,3")
    return tuple(parse_int(t, "--layers", 1) for t in parts)


def _list_methods() -> int:
    from numerics.masks import METHODS

    for m in METHODS.values():
        extra = ", on data" if m.uses_data else ""
        print(f"{m.name:10s} {m.summary} (scopes: {', '.join(m.scopes)}; default "
              f"{m.scopes[0]}{extra})")
    return 0


def _progress(method: str, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{method}: round {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show


def run(args) -> int:
    if args.list:
        return _list_methods()
    from numerics.masks import METHODS, PruningSpec, draw_weights, save_mask

    method = _require(args, "method", "METHOD")
    if method not in METHODS:
        raise InvalidArgument("METHOD", method, "unknown pruning method",
                              f"choose one of {', '.join(METHODS)}")
    depth = parse_int(_require(args, "depth", "--depth"), "--depth", 1)
    widths = _widths(_require(args, "width", "--width"), depth)
    density = _require(args, "density", "--density")
    out = _require(args, "out", "--out")
    info = METHODS[method]
    if args.rounds is not None and not info.iterative:
        raise InvalidArgument("--rounds", args.rounds, f"{method} prunes in one shot",
                              "drop --rounds (it applies to iterative methods: " + ", ".join(
                                  m.name for m in METHODS.values() if m.iterative) + ")")
    try:
        spec = PruningSpec(method, density, scope=args.scope, layers=_layers(args.layers),
                           data=args.data, labels=args.labels,
                           samples=None if args.samples is None else
                           parse_int(args.samples, "--samples", 1),
                           rounds=100 if args.rounds is None else
                           parse_int(args.rounds, "--rounds", 1),
                           activation=args.activation)
    except InvalidArgument as exc:
        flag = {"density": "--density", "scope": "--per-layer/--global", "layers": "--layers",
                "activation": "--activation"}.get(exc.argument, exc.argument)
        raise InvalidArgument(flag, exc.value, exc.problem, exc.fix) from None
    input_dim = _input_dim(args, spec, info)
    shape = (input_dim, *widths, 1)
    try:
        spec.pruned_layers(depth)      # a bad --layers fails before any work
    except InvalidArgument as exc:
        raise InvalidArgument("--layers", args.layers, exc.problem, exc.fix) from None
    weights = draw_weights(shape, parse_int(args.seed, "--seed", 0),
                           parse_int(args.trial, "--trial", 0))
    mask = spec.mask(shape, parse_int(args.seed, "--seed", 0), parse_int(args.trial, "--trial", 0),
                     weights, progress=_progress(method, args.quiet or args.json))
    path = save_mask(mask, out, None if args.masks_only else weights,
                     activation=args.activation, argument="--out")
    summary = mask.summary()
    summary["out"] = str(path)
    summary["contents"] = "masks" if args.masks_only else "masks and initial weights"
    if args.json:
        print(json.dumps(summary))
    else:
        _print_text(summary, spec)
    return 0


def _input_dim(args, spec, info) -> int:
    data = spec.scoring_data
    if data is not None:
        if args.input_dim is not None and parse_int(args.input_dim, "--input-dim", 1) \
                != data.input_dim:
            raise InvalidArgument("--input-dim", args.input_dim, f"the scoring data "
                                  f"({data.source}) has {data.input_dim} features",
                                  "drop --input-dim (it follows the data)")
        return data.input_dim
    if args.input_dim is not None:
        return parse_int(args.input_dim, "--input-dim", 1)
    if args.data != "digits" or args.labels is not None or args.samples is not None:
        raise InvalidArgument("--data", args.data, f"{info.name} is data-free",
                              "drop --data, --labels and --samples (give --input-dim for the "
                              "input dimension)")
    return 64                           # the digits' dimension, as for data-driven methods


def _decimal(fractions: str) -> str:
    """'1/5' as '0.2' (each of a comma-separated list)."""
    from fractions import Fraction

    return ",".join(f"{float(Fraction(f)):.6g}" for f in fractions.split(","))


def _print_text(s: dict, spec) -> None:
    p = s["params"]
    data = f", scored on {p['data']} ({p['samples']} inputs, {p['classes']} classes)" \
        if "data" in p else ""
    rounds = f", {p['rounds']} rounds" if "rounds" in p else ""
    print(f"pntk masks {s['method']}: depth {s['depth']}, shape {s['shape']}, {p['scope']} "
          f"density {_decimal(p['density'])} over layers {', '.join(map(str, p['layers']))}{data}"
          f"{rounds}, seed {p['seed']}, trial {p['trial']}")
    print("layer  shape          target    density   kept / weights")
    for r in s["layers"]:
        target = _decimal(r["nominal_density"]) if r["pruned"] else "dense"
        shape = f"{r['shape'][0]} x {r['shape'][1]}"
        print(f"{r['layer']:5d}  {shape:13s}  {target:8s}  {r['density']:.6f}  "
              f"{r['kept']} / {r['size']}")
    total = sum(r["size"] for r in s["layers"] if r["pruned"])
    print(f"pruned layers together: density {s['density']:.6f} ({s['kept']} / {total} kept)")
    for h in s["collapsed_layers"]:
        print(f"warning: layer {h} keeps no weight (layer collapse): the network's output "
              "is constant")
    what = "masks" if s["contents"] == "masks" else \
        "masks and initial weights (pntk entk --weights reads it)"
    print(f"wrote {s['out']}: {what}")
