"""Speed of our metric pipeline against the reference tools, in one process, on the same real images.

  1. features: our extractor (frozen TorchScript, channels_last) vs pytorch-fid's pipeline (its resize
     + its InceptionV3 with the same weights) vs the raw TorchScript; images/s and ratios.
  2. Fréchet distance at D = 2048: ours (eigh) vs scipy.linalg.sqrtm (pytorch-fid's formula).

Run by hand (`make bench`), not in CI. Usage: python benchmarks/bench_metrics.py [--n 256] [--json F]
"""
import argparse
import json
import platform
import time

import numpy as np
import torch
from pytorch_fid.fid_score import calculate_frechet_distance

from gan_repro.data import load_dataset
from gan_repro.metrics import InceptionExtractor, feature_stats, frechet_distance
from gan_repro.metrics.reference import pytorch_fid_model, state_dict_from_torchscript


def rate(fn, images, batch_size):
    fn(images[:batch_size])                                     # warm-up (graph optimisation, caches)
    t = time.perf_counter()
    out = torch.cat([fn(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])
    return out, len(images) / (time.perf_counter() - t)


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=256, help="CIFAR-10 images per pipeline")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--json", default=None)
    a = p.parse_args()
    imgs = load_dataset("cifar10", "train").images[:a.n]
    ours = InceptionExtractor()
    raw = InceptionExtractor(backend="torchscript")
    ref = pytorch_fid_model(state_dict_from_torchscript(ours.info.path))

    @torch.inference_mode()
    def ref_fn(x):                  # pytorch-fid: float [0, 1] in; it resizes and normalises itself
        return ref(x.float() / 255.0)[0].flatten(1)

    f_ours, r_ours = rate(ours, imgs, a.batch_size)
    f_raw, r_raw = rate(raw, imgs, a.batch_size)
    f_ref, r_ref = rate(ref_fn, imgs, a.batch_size)
    res = {"machine": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads",
           "n_images": a.n, "ours_img_s": r_ours, "torchscript_img_s": r_raw, "pytorch_fid_img_s": r_ref,
           "speedup_vs_pytorch_fid": r_ours / r_ref, "max_abs_diff_vs_pytorch_fid":
           float((f_ours - f_ref).abs().max()), "max_abs_diff_vs_torchscript": float((f_ours - f_raw).abs().max())}

    # Fréchet distance at D = 2048 on the statistics of two halves of these real images' features
    half = len(f_ours) // 2
    m1, s1 = feature_stats(f_ours[:half])
    m2, s2 = feature_stats(f_ours[half:])
    ours_fd, t_ours = timed(frechet_distance, m1, s1, m2, s2)
    ref_fd, t_ref = timed(calculate_frechet_distance, m1, s1, m2, s2)
    # a well-conditioned case too (N > D): covariances of 4096 Gaussian samples through a random map
    rng = np.random.default_rng(0)
    g = [rng.normal(size=(4096, 2048)) @ (rng.normal(size=(2048, 2048)) / 45) for _ in range(2)]
    (w1, c1), (w2, c2) = feature_stats(g[0]), feature_stats(g[1])
    ours_wc, t_ours_wc = timed(frechet_distance, w1, c1, w2, c2)
    ref_wc, t_ref_wc = timed(calculate_frechet_distance, w1, c1, w2, c2)
    ours_fd, ours_wc = ours_fd.value, ours_wc.value
    res.update({"fd_real_ours_s": t_ours, "fd_real_sqrtm_s": t_ref, "fd_real_speedup": t_ref / t_ours,
                "fd_real_rel_diff": abs(ours_fd - ref_fd) / abs(ref_fd),
                "fd_wellcond_ours_s": t_ours_wc, "fd_wellcond_sqrtm_s": t_ref_wc,
                "fd_wellcond_speedup": t_ref_wc / t_ours_wc,
                "fd_wellcond_rel_diff": abs(ours_wc - ref_wc) / abs(ref_wc)})
    for k, v in res.items():
        print(f"{k:32s} {v:.6g}" if isinstance(v, float) else f"{k:32s} {v}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
