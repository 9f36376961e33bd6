"""``pntk claim KIND``: check a user's claim about the limit NTK of a pruned network.

* ``pntk claim scaling --depth L --keep-prob q --exponent k``: "the pruned limit
  NTK equals q^k times the dense one" (claim C1 with any exponent);
* ``pntk claim rescaled-equals-dense --depth L --keep-prob q``: "with rescaling
  by 1/sqrt(q) the limit NTK is the dense one for all inputs of dimension d0"
  (claim C2).

Each prints the verdict, a one-line explanation, the key evidence and, when the
claim is refuted, a witness (an input pair and the two values that differ); with
``--json`` one object: ``ClaimResult.to_json()`` plus ``"witness"``.  Exit code 0
when the claim is not refuted, 1 when it is, 2 on bad input (one line naming the
flag, its value and the fix; never "not applicable").
"""

from __future__ import annotations

import json

from theory._errors import InvalidArgument, check_keep_prob

from ...budgets import BUDGETS, budget
from .._common import heartbeat, parse_int
from .._network import ACTIVATIONS

__all__ = ["add_parser", "run_claim", "EXIT_REFUTED"]

EXIT_REFUTED = 1


def add_parser(sub, extra=()) -> None:
    """Add ``claim`` and its subcommands; each callable in ``extra`` gets the claim
    subparsers object to add its own."""
    p = sub.add_parser(
        "claim", help="check a claim about the limit NTK of a pruned network",
        description="Check a user's claim: symbolically where the theory is exact, on "
                    "sampled input pairs in float64 (and Monte Carlo with a stated error "
                    "rate where a masked first layer needs it) otherwise.  Exit code 0 when "
                    "the claim is not refuted, 1 when it is refuted, 2 on bad input.")
    kinds = p.add_subparsers(dest="claim_kind", metavar="CLAIM", parser_class=type(p))
    kinds.required = True

    s = kinds.add_parser(
        "scaling", help="the pruned limit NTK equals keep_prob^k times the dense one",
        description="Claim: the infinite-width NTK of the pruned network equals q^k times "
                    "the dense network's, for all non-zero inputs of dimension d0.")
    _common_arguments(s)
    s.add_argument("--exponent", required=True,
                   help="the claimed exponent k (a number: 3, 2.5 or 5/2)")
    s.add_argument("--rescale", action="store_true", help="rescale kept weights by 1/sqrt(q)")
    s.set_defaults(run=_run_scaling)

    r = kinds.add_parser(
        "rescaled-equals-dense", help="rescaled pruning leaves the limit NTK unchanged",
        description="Claim: with kept weights rescaled by 1/sqrt(q) the infinite-width NTK "
                    "equals the dense network's, for all non-zero inputs of dimension d0.")
    _common_arguments(r)
    r.set_defaults(run=_run_rescaled)

    for add in extra:
        add(kinds)


def _common_arguments(p) -> None:
    p.add_argument("--depth", required=True, help="number of hidden layers L (>= 1)")
    p.add_argument("--keep-prob", required=True,
                   help="keep probability q in (0, 1] of the masked layers (1 - prune_prob; "
                        "one value: the claim is about q^k)")
    p.add_argument("--masked-layers", metavar="LAYERS",
                   help="weight layers masked with the keep probability, e.g. 2,4 (default: "
                        "2..L+1)")
    p.add_argument("--prune-first-layer", action="store_true",
                   help="mask the first layer too (default: layers 2..L+1)")
    p.add_argument("--activation", default="relu", help=f"one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--d0", default="3", help="input dimension (>= 1; default 3)")
    p.add_argument("--seed", default="0", help="seed of the sampled input pairs (>= 0)")
    p.add_argument("--budget", default="quick",
                   help=f"how many input pairs: {', '.join(BUDGETS)} (default quick)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _parsed(args) -> dict:
    if args.activation not in ACTIVATIONS:
        raise InvalidArgument("--activation", args.activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    budget(args.budget, "--budget")
    depth = parse_int(args.depth, "--depth", 1)
    masked = None
    if args.masked_layers is not None:
        from .._network import parse_layers
        masked = parse_layers(args.masked_layers, "--masked-layers", depth)
    return {"depth": depth, "masked_layers": masked,
            "keep_prob": check_keep_prob(args.keep_prob, "--keep-prob"),
            "prune_first_layer": args.prune_first_layer, "activation": args.activation,
            "d0": parse_int(args.d0, "--d0", 1)}


def _context(args):
    from ...claim import Context
    return Context(budget=budget(args.budget, "--budget"), seed=parse_int(args.seed, "--seed", 0))


def _build(factory, *args, **kwargs):
    """``factory(...)``, with an :class:`InvalidArgument` it raises renamed to the flag
    (``keep_prob`` -> ``--keep-prob``), so the one-line error names what to change."""
    try:
        return factory(*args, **kwargs)
    except InvalidArgument as exc:
        flag = exc.argument if exc.argument.startswith("--") else \
            "--" + exc.argument.replace("_", "-")
        raise InvalidArgument(flag, exc.value, exc.problem, exc.fix) from None


def _run_scaling(args) -> int:
    from ...claims.paper.c1_scaling import as_exponent, scaling_claim
    params = _parsed(args)
    exponent = as_exponent(args.exponent, "--exponent")
    context = _context(args)
    claim = _build(scaling_claim, params.pop("depth"), params.pop("keep_prob"), exponent,
                   rescale=args.rescale, id="user-scaling", **params)
    return run_claim(claim, context, args.json)


def _run_rescaled(args) -> int:
    from ...claims.paper.c2_rescaled import rescaled_equals_dense_claim
    params = _parsed(args)
    context = _context(args)
    claim = _build(rescaled_equals_dense_claim, params.pop("depth"), params.pop("keep_prob"),
                   id="user-rescaled-equals-dense", **params)
    return run_claim(claim, context, args.json)


def run_claim(claim, context, as_json: bool) -> int:
    """Run ``claim``, print it (text or JSON); 1 when refuted, else 0.  For other
    ``pntk claim`` subcommands too."""
    from ...claims.paper.c1_scaling import witness_of
    from ...verdict import Verdict, jsonable
    with heartbeat("pntk claim", enabled=not as_json):
        result = claim.run(context)
    witness = witness_of(result.checks) if result.verdict is Verdict.REFUTED else None
    if as_json:
        out = result.to_json()
        out["witness"] = jsonable(witness)
        print(json.dumps(out))
    else:
        print(f"claim:    {result.title}")
        print(f"verdict:  {result.verdict.value}")
        print(f"why:      {result.explanation}")
        print(f"evidence: {result.key_evidence}")
        if result.error_rate:
            print(f"error rate: at most {result.error_rate:g} (the probability of refuting a "
                  "true claim)")
        if witness is not None:
            print(f"witness:  {describe_witness(witness)}")
        print(f"({result.seconds:.2f} s, seed {result.seed})")
    return EXIT_REFUTED if result.verdict is Verdict.REFUTED else 0


def describe_witness(w: dict) -> str:
    """One line for a witness dict (an input pair and two values, or two ratios)."""
    from ...claims.paper.c1_scaling import short_vector
    from ...verdict import jsonable
    parts = []
    if "pruned_ntk" in w:
        factor = w.get("claimed_factor", "1")
        claimed = "dense NTK" if factor == "1" else f"claimed {factor} x dense NTK"
        parts.append(f"x = {short_vector(w['x'])}, y = {short_vector(w['y'])} (entry "
                     f"{w['entry']}): pruned NTK {w['pruned_ntk']:.10g}, {claimed} "
                     f"{w['claimed_ntk']:.10g} (relative difference "
                     f"{w['relative_difference']:.3g})")
    ratios = w.get("ratios") or []
    shown = [r for r in ratios if r.get("ratio") is not None][:2]
    if len(shown) == 2:
        parts.append("ratio pruned/dense " + " but ".join(
            f"{float(r['ratio']):.10g} at x = {short_vector(r['x'])}, y = {short_vector(r['y'])}"
            f" ({r['entry']})" for r in shown))
    return "; ".join(parts) or json.dumps(jsonable(w))
