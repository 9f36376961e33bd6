"""The ``pntk`` command line."""

from __future__ import annotations

import sys

from theory._errors import InvalidArgument

from .checks import bound as _bound
from .checks import claim as _claim
from .checks import verify as _verify
from .finite import entk as _entk
from .finite import experiment as _experiment
from .finite import export as _export
from .finite import graphon as _graphon
from .finite import masks as _masks
from .finite import scaling as _scaling
from .finite import simulate as _simulate
from .finite import spectrum as _spectrum
from .limit import derive as _derive
from .limit import kernel as _kernel
from .limit import variance as _variance
from .structure import regions as _regions
from .structure import topology as _topology
from ._common import EXIT_BAD_INPUT, Parser, UsageError

__all__ = ["main", "build_parser"]


def build_parser() -> Parser:
    parser = Parser(prog="pntk", description="Verify the theory of neural tangent kernels "
                                              "of randomly pruned networks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _verify.add_parser(sub)
    _claim.add_parser(sub, extra=(_bound.add_width_law,))
    _bound.add_parser(sub)
    _kernel.add_parser(sub)
    _derive.add_parser(sub)
    _variance.add_parser(sub)
    _entk.add_parser(sub)
    _masks.add_parser(sub)
    _simulate.add_parser(sub)
    _scaling.add_parser(sub)
    _graphon.add_parser(sub)
    _spectrum.add_parser(sub)
    _experiment.add_parser(sub)
    _export.add_parser(sub)
    _regions.add_parser(sub)
    _topology.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.run(args)
    except (UsageError, InvalidArgument) as exc:
        print(f"pntk: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("pntk: error: the computation nests too deeply for Python (RecursionError); "
              "fix: use a smaller --depth", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("pntk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
