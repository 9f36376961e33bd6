"""Figures: legends never cover data, the C3 fit and its reference are told apart, C5
carries a reference slope.  Each plotting function runs on small data; its figure is
inspected (drawn, not saved) where ``save_figure`` would write it."""

import numpy as np
import pytest

from numerics import experiments
from numerics import figures as F
from numerics.experiments import plots as experiment_plots
from numerics.pseudo import plots as pseudo_plots
from numerics.pseudo.grid import fluctuation_grid
from numerics.scaling import plots as scaling_plots
from numerics.scaling.analysis import LogLogFit, RequiredWidth


def _points(ax):
    """Display coordinates of every plotted point (lines, markers, error bars)."""
    out = [line.get_transform().transform(line.get_xydata()) for line in ax.get_lines()
           if len(line.get_xydata())]
    for coll in ax.collections:
        for path in coll.get_paths():
            verts = path.vertices
            if len(verts):
                out.append(coll.get_transform().transform(verts))
    return np.concatenate(out) if out else np.zeros((0, 2))


@pytest.fixture
def captured(monkeypatch):
    """The figures the plotting functions would save: each is drawn, and every legend is
    checked to lie outside every axes (so no point can be under it)."""
    figs = []

    def inspect(fig, stem):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        assert legends, "no legend"
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                area = ax.get_window_extent(renderer)
                assert not box.overlaps(area), (legend.get_texts()[0].get_text(), box, area)
                pts = _points(ax)
                inside = ((pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) &
                          (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1))
                assert not inside.any()
        figs.append(fig)
        return []

    for module in (F, scaling_plots, pseudo_plots, experiment_plots):
        monkeypatch.setattr(module, "save_figure", inspect)
    return figs


def _required(q, n_star):
    widths = tuple(2**k for k in range(6, 16))
    lower = max(n for n in widths if n <= n_star)
    upper = min(n for n in widths if n >= n_star)
    zeros = tuple(0.0 for _ in widths)
    return RequiredWidth(0.2, 0.1, 0.99, widths, zeros, tuple((0.0, 0.0) for _ in widths),
                         n_star, upper, lower, upper)


def test_c3_fit_and_reference_are_distinguishable(captured):
    qs = (0.25, 1 / 6, 0.1, 0.0625)
    required = {q: _required(q, 360 / q) for q in qs}       # exactly linear: fit = reference
    fit = LogLogFit(1.0, float(np.log(360)), (0.8, 1.2), 0.99, len(qs), "test")
    scaling_plots.plot_required_width(required, fit, "unused", title="t")
    (fig,) = captured
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    fit_line = [line for line in ax.get_lines() if "fit" in str(line.get_label())][0]
    ref_line = [line for line in ax.get_lines() if "reference" in str(line.get_label())][0]
    # the two coincide here, so they must differ in style, colour and width
    assert fit_line.get_linestyle() != ref_line.get_linestyle()
    assert fit_line.get_color() != ref_line.get_color()
    assert fit_line.get_linewidth() > ref_line.get_linewidth()
    assert any("interval" in label for label in labels)            # the slope band
    assert len(ax.collections) >= 2                                  # band + error bars


def test_c5_loglog_has_a_reference_slope_and_a_legend_outside(captured):
    d0 = np.array([2, 4, 8, 16])
    F.plot_loglog(d0, {"plain": 0.6 / d0, "rescaled": 0.6 / d0}, "unused", xlabel="d0",
                  ylabel="gap", title="t", reference=(-1.0, "reference slope -1"))
    (fig,) = captured
    ref = [line for line in fig.axes[0].get_lines() if "reference" in str(line.get_label())]
    assert ref
    x, y = ref[0].get_xydata().T
    assert np.polyfit(np.log(x), np.log(y), 1)[0] == pytest.approx(-1.0, abs=1e-12)


def test_deviation_figure_legend_outside(captured):
    rng = np.random.default_rng(0)
    cells = {q: {n: np.abs(rng.normal(0, 1 / np.sqrt(q * n), 50)) for n in (64, 128, 256, 512)}
             for q in (1.0, 0.5, 0.25)}
    scaling_plots.plot_deviation_vs_width(cells, "unused", title="t")
    assert len(captured) == 1


def test_c4_figure_legend_outside(captured):
    grid = fluctuation_grid((32, 64), ("1/2", "1/4"), 8, 0, x=(1.0, 0.0, 0.0), y=(0.6, 0.8, 0.0),
                            with_backward=False)
    pseudo_plots.plot_fluctuation(grid, "unused", title="t")
    (fig,) = captured
    assert "adjusted slope" in fig.axes[0].get_title()


@pytest.mark.parametrize("name", ["width_convergence", "sparsity_scaling", "all_layers"])
def test_experiment_figures_legends_outside_and_titles_name_the_setting(captured, name):
    result = getattr(experiments, name)(quick=True, trials=3)
    experiment_plots.plot(result, "unused")
    (fig,) = captured
    title = fig._suptitle.get_text() if fig._suptitle is not None else fig.axes[0].get_title()
    assert "depth" in title and "varepsilon" in title and "rescaled" in title, title
