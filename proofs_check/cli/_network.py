"""The network options every command that builds one shares, and how they are printed.

``--depth L``, ``--keep-prob`` (one value for every masked layer, one per masked layer,
or one per weight layer 1..L+1), ``--masked-layers`` (default 2..L+1, the first layer
dense as in the authors' experiments), ``--prune-first-layer``, ``--rescale`` and
``--activation`` map one to one onto :meth:`theory.config.Architecture.pruned`.
"""

from __future__ import annotations

from theory._errors import InvalidArgument, check_keep_prob

from ._common import parse_int

__all__ = ["ACTIVATIONS", "add_network_arguments", "architecture", "describe_network",
           "layers_text", "parse_layers"]

#: theory.config.ACTIVATIONS, repeated here so that building the parser imports nothing
#: heavy (a test checks the two agree).
ACTIVATIONS = ("relu", "erf")

KEEP_PROB_HELP = ("keep probability q in (0, 1] (q = 1 - prune_prob; decimals are exact: "
                  "0.3 is 3/10): one value for every masked layer, one per masked layer "
                  "(e.g. 0.3,0.5 with --masked-layers 2,3) or one per weight layer 1..L+1")


def add_network_arguments(p, *, keep_prob_required: bool = False,
                          keep_prob_help: str | None = None, rescale: bool = True,
                          activation: bool = True) -> None:
    """Add --depth, --keep-prob, --masked-layers, --prune-first-layer (and --rescale,
    --activation unless told not to) to the parser ``p``."""
    p.add_argument("--depth", required=True, help="number of hidden layers L (>= 1)")
    p.add_argument("--keep-prob", required=keep_prob_required,
                   help=keep_prob_help or (KEEP_PROB_HELP + (
                       "" if keep_prob_required else
                       " (default: 1, no pruning: the dense network)")))
    p.add_argument("--masked-layers", metavar="LAYERS",
                   help="comma-separated weight layers to mask, numbered 1..L+1 (default: "
                        "2..L+1, the first layer dense; --prune-first-layer adds layer 1)")
    p.add_argument("--prune-first-layer", action="store_true",
                   help="mask the first layer too (claim C5: the limit is then a mask average)")
    if rescale:
        p.add_argument("--rescale", action="store_true",
                       help="rescale kept weights by 1/sqrt(q) (default: plain pruning)")
    if activation:
        p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")


def parse_layers(text: str, argument: str, depth: int) -> tuple[int, ...]:
    """'2,3' -> (2, 3): distinct weight layers in 1..depth+1."""
    items = [t for t in str(text).replace(" ", "").split(",") if t != ""]
    if not items:
        raise InvalidArgument(argument, text, "no layer given",
                              f"list weight layers from 1..{depth + 1}, e.g. 2,3")
    layers = [parse_int(t, argument, 1) for t in items]
    if len(set(layers)) != len(layers):
        raise InvalidArgument(argument, text, "has repeated layers", "list each layer once")
    bad = [h for h in layers if h > depth + 1]
    if bad:
        raise InvalidArgument(argument, text, f"layer {bad[0]} does not exist at depth {depth}",
                              f"weight layers are numbered 1..{depth + 1}")
    return tuple(sorted(layers))


def _keep_probs(text, masked: tuple[int, ...], depth: int):
    """One value, one per masked layer, or one per weight layer -> what Architecture takes."""
    items = [t for t in str(text).replace(" ", "").split(",") if t != ""]
    if len(items) == 1:
        return check_keep_prob(items[0], "--keep-prob")
    values = [check_keep_prob(t, "--keep-prob") for t in items]
    if len(values) == depth + 1:
        return values
    if len(values) == len(masked):
        per_layer = dict(zip(masked, values))
        return [per_layer.get(h, 1) for h in range(1, depth + 2)]
    raise InvalidArgument("--keep-prob", text,
                          f"{len(values)} values, but {len(masked)} layer(s) are masked "
                          f"({', '.join(map(str, masked)) or 'none'}) and depth {depth} has "
                          f"{depth + 1} weight layers",
                          "give one value, one per masked layer or one per weight layer")


def architecture(args, *, keep_prob=None):
    """The :class:`~theory.config.Architecture` the network options describe.

    ``keep_prob`` replaces ``args.keep_prob`` (a symbolic placeholder, say)."""
    from theory.config import Architecture
    activation = getattr(args, "activation", "relu")
    if activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    depth = parse_int(args.depth, "--depth", 1)
    masked = None
    if getattr(args, "masked_layers", None) is not None:
        masked = parse_layers(args.masked_layers, "--masked-layers", depth)
        if args.prune_first_layer and 1 not in masked:
            masked = (1,) + masked
    effective = masked if masked is not None else \
        tuple(range(1 if args.prune_first_layer else 2, depth + 2))
    given = keep_prob if keep_prob is not None else args.keep_prob
    q = 1 if given is None else _keep_probs(given, effective, depth)
    try:
        return Architecture.pruned(depth, q, rescale=getattr(args, "rescale", False),
                                   prune_first_layer=args.prune_first_layer,
                                   masked_layers=masked, activation=activation)
    except InvalidArgument as exc:       # name the flag, not the Python parameter
        flag = {"keep_prob": "--keep-prob", "keep_probs": "--keep-prob",
                "masked_layers": "--masked-layers"}.get(exc.argument.split("[")[0],
                                                        exc.argument)
        raise InvalidArgument(flag, given if flag == "--keep-prob" else exc.value,
                              exc.problem, exc.fix) from None


def layers_text(layers) -> str:
    """Weight layers in words, runs of three or more as ranges.

    >>> layers_text([2, 3]), layers_text([1, 3, 4, 5, 6]), layers_text([4])
    ('layers 2, 3', 'layers 1, 3..6', 'layer 4')
    """
    layers = sorted(layers)
    if len(layers) == 1:
        return f"layer {layers[0]}"
    parts, start = [], 0
    for i in range(1, len(layers) + 1):
        if i == len(layers) or layers[i] != layers[i - 1] + 1:
            run = layers[start:i]
            parts += [f"{run[0]}..{run[-1]}"] if len(run) >= 3 else [str(h) for h in run]
            start = i
    return "layers " + ", ".join(parts)


def describe_network(arch, *, symbolic: bool = False) -> str:
    """What was computed, in words: the activation, depth, which layers are pruned and
    with which keep probabilities (or "dense" when every q is 1), and the rescaling.

    >>> from theory.config import Architecture
    >>> describe_network(Architecture.pruned(3, 1))
    'relu, depth 3, dense (every keep_prob is 1: no layer pruned)'
    >>> describe_network(Architecture.pruned(2, "0.3", rescale=True))
    'relu, depth 2, keep_prob 3/10 on layers 2, 3 (layer 1 dense), rescaled pruning'
    >>> describe_network(Architecture.pruned(2, ["1", "0.3", "0.5"]))
    'relu, depth 2, keep_probs 3/10, 1/2 on layers 2, 3 (layer 1 dense), plain pruning'
    >>> describe_network(Architecture.pruned(9, "1/2", masked_layers=[1, 3]))
    'relu, depth 9, keep_prob 1/2 on layers 1, 3 (layers 2, 4..10 dense), plain pruning'
    """
    head = f"{arch.activation}, depth {arch.depth}"
    pruned = [h for h in arch.masked_layers if arch.keep_probs[h - 1] != 1 or symbolic]
    if not pruned:
        return head + ", dense (every keep_prob is 1: no layer pruned)"
    dense = [h for h in range(1, arch.depth + 2) if h not in pruned]
    if symbolic:
        qs = "keep_prob q (symbolic)"
    else:
        values = [arch.keep_probs[h - 1] for h in pruned]
        qs = (f"keep_prob {values[0]}" if len(set(values)) == 1 else
              "keep_probs " + ", ".join(str(q) for q in values))
    rest = f"{layers_text(dense)} dense" if dense else "every layer pruned"
    kind = "rescaled" if arch.rescale else "plain"
    return f"{head}, {qs} on {layers_text(pruned)} ({rest}), {kind} pruning"
