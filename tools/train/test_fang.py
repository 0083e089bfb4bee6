# Checks of the PyTorch Fang et al. model (tools/train/fang.py): the one-call grid_sample
# deformable average equals the tap-by-tap bilinear reference (the C kernel's algorithm),
# zero offsets and flat features give a 3x3 box average with replicated borders, the
# conditioned weights are A P + B per image, and a file round trip keeps the outputs.
# Run: python3 -m pytest tools/train/test_fang.py
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fang  # noqa: E402
from train import read_safetensors, write_safetensors  # noqa: E402


def test_deformable_average_matches_reference():
    g = torch.Generator().manual_seed(0)
    for h, w in ((1, 1), (5, 7), (29, 37)):
        hd = torch.randn(2, 23, h, w, generator=g, dtype=torch.float64) * 2
        t = torch.rand(2, 3, h, w, generator=g, dtype=torch.float64)
        a = fang.deformable_average(hd[:, :5], t, hd[:, 5:])
        b = fang.deformable_average_ref(hd[:, :5], t, hd[:, 5:])
        assert (a - b).abs().max() < 1e-12


def test_flat_features_give_a_box_average():
    t = torch.rand(1, 1, 9, 11, dtype=torch.float64)
    out = fang.deformable_average(torch.zeros(1, 5, 9, 11, dtype=torch.float64), t,
                                  torch.zeros(1, 18, 9, 11, dtype=torch.float64))
    box = F.avg_pool2d(F.pad(t, (1, 1, 1, 1), mode="replicate"), 3, 1)
    assert (out - box).abs().max() < 1e-12


def test_conditioned_weights():
    c = fang.CondConv(3, 4)
    torch.nn.init.normal_(c.weight_a)
    torch.nn.init.normal_(c.bias_a)
    p = torch.tensor([[2.0, 0.5], [0.1, 10.0]])
    w, b = c.weights(p)
    for i in range(2):
        assert torch.allclose(w[i], p[i, 0] * c.weight_a[0] + p[i, 1] * c.weight_a[1] + c.weight_b)
        assert torch.allclose(b[i], p[i, 0] * c.bias_a[0] + p[i, 1] * c.bias_a[1] + c.bias_b)
    # batched per-image weights equal separate runs
    x = torch.rand(2, 3, 8, 8)
    y = c(x, p)
    for i in range(2):
        assert torch.allclose(y[i:i + 1], F.conv2d(x[i:i + 1], w[i], b[i], padding=1), atol=1e-5)


def test_file_round_trip():
    m = fang.randomize(fang.Fang("rtv", features=4), 1).eval()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.safetensors")
        write_safetensors(path, m.export_tensors(), m.metadata())
        tensors, meta = read_safetensors(path)
        assert "conv1.weight" in tensors and "conv1.weight_a" in tensors and "conv6.norm_weight" not in tensors
        r = fang.from_tensors(tensors, meta)
    x = torch.rand(1, 3, 13, 10)
    with torch.no_grad():
        assert (m.smooth(x, 0.005) - r.smooth(x, 0.005)).abs().max() < 1e-6
        assert (m.smooth(x, 0.005) - m.smooth(x, 0.04)).abs().max() > 1e-4  # lambda matters


if __name__ == "__main__":
    for k, v in list(globals().items()):
        if k.startswith("test_"):
            v()
            print(k, "ok")
