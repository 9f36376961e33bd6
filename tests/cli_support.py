"""Run a pntk command in-process through the real parser; errors propagate as exceptions."""

from proofs_check.cli import build_parser


def run_in_process(argv, capsys):
    """Return (exit code, stdout) of ``pntk ARGV`` (an InvalidArgument is raised, not printed)."""
    args = build_parser().parse_args([str(a) for a in argv])
    code = args.run(args)
    return code, capsys.readouterr().out


def with_option(argv, flag, value, instead_of=None):
    """A copy of ``argv`` with ``flag value`` set: replacing that flag's value, or the
    ``instead_of`` flag and its value, or appended."""
    argv = [str(a) for a in argv]
    if instead_of is not None and instead_of in argv:
        i = argv.index(instead_of)
        argv[i:i + 2] = [flag, str(value)]
    elif flag in argv:
        argv[argv.index(flag) + 1] = str(value)
    else:
        argv += [flag, str(value)]
    return argv
