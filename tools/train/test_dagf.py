# Checks of the PyTorch DAGF: the file-only runner (DAGFInference) on an exported file
# equals the training model in eval mode, the export holds exactly the inference tensors,
# and the bicubic start outputs the target. Run: python3 tools/train/test_dagf.py
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dagf  # noqa: E402
from models import build  # noqa: E402
from train import model_from_file, read_safetensors, write_safetensors  # noqa: E402


def export_and_reload(model, scale=8):
    meta = {"format": "jfilter-1", "architecture": "dagf", "scale": scale, "guide": "bgr",
            "guide_order": "bgr", "upsample": "pil", **model.metadata()}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dagf.safetensors")
        write_safetensors(path, model.export_tensors(), meta)
        runner, meta2 = model_from_file(path)
        tensors, _ = read_safetensors(path)
    return runner, tensors, meta2


def check_runner_matches(features, levels, res_blocks, sizes, seed):
    torch.manual_seed(seed)
    m = build("dagf", features=features, levels=levels, res_blocks=res_blocks)
    dagf.randomize(m, seed)
    m.eval()
    runner, tensors, _ = export_and_reload(m)
    assert not any(".norm." in k or "running" in k for k in tensors), "unfolded norm in export"
    for h, w in sizes:
        g = torch.rand(2, 3, h, w)
        t = torch.rand(2, 1, h, w)
        with torch.no_grad():
            a = m(g, t)
            b = runner(g, t)
        err = (a - b).abs().max().item()
        spread = (a - t).std().item()
        print("features %d levels %d res %d, %d x %d: max |train - file runner| = %.2e (residual std %.3f)"
              % (features, levels, res_blocks, w, h, err, spread))
        assert a.shape == (2, 1, h, w)
        assert err < 1e-5, err
        assert spread > 1e-2, "random model too flat to test anything"


def check_fold_exact():
    """In float64 the folded runner equals the training model to rounding."""
    m = build("dagf", features=8)
    dagf.randomize(m, 3)
    m.eval().double()
    runner = dagf.DAGFInference(m.export_tensors(), m.metadata())
    g = torch.rand(1, 3, 37, 29, dtype=torch.float64)
    t = torch.rand(1, 1, 37, 29, dtype=torch.float64)
    with torch.no_grad():
        err = (m(g, t) - runner(g, t)).abs().max().item()
    print("float64 fold: %.2e" % err)
    assert err < 1e-10, err


def check_export_names():
    m = build("dagf", features=8, levels=3, res_blocks=2)
    names = list(m.export_tensors())
    assert names[0] == "head.target.conv1.weight" and names[-1] == "level.2.output.residual.slope"
    assert "level.0.output.residual.weight" not in names and "level.0.output.scale" not in names
    assert "level.1.output.scale" in names and "level.2.kernel_scale" in names
    assert len(names) == len(set(names))
    for k, v in m.export_tensors().items():
        if k.endswith(".slope") or k.endswith("_scale") or k.endswith(".scale"):
            assert v.shape == (1,), k
    print("export: %d tensors, names and shapes as documented" % len(names))


def check_bicubic_start_and_training_step():
    m = build("dagf", features=8)
    m.zero_residuals()
    m.train()
    g = torch.rand(2, 3, 32, 48)
    t = torch.rand(2, 1, 32, 48)
    outs = m.forward_all(g, t)
    assert len(outs) == 3 and all(o.shape == t.shape for o in outs)
    assert all((o - t).abs().max().item() == 0 for o in outs)
    sum((o - t * 0.9).abs().mean() for o in outs).backward()
    assert m.level[-1].output["residual"].weight.grad.abs().sum() > 0
    print("bicubic start: outputs equal the target; gradients reach the last conv")


if __name__ == "__main__":
    torch.set_num_threads(1)
    check_export_names()
    check_fold_exact()
    check_bicubic_start_and_training_step()
    check_runner_matches(8, 3, 2, [(53, 77), (48, 64), (17, 5)], seed=1)
    check_runner_matches(32, 3, 2, [(45, 61)], seed=2)
    check_runner_matches(8, 2, 1, [(23, 41)], seed=3)
    print("ok")
