"""plot_watch: one GAN-test and one D-as-classifier line per init, in percent, and the decay marker."""
import matplotlib
import pandas as pd

from gan_repro.analysis.conditioning import plot_watch

matplotlib.use("Agg")


def test_plot_watch_draws_two_lines_per_init_in_percent_and_marks_the_decay():
    w = pd.DataFrame({"step": [250, 500, 250, 500], "gan_test": [0.1, 0.4, 0.2, 0.3],
                      "d_class_acc": [0.5, 0.9, 0.6, 0.7], "init": ["torch", "torch", "reference", "reference"]})
    ax = plot_watch(w, "t", decay_start=400).axes[0]
    lines = {l.get_label(): l for l in ax.get_lines()}
    assert list(lines["GAN-test (torch init)"].get_ydata()) == [10.0, 40.0]
    assert list(lines["D as classifier (reference init)"].get_ydata()) == [60.0, 70.0]
    assert list(lines["learning rates start to decay"].get_xdata()) == [400, 400]
    no_init = plot_watch(w[w.init == "torch"].drop(columns="init"), "t").axes[0]
    assert len(no_init.get_lines()) == 2
