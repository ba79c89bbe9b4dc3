"""DDP on CPU: 2 gloo processes, one training step, parameters equal across ranks; only rank 0 writes."""
import gc

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from tests.needs import need_mnist


def _worker(rank, world, init_file, out_dir, result_file):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    from gan_repro.train import Trainer, TrainConfig
    cfg = TrainConfig(preset="sngan", dataset="mnist", iters=1, batch_size=8, width=4, n_train=256,
                      distributed="gloo")
    t = Trainer(cfg, out_dir, progress=False).fit()
    flat = torch.cat([p.detach().flatten() for p in list(t.g_core.parameters()) + list(t.d_core.parameters())])
    gathered = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    if rank == 0:
        torch.save({"diff": (gathered[0] - gathered[1]).abs().max().item(), "batch": t.batch, "step": t.step},
                   result_file)
    # orderly teardown: both ranks reach it together, and the DDP wrappers (which hold the group and
    # gloo work) go before the group; tearing gloo down at interpreter exit can SIGABRT a rank
    dist.barrier()
    del t
    gc.collect()
    dist.destroy_process_group()


@need_mnist
def test_two_gloo_processes_stay_in_sync(tmp_path):
    mp.spawn(_worker, args=(2, str(tmp_path / "init"), str(tmp_path / "run"), str(tmp_path / "res.pt")),
             nprocs=2, join=True)
    res = torch.load(tmp_path / "res.pt")
    assert res["diff"] == 0.0 and res["batch"] == 4 and res["step"] == 1
    assert (tmp_path / "run" / "checkpoint.pt").exists() and len(list((tmp_path / "run").glob("*.tmp"))) == 0
