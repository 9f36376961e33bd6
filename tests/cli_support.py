"""Run a pntk command in-process through the real parser; errors propagate as exceptions."""

from proofs_check.cli import build_parser


def run_in_process(argv, capsys):
    """Return (exit code, stdout) of ``pntk ARGV`` (an InvalidArgument is raised, not printed)."""
    args = build_parser().parse_args([str(a) for a in argv])
    code = args.run(args)
    return code, capsys.readouterr().out
