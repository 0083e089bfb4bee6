# Checks of tools/train/fan.py on small hand-made images whose right answer is known: a flat
# image has only the data term, a step edge on the important-edge map is kept, the L2 / L0.8
# switch fires where the output makes an edge in a flat region, the flattening term and its
# gradient equal a brute-force sum, and the network keeps odd sizes.
# Run: /usr/bin/python3 -m pytest tools/train/test_fan.py
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fan  # noqa: E402


def flat_image(h, w, rgb):
    return torch.tensor(rgb, dtype=torch.float64).view(1, 3, 1, 1).expand(1, 3, h, w).clone()


def step_image(h, w):
    x = flat_image(h, w, (0.2, 0.3, 0.25))
    x[..., w // 2:] = torch.tensor((0.8, 0.7, 0.75), dtype=torch.float64).view(1, 3, 1, 1)
    return x


def to_u8(x):
    return (x[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def test_flat_image_only_data_term():
    i = flat_image(24, 20, (0.4, 0.5, 0.6))
    b = torch.from_numpy(fan.edge_mask(to_u8(i)))[None, None].double()
    assert b.sum() == 0  # no edges on a flat image
    t = flat_image(24, 20, (0.45, 0.5, 0.55))
    total, data, flat, edge, _ = fan.energy(t, i, b, terms=True)
    assert flat == 0 and edge == 0
    assert abs(data - (12.75 ** 2 * 2 / 3)) < 1e-9
    assert abs(total.item() - data) < 1e-9


def test_step_edge_on_mask_is_kept():
    i = step_image(32, 32)
    b = torch.from_numpy(fan.edge_mask(to_u8(i)))[None, None].double()
    assert b[..., 13:15].sum() == 0 and b[..., 15:17].sum() > 0  # Canny marks the step only
    keep = fan.energy(i.clone(), i, b)
    assert keep.item() == 0  # colour weights across the step are cut, both sides are flat
    blurred = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(i, (2, 2, 2, 2), mode="replicate"), 5, 1)
    _, _, _, edge, _ = fan.energy(blurred, i, b, terms=True)
    assert edge > 0 and fan.energy(blurred, i, b).item() > keep.item()
    # a few descent steps from a blurred start move back towards the step (energy falls)
    t = blurred.clone().requires_grad_(True)
    opt = torch.optim.Adam([t], lr=0.01)
    e0 = fan.energy(t, i, b).item()
    for _ in range(30):
        opt.zero_grad()
        e = fan.energy(t, i, b)
        e.backward()
        opt.step()
    assert fan.energy(t.detach(), i, b).item() < e0


def test_l2_switch():
    i = flat_image(24, 24, (0.5, 0.5, 0.5))
    b = torch.zeros(1, 1, 24, 24, dtype=torch.float64)
    t = i.clone()
    t[..., 12, 12] += 0.2  # a spike the input does not have: E(T) - E(I) > c2 with E(I) = 0 < c1
    _, _, flat, _, l2frac = fan.energy(t, i, b, terms=True, window=5)
    assert l2frac > 0
    # the spike pixel and its 12 edge neighbours are on the L2 branch, all other pixels on L0.8
    e_t = fan.edge_response(t * 255)
    l2 = (e_t > fan.C2).double()
    ref = brute_flatten(t * 255, fan.rgb_to_yuv(i), l2, 1 - b, 5)
    assert abs(flat - ref.item()) < 1e-6 * max(1.0, ref.item())
    # the L2 branch is spatially weighted and alpha-scaled: one pixel pair checks it
    ws = fan.ALPHA * np.exp(-1 / (2 * fan.SIGMA_S ** 2))
    assert ws * 51.0 ** 2 < ref.item() * 3 * 24 * 24


def brute_flatten(t, yuv, l2, keep, window):
    """The flattening term by its definition, pixel pair by pixel pair."""
    n, c, h, w = t.shape
    r = window // 2
    total = t.new_zeros(())
    for y in range(h):
        for x in range(w):
            if keep[0, 0, y, x] == 0:
                continue
            for m in range(-r, r + 1):
                for q in range(-r, r + 1):
                    yy, xx = y + m, x + q
                    if (m == 0 and q == 0) or not (0 <= yy < h and 0 <= xx < w):
                        continue
                    d = t[0, :, y, x] - t[0, :, yy, xx]
                    if l2[0, 0, y, x] > 0:
                        wgt = fan.ALPHA * np.exp(-(m * m + q * q) / (2 * fan.SIGMA_S ** 2))
                        total = total + wgt * (d * d).sum()
                    else:
                        dc = yuv[0, :, y, x] - yuv[0, :, yy, xx]
                        wgt = torch.exp(-(dc * dc).sum() / (2 * fan.SIGMA_R ** 2))
                        if wgt < fan.COLOUR_CUT:
                            wgt = wgt * 0
                        total = total + wgt * (d.abs() ** fan.P_LOW).sum()
    return total / (n * c * h * w)


def test_flatten_matches_brute_force_and_gradient():
    g = torch.Generator().manual_seed(3)
    h, w = 7, 6
    rgb = 0.5 + 0.05 * torch.rand(1, 3, h, w, generator=g, dtype=torch.float64)  # colour weights > 0.3
    # distinct values 1.5 apart in each channel: every |T_i - T_j| >= 1, away from the capped cusp
    perm = torch.stack([torch.randperm(h * w, generator=g) for _ in range(3)]).double()
    t = (100 + 1.5 * perm.view(1, 3, h, w)).requires_grad_(True)
    yuv = fan.rgb_to_yuv(rgb)
    l2 = (torch.rand(1, 1, h, w, generator=g) < 0.3).double()
    keep = (torch.rand(1, 1, h, w, generator=g) < 0.8).double()
    ours = fan.FlattenTerm.apply(t, l2, fan.flatten_pairs(rgb, 1 - keep, 5))
    ref = brute_flatten(t, yuv, l2, keep, 5)
    assert abs(ours.item() - ref.item()) < 1e-9 * ref.item()
    g1, = torch.autograd.grad(ours, t)
    g2, = torch.autograd.grad(brute_flatten(t, yuv, l2, keep, 5), t)
    assert torch.allclose(g1, g2, rtol=1e-9, atol=1e-12)


def test_network_odd_sizes_and_eval():
    torch.manual_seed(0)
    m = fan.randomize(fan.FanNet(features=8), 1).eval()
    for h, w in ((37, 29), (16, 16), (5, 9)):
        y = m(torch.rand(1, 3, h, w))
        assert y.shape == (1, 3, h, w)


def test_export_roundtrip():
    m = fan.randomize(fan.FanNet(features=8), 2).eval()
    t = fan.export_tensors(m)
    assert "deconv.weight" in t and t["deconv.weight"].shape == (8, 8, 4, 4)
    assert not any(k.endswith("num_batches_tracked") for k in t)
    m2 = fan.load_tensors(fan.FanNet(features=8), t).eval()
    x = torch.rand(1, 3, 11, 13)
    assert torch.equal(m(x), m2(x))


def test_reach_is_the_halo():
    """In double, a change of one input pixel moves outputs up to 254 pixels away (253 from an
    even pixel): the halo src/models/fan.c's table derives (tests/test_halo.c probes it in
    float32, where the farthest changes round away)."""
    from train import read_safetensors
    here = os.path.dirname(os.path.abspath(__file__))
    t, _ = read_safetensors(os.path.join(here, "..", "..", "tests", "data", "fan", "fan_f8_random.safetensors"))
    m = fan.load_tensors(fan.FanNet(features=8), t).double().eval()
    x = 0.2 + 0.5 * torch.rand(1, 3, 1, 541, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    reach = []
    with torch.no_grad():
        y0 = m(x)
        for px in (270, 271):
            x2 = x.clone()
            x2[0, 1, 0, px] += 0.3
            moved = (m(x2) != y0).any(1)[0, 0].nonzero().flatten()
            reach.append(int((moved - px).abs().max()))
    assert reach == [253, 254]


def test_l0_teacher_cuts_its_margin_and_keeps_the_step():
    # train_fan's L0 teacher runs on the crop plus a margin (its FFT solve wraps around the
    # border) and returns only the centre: same size as the training crop, step kept, flat
    # sides flat
    import train_fan
    rng = np.random.default_rng(1)
    img = to_u8(step_image(40, 48))
    big = train_fan.random_crop(rng, img, 40, 48, exact=True)
    assert big.shape == (40, 48, 3)
    out = train_fan.teacher_of("l0", 0.005, big, 8)[0]
    assert out.shape == (3, 24, 32)
    centre = torch.from_numpy(big[8:-8, 8:-8].astype(np.float32) / 255).permute(2, 0, 1)
    assert (out - centre).abs().max() < 0.02


def test_optimise_pixels_lowers_each_energy_independently():
    # fan.optimise_pixels (the per-image baseline and make_fan_targets.py's teacher): the energy
    # it returns is that of the pixels it returns, never above the input's, and a batch is
    # optimised as separate images (the same pixels as one image at a time)
    g = torch.Generator().manual_seed(5)
    x = (step_image(20, 24) + 0.03 * torch.randn(1, 3, 20, 24, generator=g, dtype=torch.float64)).clamp(0, 1)
    x2 = torch.cat([x, x.flip(-1)]).float()
    b = torch.stack([torch.from_numpy(fan.edge_mask(to_u8(x2[k:k + 1].double())))[None] for k in range(2)])
    e_in = [fan.energy(x2[k:k + 1], x2[k:k + 1], b[k:k + 1]).item() for k in range(2)]
    both, e_both = fan.optimise_pixels(x2, b, steps=12, lr=0.003, lr_min=1e-4)
    for k in range(2):
        one, e_one = fan.optimise_pixels(x2[k:k + 1], b[k:k + 1], steps=12, lr=0.003, lr_min=1e-4)
        assert torch.allclose(one[0], both[k], atol=1e-6)
        assert e_both[k] < e_in[k]
        assert abs(fan.energy(both[k:k + 1], x2[k:k + 1], b[k:k + 1]).item() - e_both[k].item()) < 1e-3 * e_in[k]


def test_optimum_targets_flip_together():
    # train_fan --teacher optimum: input, edge map and optimum get the same flips (here the edge
    # map is the input's first channel mod 2 and the optimum is the input itself)
    import train_fan
    inputs = np.random.default_rng(1).integers(0, 256, (3, 4, 5, 3)).astype(np.uint8)
    t = {"inputs": inputs, "edges": inputs[..., 0] % 2, "optima": inputs.astype(np.float32) / 255}
    xs, bs, ts = train_fan.targets_batch(t, np.random.default_rng(0), 16)
    assert len(xs) == 16
    for x, b, o in zip(xs, bs, ts):
        assert torch.equal(x, o)
        assert torch.equal(b[0, 0], torch.round(x[0, 0] * 255) % 2)
