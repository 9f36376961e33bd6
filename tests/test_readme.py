"""The README's examples run: its >>> blocks as doctests, its $ pntk lines as commands
(with the shown output, where there is one, compared)."""

import doctest
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from test_cli_kernel import pntk

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_examples():
    result = doctest.testfile(str(README), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5 and result.failed == 0


def _console_examples():
    text = README.read_text()
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.strip().splitlines()
        yield lines[0][2:], "\n".join(lines[1:])


def _same(got, want):
    """Equal, floats (also inside lists) to 1e-14 relative: the last printed digit of a
    float64 result may move with the summation order of another BLAS."""
    if isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-14)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
    else:
        assert got == want


@pytest.mark.parametrize("command,shown", list(_console_examples()))
def test_console_examples(tmp_path, monkeypatch, command, shown):
    args = shlex.split(command)
    assert args[0] == "pntk"
    if "--pdf" in args and shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not on PATH")
    monkeypatch.chdir(tmp_path)
    proc = pntk(*args[1:], check=False)
    if "error" in shown:
        assert proc.returncode == 2 and proc.stderr.strip() == shown.strip()
        return
    assert proc.returncode == 0, proc.stderr
    if shown.startswith("{"):
        got, want = json.loads(proc.stdout), json.loads(shown)
        assert got.keys() == want.keys()
        for key, value in want.items():
            _same(got[key], value)
