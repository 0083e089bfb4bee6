# test_swa.py - swa.py's averaging and BatchNorm re-measurement, on small hand-made
# states and a one-layer network where the right answers are known.
import numpy as np
import torch

from swa import average_states, refresh_batchnorm


def test_average_states_means_floats_and_keeps_the_last_integers():
    a = {"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}
    b = {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(7)}
    out = average_states([a, b])
    assert torch.equal(out["w"], torch.tensor([2.0, 4.0]))
    assert out["n"].item() == 7


class ConstantData:
    """batch() returns the same guide and upsampled depth every time: (g, u, truth)."""

    def __init__(self, u):
        self.u = u

    def batch(self, rng, n, crop):
        return None, self.u, None


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = torch.nn.BatchNorm2d(1, momentum=0.1)

    def forward(self, guide, up):
        return self.bn(up)


def test_refresh_batchnorm_measures_the_plain_mean_of_the_batches(monkeypatch):
    import swa
    monkeypatch.setattr(swa, "forward", lambda model, arch, g, u: model(g, u))
    net = Net()
    net.bn.running_mean.fill_(100.0)  # stale statistics of other weights
    net.bn.running_var.fill_(100.0)
    u = torch.tensor([1.0, 3.0, 5.0, 7.0]).view(1, 1, 2, 2)
    assert refresh_batchnorm(net, "fdkn", ConstantData(u), np.random.default_rng(0), 5, 1, 2) == 1
    assert not net.training
    assert abs(net.bn.running_mean.item() - 4.0) < 1e-6
    assert abs(net.bn.running_var.item() - np.var([1, 3, 5, 7], ddof=1)) < 1e-5  # unbiased, as BatchNorm keeps it
