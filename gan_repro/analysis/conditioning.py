"""How fast a class-conditional GAN learns its classes (issue 18, A1 on MNIST): watchers for a training run.

At every checkpoint (`Trainer.fit(on_checkpoint=conditioning_watcher(...))`) two numbers go to watch.jsonl:
- GAN-test: the real-trained reference classifier's accuracy on G's labelled samples (G's side);
- D as a classifier: argmax over y of D(x, y) on real held-out images, right when it is the true class
  (D's side: whether the projection term <embed(y), h> has learned the classes at all).
Clean digits of the wrong class with a weak D-as-classifier point at D's conditional path; a strong one
with a weak GAN-test points at G's.
"""
from __future__ import annotations

import torch

from gan_repro.analysis.how_good import draw
from gan_repro.classifiers import accuracy
from gan_repro.data import ImageSet, to_model


@torch.no_grad()
def d_share(trainer, images: torch.Tensor, labels: torch.Tensor, hit, batch: int = 250) -> float:
    """Share of uint8 `images` for which hit(d, x, y) is true, batch by batch, with D in eval mode (a
    spectrally normalised D then takes no power step: training is unchanged)."""
    d = trainer.d_core.eval()
    try:
        hits = 0
        for i in range(0, len(images), batch):
            x = to_model(images[i:i + batch]).to(trainer.cfg.device)
            hits += int(hit(d, x, labels[i:i + batch].to(trainer.cfg.device)).sum())
        return hits / len(images)
    finally:
        trainer.d_core.train()


def d_as_classifier(trainer, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of uint8 `images` whose argmax_y D(x, y) is their label."""
    if not trainer.n_classes:
        raise ValueError("D as a classifier needs a class-conditional run")

    def hit(d, x, y):
        scores = torch.stack([d(x, torch.full_like(y, k)) for k in range(trainer.n_classes)], 1)   # (B, K)
        return scores.argmax(1) == y
    return d_share(trainer, images, labels, hit)


def conditioning_watcher(classifier: torch.nn.Module, heldout: ImageSet, n: int, seed: int = 0):
    """An `on_checkpoint` callback recording GAN-test (n samples, classes cycled) and D's class accuracy
    on the first n held-out real images."""
    if len(heldout) < n:
        raise ValueError(f"need {n} held-out images, got {len(heldout)}")

    def on_checkpoint(t) -> None:
        fake = draw(t, n, seed)
        t.watch_record({"gan_test": accuracy(classifier, fake.images, fake.labels), "n": n,
                        "d_class_acc": d_as_classifier(t, heldout.images[:n], heldout.labels[:n])})
    return on_checkpoint


def plot_watch(watch, title: str, decay_start: int | None = None):
    """GAN-test and D-as-classifier (%) against iterations, one line each per `init` of the watch table
    (columns step, gan_test, d_class_acc[, init]); a dotted line where the learning rates start to decay."""
    import matplotlib.pyplot as plt
    watch = watch if "init" in watch else watch.assign(init="default")
    fig, ax = plt.subplots(figsize=(8.4, 3.4))
    for init, w in watch.groupby("init"):
        ax.plot(w.step, 100 * w.gan_test, "o-", ms=3, label=f"GAN-test ({init} init)")
        ax.plot(w.step, 100 * w.d_class_acc, "s--", ms=3, alpha=0.6, label=f"D as classifier ({init} init)")
    if decay_start is not None:
        ax.axvline(decay_start, color="grey", ls=":", lw=1, label="learning rates start to decay")
    ax.set(xlabel="generator iterations", ylabel="accuracy (%)", ylim=(0, 100), title=title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))      # outside: the lines fill the box
    fig.tight_layout()
    return fig
