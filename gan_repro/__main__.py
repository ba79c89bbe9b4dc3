"""CLI: `python -m gan_repro run-notebooks | metrics | train | claims | scrub-notebooks`. Thin: parse, call."""
from __future__ import annotations

import argparse
import json
import sys


def _run_notebooks(args) -> int:
    from gan_repro.runner import parse_params, run_notebooks
    results = run_notebooks(args.profile, args.only, seed=args.seed, params=parse_params(args.param))
    return 0 if all(r.ok for r in results) else 1


def _scrub(args) -> int:
    from pathlib import Path

    from gan_repro.runner import scrub_notebook
    for p in args.notebooks:
        scrub_notebook(Path(p))
    return 0


def _train(args) -> int:
    from dataclasses import replace

    from gan_repro.analysis.zoo import train_config
    from gan_repro.profiles import get_profile
    from gan_repro.train import Trainer
    # the notebooks' config (iterations, width, EMA, checkpoint interval), so a run either made is loaded by both
    cfg = train_config(args.preset, args.dataset, get_profile(args.profile), args.seed)
    cfg = replace(cfg, conditional=not args.unconditional, device=args.device, distributed=args.ddp,
                  **({"iters": args.iters} if args.iters else {}))
    t = Trainer(cfg, args.out).fit()
    print(f"{cfg.preset} on {cfg.dataset}: {t.step} steps; checkpoint {t.ckpt_path}")
    return 0


def _claims(args) -> int:
    from gan_repro import claims
    from gan_repro.results import results_root
    df = claims.collect(args.profile, papers=args.papers)
    out = results_root() / args.profile / "claims.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    print(f"{len(df)} rows -> {out}\n{claims.summary(df)}")
    if args.update_readme:
        changed = claims.update_readme(df)
        print(f"README claims table {'updated' if changed else 'already up to date'}")
    return 0


def _metrics(args) -> int:
    from gan_repro.metrics.cli import metrics_record
    record = metrics_record(args.inputs[0], args.inputs[1], args.metrics.split(","), n=args.n,
                            sample_seed=args.sample_seed, seed=args.seed,
                            batch_size=args.batch_size, mode=args.mode, weights=args.weights)
    print(json.dumps(record, indent=None if args.json else 2))
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_repro")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run-notebooks", help="execute the numbered notebooks with papermill")
    r.add_argument("--profile", default="cpu", help="smoke | cpu | paper")
    r.add_argument("--only", default=None, help="run one notebook, e.g. 03")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a notebook parameter, e.g. DATASETS=mnist (notebook 02); repeatable")
    r.set_defaults(func=_run_notebooks)

    s = sub.add_parser("scrub-notebooks", help="keep only nbval-checked outputs, drop volatile metadata")
    s.add_argument("notebooks", nargs="+")
    s.set_defaults(func=_scrub)

    t = sub.add_parser("train", help="train a GAN preset (resumes from the output folder's checkpoint)")
    t.add_argument("--preset", required=True, help="dcgan | wgan-clip | wgan-gp | wgan-gp-dcgan | sngan | biggan")
    t.add_argument("--dataset", required=True, help="mnist | fashion-mnist | cifar10 | cifar100")
    t.add_argument("--profile", default="cpu", help="smoke | cpu | paper: iterations, batch size, width")
    t.add_argument("--iters", type=int, default=0, help="override the profile's generator iterations")
    t.add_argument("--unconditional", action="store_true")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="cpu")
    t.add_argument("--ddp", default="none", choices=("none", "gloo", "nccl"),
                   help="DistributedDataParallel backend; launch with torchrun --nproc_per_node N")
    t.add_argument("--out", required=True)
    t.set_defaults(func=_train)

    c = sub.add_parser("claims", help="gather every notebook's claim verdicts into results/<profile>/claims.csv")
    c.add_argument("--profile", default="cpu", help="smoke | cpu | paper")
    c.add_argument("--papers", default=None, help="PAPERS.md defining the claim IDs (else ../shared/PAPERS.md)")
    c.add_argument("--update-readme", action="store_true", help="regenerate the README's claims table")
    c.set_defaults(func=_claims)

    m = sub.add_parser("metrics", help="metrics between two image sets, printed as one JSON record")
    m.add_argument("inputs", nargs=2, metavar="INPUT",
                   help="dataset spec (mnist:train, cifar10:test, ...), image folder, or .npz")
    m.add_argument("--metrics", default="fid", help="comma-separated names, e.g. fid,kid,swd")
    m.add_argument("--n", type=int, default=None, help="use the first N images of each input")
    m.add_argument("--sample-seed", type=int, default=None, help="take a seeded random N instead")
    m.add_argument("--seed", type=int, default=0, help="seed of the metrics' own randomness")
    m.add_argument("--batch-size", type=int, default=50)
    m.add_argument("--mode", default="pytorch-fid", help="preprocessing mode of the extractor")
    m.add_argument("--weights", default=None, help="Inception weights file (else the search order)")
    m.add_argument("--json", action="store_true", help="one compact JSON line")
    m.set_defaults(func=_metrics)
    args = p.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
