"""The report of ``pntk verify``: a terminal table, report.md, report.json and formulas.tex.

:func:`format_table` is the plain-text summary printed at the end of a run;
:func:`markdown_table` the same rows for ``report.md``.  :func:`write_report`
writes the three report files into the output folder, each atomically (a
temporary file in the same folder, then :func:`os.replace`), so an interrupted
run leaves either the previous file or the new one, never half of one.

>>> from proofs_check.verdict import ClaimResult, Verdict
>>> rows = [ClaimResult("C1", "scaling", Verdict.VERIFIED, "ok", "factor 1/8 exact"),
...         ClaimResult("C3", "width", Verdict.INCONCLUSIVE, "?", "slope 0.9 [0.5, 1.3]")]
>>> print(format_table(rows, width=72))
claim  verdict       key evidence
-----  ------------  ---------------------------------------------------
C1     verified      factor 1/8 exact
C3     inconclusive  slope 0.9 [0.5, 1.3]
2 claims: 1 verified, 1 inconclusive, 0 refuted, 0 not applicable
"""

from __future__ import annotations

import datetime
import json
import math
import platform
import re
import shutil
import textwrap
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Sequence

from .atomic import write_atomic
from .report_tex import continued, formula_clauses
from .verdict import ClaimResult, Verdict, jsonable

__all__ = ["format_table", "markdown_table", "md_text", "verdict_counts", "count_line",
           "union_bound", "versions", "write_report", "ReportFiles"]

_ORDER = (Verdict.VERIFIED, Verdict.INCONCLUSIVE, Verdict.REFUTED, Verdict.NOT_APPLICABLE)
_MAX_EVIDENCE_LINES = 4      # lines of key evidence per row of the terminal table
_MAX_NUMBERS = 40            # rows of a claim's key-number table
_MAX_LIST = 8                # longest list shown in full among the key numbers
_MD_SPECIAL = set("\\`*_[]<>|#~")


def _name(verdict: Verdict) -> str:
    return verdict.value.replace("_", " ")


def verdict_counts(results: Sequence[ClaimResult]) -> dict[str, int]:
    """Claims per verdict, every verdict present (0 when none), keyed by its value."""
    return {v.value: sum(1 for r in results if r.verdict is v) for v in _ORDER}


def count_line(results: Sequence[ClaimResult]) -> str:
    """``"6 claims: 5 verified, 1 inconclusive, 0 refuted, 0 not applicable"``."""
    counts = verdict_counts(results)
    n = len(results)
    return (f"{n} claim{'' if n == 1 else 's'}: "
            + ", ".join(f"{counts[v.value]} {_name(v)}" for v in _ORDER))


# ---------------------------------------------------------------- terminal table

def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    lines = textwrap.wrap(" ".join(str(text).split()), width, break_long_words=True,
                          break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) + 4 > width:
            cut = last[:max(width - 4, 1)]
            last = cut.rsplit(" ", 1)[0] if " " in cut else cut
        lines[-1] = last + " ..."
    return lines


def format_table(results: Sequence[ClaimResult], width: int | None = None) -> str:
    """A plain-text table (claim, verdict, key evidence) at most ``width`` characters wide
    (default: the terminal's; at least 40), evidence wrapped over up to four lines, and the
    :func:`count_line` (wrapped too on a narrow terminal)."""
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    width = max(int(width), 40)
    head = ("claim", "verdict", "key evidence")
    id_w = min(max([len(head[0])] + [len(r.claim_id) for r in results]), 24)
    verdict_w = max([len(head[1])] + [len(_name(r.verdict)) for r in results])
    ev_w = max(width - id_w - verdict_w - 4, 12)
    lines = [f"{head[0]:<{id_w}}  {head[1]:<{verdict_w}}  {head[2]}",
             f"{'-' * id_w}  {'-' * verdict_w}  {'-' * ev_w}"]
    for r in results:
        ids = _wrap(r.claim_id, id_w, 3)
        evidence = _wrap(r.key_evidence, ev_w, _MAX_EVIDENCE_LINES)
        for k in range(max(len(ids), len(evidence))):
            cid = ids[k] if k < len(ids) else ""
            verdict = _name(r.verdict) if k == 0 else ""
            text = evidence[k] if k < len(evidence) else ""
            lines.append(f"{cid:<{id_w}}  {verdict:<{verdict_w}}  {text}".rstrip())
    lines += textwrap.wrap(count_line(results), width)
    return "\n".join(lines)


# ---------------------------------------------------------------- Markdown

def _md_plain(text: str) -> str:
    return "".join("\\" + ch if ch in _MD_SPECIAL or ch == "$" else ch for ch in text)


def md_text(text: str, *, cell: bool = False) -> str:
    """Prose for Markdown on one line: specials escaped; ``$...$`` segments kept as inline
    math when the dollars pair up (the convention of :func:`theory.texprint.escape_text`).
    In a table ``cell``, a ``|`` inside math becomes ``\\vert``."""
    text = " ".join(str(text).split())
    parts = text.split("$")
    if len(parts) % 2 == 0 or not all(p.strip() for p in parts[1::2]):
        return _md_plain(text)
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            out.append(_md_plain(part))
        else:
            out.append("$" + (part.replace("|", r"\vert ") if cell else part) + "$")
    return "".join(out)


def markdown_table(results: Sequence[ClaimResult]) -> str:
    """The summary table in Markdown, followed by the count line."""
    rows = ["| claim | verdict | key evidence |", "|---|---|---|"]
    rows += [f"| {md_text(r.claim_id, cell=True)} | {_name(r.verdict)} | "
             f"{md_text(r.marked('key_evidence'), cell=True)} |" for r in results]
    return "\n".join(rows) + "\n\n" + count_line(results) + "\n"


def _number(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _flatten(data, prefix: str = ""):
    """(name, shown value) of the scalars in ``data`` (nested dicts get dotted names;
    short lists of scalars are shown whole; long lists and arrays only by their length)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if prefix == "" and key in ("figures", "parameters_used"):
                continue
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        if len(data) <= _MAX_LIST and all(not isinstance(v, (list, dict)) for v in data):
            yield prefix, "[" + ", ".join(_number(v) for v in data) + "]"
        else:
            yield prefix, f"({len(data)} values; see report.json)"
    else:
        text = _number(data)
        yield prefix, text if len(text) <= 120 else text[:117] + "..."


def _label(path: str) -> str:
    """A data path as words: ``depths.1.n_star`` becomes ``depths, 1, n star``."""
    return ", ".join(part.replace("_", " ") for part in path.split("."))


def _shown(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    return _number(value)


def _parameter(value) -> str:
    """A parameter's value on one line: lists comma-separated, records as ``(k=v, ...)``."""
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_parameter(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_parameter(v) for v in value) + "]"
    return _number(value)


def _key_numbers(result: ClaimResult) -> str:
    """The claim's key numbers with their human labels, or - for a claim that names none -
    the scalars of its checks' data, their paths written as words."""
    if result.numbers:
        rows = [(label, _shown(jsonable(value))) for label, value in result.numbers]
    else:
        rows = [(f"{c.kind}: {_label(name)}" if len(result.checks) > 1 else _label(name), value)
                for c in result.checks for name, value in _flatten(jsonable(c.data))]
    if not rows:
        return ""
    shown = rows[:_MAX_NUMBERS]
    out = ["| quantity | value |", "|---|---|"]
    out += [f"| {md_text(n, cell=True)} | {md_text(v, cell=True)} |" for n, v in shown]
    if len(rows) > len(shown):
        out.append(f"| ... | {len(rows) - len(shown)} more in report.json |")
    return "\n".join(out) + "\n"


def _rate(rate: float) -> str:
    return "0" if rate == 0 else f"{rate:.3g}"


def _figure_link(figure: str, out_dir: Path) -> tuple[str, bool]:
    """``figure`` as a POSIX path relative to ``out_dir`` (where report.md lies), and
    whether the file exists there."""
    path = Path(figure)
    candidates = [path] if path.is_absolute() else [out_dir / path, path]
    for cand in candidates:
        try:
            rel = cand.resolve().relative_to(out_dir.resolve())
        except ValueError:
            continue
        if cand.exists():
            return rel.as_posix(), True
    return path.as_posix(), False


def _figures(result: ClaimResult, out_dir: Path) -> str:
    out = []
    for fig in result.figures:
        rel, exists = _figure_link(fig, out_dir)
        caption = md_text(f"{result.claim_id}: {Path(rel).stem.replace('_', ' ')}")
        target = f"<{rel}>" if " " in rel else rel
        out.append(f"![{caption}]({target})\n" if exists else
                   f"*Figure {md_text(rel)} was not found.*\n")
    return "\n".join(out)


def _statement(tex: str) -> str:
    """The statement as display math (one clause a line: Markdown's math renderers scroll
    a long line rather than break it), or as a code block when it is not a well-formed
    formula; empty when there is none."""
    if not tex.strip():
        return ""
    source = " ".join(tex.split())
    lines = formula_clauses(source)
    if lines is None:
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall("`+", source)), default=0))
        return ("Statement (LaTeX source, not a well-formed formula):\n\n"
                f"{fence}\n{source}\n{fence}\n")
    if len(lines) == 1:
        return "$$\n" + source + "\n$$\n"
    return ("$$\n\\begin{aligned}\n& " + " \\\\\n& ".join(continued(lines))
            + "\n\\end{aligned}\n$$\n")


def _claim_section(result: ClaimResult, out_dir: Path) -> str:
    out = [f"## {md_text(result.claim_id)}: {md_text(result.marked('title'))}\n"]
    statement = _statement(result.statement_latex)
    if statement:
        out.append(statement)
    if result.description:
        out.append(md_text(result.marked("description")) + "\n")
    if result.hypotheses:
        out.append("Hypotheses: " + "; ".join(md_text(h) for h in result.marked("hypotheses"))
                   + ".\n")
    out.append(f"**Verdict: {_name(result.verdict)}.** "
               f"{md_text(result.marked('explanation'))}\n")
    if result.parameters:
        params = ", ".join(_code(f"{k} = {_parameter(v)}")
                           for k, v in jsonable(result.parameters).items())
        out.append(f"Parameters (as used): {params}. Seed: {result.seed}. "
                   f"Time: {result.seconds:.2f} s.\n")
    else:
        out.append(f"Seed: {result.seed}. Time: {result.seconds:.2f} s.\n")
    if result.checks:
        rows = ["| check | verdict | false-alarm rate | explanation |", "|---|---|---|---|"]
        rows += [f"| {md_text(c.kind, cell=True)} | {_name(c.verdict)} | {_rate(c.error_rate)} "
                 f"| {md_text(c.explanation, cell=True)} |" for c in result.checks]
        out.append("\n".join(rows) + "\n")
    numbers = _key_numbers(result)
    if numbers:
        out.append("Key numbers:\n\n" + numbers)
    figures = _figures(result, out_dir)
    if figures:
        out.append(figures)
    return "\n".join(out)


def union_bound(results: Sequence[ClaimResult]) -> float:
    """Bound on the chance that this run refutes at least one true claim: the sum of the
    claims' false-alarm rates, capped at 1."""
    return min(1.0, math.fsum(r.error_rate for r in results))


def _error_rates(results: Sequence[ClaimResult]) -> str:
    out = ["## Error rates\n",
           "A claim's false-alarm rate bounds the probability that its checks refute it "
           "although it is true: 0 for exact (symbolic or exact-arithmetic) checks, the "
           "stated level of each statistical test otherwise, summed over the claim's "
           "statistical checks. An inconclusive verdict is not a false alarm. These "
           "rates say nothing about the chance of verifying a false claim, which "
           "depends on how far from true it is and on the budget.\n",
           "| claim | verdict | false-alarm rate | statistical checks |", "|---|---|---|---|"]
    for r in results:
        stats = sum(1 for c in r.checks if c.error_rate > 0)
        out.append(f"| {md_text(r.claim_id, cell=True)} | {_name(r.verdict)} | "
                   f"{_rate(r.error_rate)} | {stats} |")
    out.append(f"\nUnion bound over this run: the probability that any true claim above is "
               f"reported refuted is at most {_rate(union_bound(results))} "
               f"(the sum of the rates, capped at 1).\n")
    return "\n".join(out)


# ---------------------------------------------------------------- files

def versions() -> dict[str, str]:
    """Versions of Python, the toolkit and the libraries its numbers come from."""
    found = {"python": platform.python_version()}
    for dist in ("pruned-ntk", "numpy", "scipy", "sympy", "mpmath"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


@dataclass(frozen=True)
class ReportFiles:
    """Where :func:`write_report` put the report."""

    markdown: Path
    json: Path
    formulas: Path

    def __iter__(self):
        return iter((self.markdown, self.json, self.formulas))


def _code(text: str) -> str:
    """``text`` as an inline code span (longer fences when it holds backticks)."""
    text = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _markdown(results, out_dir: Path, run: dict) -> str:
    params = "\n".join(f"- {label}: {value}" for label, value in (
        ("command", _code(run["command"])), ("budget", run["budget"]), ("seed", run["seed"]),
        ("device", run["device"]), ("date", run["date"]),
        ("elapsed", f"{run['elapsed_seconds']:.1f} s"),
        ("versions", ", ".join(f"{k} {v}" for k, v in run["versions"].items()))))
    parts = ["# Verification report: NTK of randomly pruned networks\n",
             "## Run\n", params + "\n",
             "The formulas behind the claims are in [formulas.tex](formulas.tex); the full "
             "evidence, including every number below, in [report.json](report.json).\n",
             "## Summary\n", markdown_table(results)]
    parts += [_claim_section(r, out_dir) for r in results]
    parts.append(_error_rates(results))
    return "\n".join(parts)


def write_report(results: Sequence[ClaimResult], out_dir, *, budget: str, seed: int,
                 device: str, elapsed: float, command: str, formulas_tex: str) -> ReportFiles:
    """Write report.md, report.json and formulas.tex (``formulas_tex`` as given) into
    ``out_dir`` (created if missing), each atomically.  Figure paths of the results are
    taken relative to ``out_dir``.  Returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = list(results)
    run = {"budget": str(budget), "seed": seed, "device": str(device),
           "elapsed_seconds": round(float(elapsed), 3), "command": command,
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "versions": versions()}
    record = {**run, "counts": verdict_counts(results),
              "error_rate_union_bound": union_bound(results),
              "claims": [r.to_json() for r in results]}
    files = ReportFiles(out_dir / "report.md", out_dir / "report.json", out_dir / "formulas.tex")
    write_atomic(files.formulas, formulas_tex)
    write_atomic(files.json, json.dumps(jsonable(record), indent=2, allow_nan=False) + "\n")
    write_atomic(files.markdown, _markdown(results, out_dir, run))
    return files
