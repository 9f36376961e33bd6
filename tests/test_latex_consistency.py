"""The derivation document never states a conclusion its own check refuted.

For every activation x rescaling x masked first layer, each proof paragraph's heading
says what its check returned, a failed check is followed by no conclusion, and the
scaling theorem states a factor only when the proof it cites went through.  The
expected outcomes are the mathematics (ReLU is positively homogeneous, erf is not;
rescaling makes every layer scale 1), not read back from the code under test.
"""

import dataclasses
import itertools
import re

import pytest

from theory import Architecture
from theory.symbolic import latex as L
from theory.symbolic.latex import LatexOptions, latex_document
from theory.symbolic.proofs import prove_scaling_induction
from theory.texprint import to_latex

COMBOS = list(itertools.product(("relu", "erf"), (False, True), (False, True)))
OPTS = LatexOptions(expansion_depth=2)


def _paragraphs(doc: str) -> list[tuple[str, str]]:
    """(heading, body) of every ``\\paragraph`` of the proof section (the body runs to the
    next paragraph or subsection)."""
    out = []
    proofs = doc.split("\\subsection*{Symbolic proof}")[1]
    for chunk in proofs.split("\\paragraph{")[1:]:
        depth, i = 1, 0
        while depth:
            depth += {"{": 1, "}": -1}.get(chunk[i], 0)
            i += 1
        body = chunk[i:].split("\\subsection*")[0]
        out.append((chunk[:i - 1], body))
    return out


def _theorem(doc: str) -> str:
    return doc.split("\\subsection*{Scaling theorem}")[1].split("\\subsection*")[0]


def _outcome(heading: str) -> str:
    found = re.findall(r"\((holds|fails)\)\.?$", heading.strip())
    assert found, heading
    return found[0]


@pytest.mark.parametrize("act,rescale,first", COMBOS,
                         ids=lambda v: str(v))
def test_every_paragraph_agrees_with_its_check(act, rescale, first):
    arch = Architecture.pruned(2, "1/2", rescale=rescale, prune_first_layer=first, activation=act)
    doc = latex_document(arch, options=OPTS)
    paragraphs = _paragraphs(doc)
    outcomes = {h.split(" (")[0]: _outcome(h) for h, _ in paragraphs}
    homogeneous = act == "relu"
    expected = {
        f"Positive homogeneity of the {'ReLU' if homogeneous else 'erf'} dual maps":
            "holds" if homogeneous else "fails",
        "Scaling of the pruned NTK, induction over layers": "holds" if homogeneous else "fails",
        "Rescaled pruning leaves the limit kernels unchanged, any activation": "holds",
    }
    for title, outcome in expected.items():
        assert outcomes[title] == outcome, (title, outcomes)
    conclusion = to_latex(prove_scaling_induction("relu").statement)
    for heading, body in paragraphs:
        if _outcome(heading) == "fails":
            assert "So $P_{h+1}" not in body and conclusion not in body, heading
            assert "nothing is concluded" in body, heading
    # the induction's conclusion appears exactly when the induction holds
    assert (conclusion in doc) == homogeneous
    assert ("So $P_{h+1} = s_{h+1} P_h$" in doc) == homogeneous

    theorem = _theorem(doc)
    if rescale:
        assert "equals the dense one" in theorem and "rescaling makes every" in theorem
    elif homogeneous:
        factor = r"\frac{1}{8}" if first else r"\frac{1}{4}"     # (1/2)^3 or (1/2)^2
        assert f"= {factor} \\, \\Theta_{{\\mathrm{{dense}}}}" in theorem
        assert "positively homogeneous" in theorem
    else:       # plain erf with hidden layers scaled: no factor, and a witness says why
        assert "No scalar factor" in theorem and "times" not in theorem
        assert outcomes["Plain pruning of erf is not a rescaling of the dense NTK"] == "holds"


def test_erf_output_layer_only_cites_a_check_that_holds():
    """Plain erf at L = 1 scales only the output layer: the factor rests on the expansion of
    this depth's kernels, shown as a paragraph that holds."""
    doc = latex_document(Architecture.pruned(1, "1/2", activation="erf"), options=OPTS)
    assert r"= \frac{1}{2} \, \Theta_{\mathrm{dense}}" in _theorem(doc)
    outcomes = {h.split(" (")[0]: _outcome(h) for h, _ in _paragraphs(doc)}
    assert outcomes["Direct expansion at $L = 1$"] == "holds"


def _failing(function):
    def wrapper(*args, **kwargs):
        return dataclasses.replace(function(*args, **kwargs), holds=False)
    return wrapper


@pytest.mark.parametrize("name,arch", [
    ("prove_scaling_induction", Architecture.pruned(2, "1/2")),
    ("prove_homogeneity", Architecture.pruned(2, "1/2")),
    ("prove_rescaled_equals_dense", Architecture.pruned(2, "1/2", rescale=True)),
    ("prove_rescaled_equals_dense",
     Architecture.pruned(2, "1/2", rescale=True, activation="erf", prune_first_layer=True)),
    ("prove_scaling_expansion", Architecture.pruned(1, "1/2", activation="erf")),
])
def test_a_failed_proof_withdraws_the_theorem(monkeypatch, name, arch):
    """Make the proof a theorem rests on report failure: the document must then state no
    factor, and say that the proof did not go through."""
    monkeypatch.setattr(L, name, _failing(getattr(L, name)))
    theorem = _theorem(latex_document(arch, options=OPTS))
    assert "For every pair of inputs" not in theorem
    assert "did not go through" in theorem and "not stated as a theorem" in theorem
