"""``--mask FILE|METHOD``: masks from a file or a pruning method in place of Bernoulli masks.

Commands that draw random networks (``pntk simulate``, ``pntk scaling``) or evaluate a
stored one (``pntk entk``) take the same options as ``pntk masks``: ``--density``, the
budget scope, the scoring data and the rounds of iterative methods.  Only the standard
library is imported at parse time.
"""

from __future__ import annotations

from theory._errors import InvalidArgument

from ._common import parse_int

__all__ = ["add_mask_arguments", "mask_source_from", "MASK_FLAGS"]

#: option names of this group, to name them in errors
MASK_FLAGS = {"density": "--density", "scope": "--per-layer/--global", "layers": "--layers",
              "activation": "--activation", "rounds": "--rounds", "samples": "--samples",
              "data": "--data", "labels": "--labels", "mask": "--mask"}


def add_mask_arguments(p, *, density: bool = True, mask: bool = True) -> None:
    """Add --mask (unless ``mask=False``: the command names its method itself), --density
    (unless ``density=False``), --per-layer/--global, --data, --labels, --samples and
    --rounds to the parser ``p``."""
    w = "with --mask METHOD: " if mask else ""
    if mask:
        p.add_argument("--mask", metavar="FILE|METHOD",
                       help="masks from a NET.npz mask file (pntk masks --out) or a pruning "
                            "method (random, uniform, erk, magnitude, snip, grasp, synflow: "
                            "each trial prunes its own weights) instead of Bernoulli masks "
                            "(default: Bernoulli masks with --keep-prob)")
    if density:
        p.add_argument("--density", help=w + "kept fraction d in (0, 1] of the pruned "
                                             "layers, or one per pruned layer (default: "
                                             "none; required with a method)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--per-layer", dest="scope", action="store_const", const="per-layer",
                       help=w + "every pruned layer keeps the fraction d")
    scope.add_argument("--global", dest="scope", action="store_const", const="global",
                       help=w + "the pruned layers together keep the "
                            "fraction d (default for score-based methods and ERK)")
    p.add_argument("--data", default="digits",
                   help=w + "scoring data of SNIP and GraSP, 'digits' or a "
                        ".npz with inputs and labels, or a .npy with --labels")
    p.add_argument("--labels", metavar="FILE",
                   help=w + "with a .npy --data: integer labels (default: none)")
    p.add_argument("--samples", help=w + "score on the first N inputs only (default: all)")
    p.add_argument("--rounds", help="rounds of SynFlow (default 100)")


def mask_source_from(args, *, layers=None, density=None, activation: str = "relu"):
    """The :class:`~numerics.masks.Mask` or :class:`~numerics.masks.PruningSpec` named by
    ``args.mask`` (None without --mask).  ``layers`` are the pruned layers of a method
    (None: 2..L+1); ``density`` replaces ``args.density``."""
    if getattr(args, "mask", None) is None:
        for name in ("density", "scope", "samples", "rounds", "labels"):
            if getattr(args, name, None) is not None:
                raise InvalidArgument(MASK_FLAGS[name], getattr(args, name),
                                      "applies to --mask METHOD only",
                                      f"drop {MASK_FLAGS[name]} or give --mask METHOD")
        return None
    from numerics.masks import METHODS, mask_source

    text = str(args.mask)
    method = METHODS.get(text)
    if method is None:
        if not text.lower().endswith(".npz"):
            raise InvalidArgument("--mask", text, "neither a pruning method nor a .npz file",
                                  f"give a mask file or one of {', '.join(METHODS)}")
        for name in ("density", "scope", "samples", "rounds", "labels"):
            if getattr(args, name, None) is not None:
                raise InvalidArgument(MASK_FLAGS[name], getattr(args, name),
                                      "a mask file fixes the masks",
                                      f"drop {MASK_FLAGS[name]}, or give --mask METHOD")
        return mask_source(text, argument="--mask")
    if args.rounds is not None and not method.iterative:
        raise InvalidArgument("--rounds", args.rounds, f"{text} prunes in one shot",
                              "drop --rounds (it applies to iterative methods)")
    if not method.uses_data and (args.samples is not None or args.labels is not None
                                 or args.data != "digits"):
        raise InvalidArgument("--data", args.data, f"{text} is data-free",
                              "drop --data, --labels and --samples")
    given = density if density is not None else getattr(args, "density", None)
    try:
        return mask_source(text, density=given, argument="--mask", scope=args.scope,
                           layers=layers, data=args.data, labels=args.labels,
                           samples=None if args.samples is None else
                           parse_int(args.samples, "--samples", 1),
                           rounds=100 if args.rounds is None else
                           parse_int(args.rounds, "--rounds", 1),
                           activation=activation)
    except InvalidArgument as exc:
        if exc.argument == "--mask" and given is None:
            raise InvalidArgument("--density", None, "a method needs a target density",
                                  "give --density d (the kept fraction, e.g. 0.2)") from None
        flag = MASK_FLAGS.get(exc.argument, exc.argument)
        raise InvalidArgument(flag, exc.value, exc.problem, exc.fix) from None
