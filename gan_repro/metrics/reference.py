"""pytorch-fid's own InceptionV3 (the reference pipeline), built without a download.

Used (a) to run pytorch-fid's full weights, (b) to cross-check our extractor against the reference
preprocessing + network with the TorchScript weights mapped in, tensor for tensor. Needs
`pip install pytorch-fid==0.3.0` (a test extra).
"""
from __future__ import annotations

import unittest.mock
import warnings

import torch


def _pfi():
    try:
        from pytorch_fid import inception
    except ImportError as e:
        raise ImportError("this needs the pytorch-fid package: pip install pytorch-fid==0.3.0") from e
    return inception


def pytorch_fid_model(state_dict: dict, resize_input: bool = True, normalize_input: bool = True):
    """pytorch_fid.inception.InceptionV3([pool3]) holding `state_dict` (pytorch-fid's key names)."""
    pfi = _pfi()
    with unittest.mock.patch.object(pfi, "load_state_dict_from_url", lambda *a, **k: state_dict):
        return pfi.InceptionV3([3], resize_input=resize_input, normalize_input=normalize_input).eval()


def state_dict_from_torchscript(path: str) -> dict:
    """Map the TorchScript pool3 weights onto pytorch-fid's key names.

    Both list their 94 convolutions in the same order (checked by shape here, by output in the tests).
    TF's BN has no scale (gamma = 1): conv `weight, beta, mean, var` -> `conv.weight, bn.bias,
    bn.running_mean, bn.running_var`, `bn.weight` = 1. The fc layer (logits) is absent: zeros.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ts = torch.jit.load(path, map_location="cpu").state_dict()
    template = pytorch_fid_model_template()
    out = {k: torch.zeros_like(v) for k, v in template.items()}
    convs = [k[: -len(".conv.weight")] for k in template if k.endswith(".conv.weight")]
    heads = [k[: -len(".weight")] for k in ts if k.endswith(".weight")]
    if len(convs) != len(heads):
        raise ValueError(f"layer counts differ: pytorch-fid {len(convs)}, TorchScript {len(heads)}")
    for c, h in zip(convs, heads):
        if template[f"{c}.conv.weight"].shape != ts[f"{h}.weight"].shape:
            raise ValueError(f"shape mismatch at {c} / {h}")
        out[f"{c}.conv.weight"] = ts[f"{h}.weight"]
        out[f"{c}.bn.weight"] = torch.ones_like(ts[f"{h}.beta"])
        out[f"{c}.bn.bias"] = ts[f"{h}.beta"]
        out[f"{c}.bn.running_mean"] = ts[f"{h}.mean"]
        out[f"{c}.bn.running_var"] = ts[f"{h}.var"]
    return out


def pytorch_fid_model_template() -> dict:
    """The state dict layout of pytorch-fid's FID Inception (random values; only keys and shapes used)."""
    pfi = _pfi()
    captured = {}

    def grab(module, *a, **k):
        captured.update(module.state_dict())
        raise StopIteration

    with unittest.mock.patch.object(torch.nn.Module, "load_state_dict", grab), \
            unittest.mock.patch.object(pfi, "load_state_dict_from_url", lambda *a, **k: {}):
        try:
            pfi.fid_inception_v3()
        except StopIteration:
            pass
    return captured
