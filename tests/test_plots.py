import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from gan_repro import plots  # noqa: E402


def _band_area(ax) -> int:
    """Vertices of the filled bands on an axis (seaborn leaves an empty band where sd is undefined)."""
    return sum(len(p.vertices) for c in ax.collections if isinstance(c, PolyCollection) for p in c.get_paths())


def test_paper_vs_ours_bars_carry_the_table_values():
    side = pd.DataFrame({"fid_large paper": [2.1, 11.8], "fid_large ours": [46.1, 107.9],
                         "gan_train paper": [92.8, 82.2], "gan_train ours": [50.3, 34.5]},
                        index=pd.Index(["real images", "SNGAN"], name="model"))
    fig = plots.paper_vs_ours(side, ("fid_large", "gan_train"), "t")
    ax_fid, ax_gt = fig.axes[:2]
    heights = sorted(round(p.get_height(), 1) for p in ax_fid.patches if p.get_height() > 0)
    assert heights == [2.1, 11.8, 46.1, 107.9]
    assert ax_gt.get_title() == plots.PANEL_LABELS["gan_train"]
    assert [t.get_text() for t in ax_fid.get_legend().get_texts()] == ["paper", "ours"]


def test_metric_curves_band_only_where_the_table_repeats():
    rows = [{"dataset": "mnist", "condition": c, "level": lv, "fid": v}
            for c, lv, v in (("clean", 0, 10.0), ("noise", 5, 20.0), ("noise", 10, 40.0))]
    fig = plots.metric_curves(pd.DataFrame(rows), ("fid",), ("noise",))
    assert _band_area(fig.axes[0]) == 0
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), [10, 20, 40])
    reps = pd.DataFrame(rows + [{**r, "fid": r["fid"] + 2} for r in rows])   # two seeds per point
    fig = plots.metric_curves(reps, ("fid",), ("noise",))
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), [11, 21, 41])     # the mean ...
    assert _band_area(fig.axes[0]) > 0                                      # ... with an sd band


def test_fid_vs_n_is_log_n():
    fid_n = pd.DataFrame({"dataset": ["a"] * 3, "n": [250, 500, 1000], "fid": [30.0, 20.0, 12.0]})
    ax = plots.fid_vs_n(fid_n).axes[0]
    assert ax.get_xscale() == "log" and np.allclose(ax.lines[0].get_ydata(), [30, 20, 12])


def test_image_grid_rejects_float_images():
    import torch
    with pytest.raises(TypeError, match="need uint8"):
        plots.image_grid(torch.zeros(2, 3, 4, 4))
