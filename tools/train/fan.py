# Fan et al. ("Image Smoothing via Unsupervised Learning", TOG 2018) for jfilter: the network
# (FanNet), the edge-preserving smoothing energy it is trained on (energy(), FlattenTerm),
# the important-edge detector (edge_mask), and the export to a jfilter safetensors file.
# Every choice the paper leaves open is in FAN_DECISIONS below and in weights/README.md
# (model card); the file format is tools/train/FAN_FORMAT.md. The C inference
# (src/models/fan.c) is checked against FanNet in eval mode.
import math

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Dilations of the ten residual blocks at half resolution (the public code's schedule).
DILATIONS = (2, 2, 4, 4, 8, 8, 16, 16, 1, 1)
FEATURES = 64
INPUT_SCALE = 255.0    # the network sees 255 * RGB - 115 ...
INPUT_OFFSET = 115.0
BN_EPS = 1e-5          # ... and its output is 255 * RGB + residual, divided by 255 here

# The energy's constants (all intensities on the 0..255 scale, colour weights on YUV in 0..1).
LAMBDA_F = 1.0         # flattening weight
LAMBDA_E = 0.1         # edge-preserving weight
C1, C2 = 20.0, 10.0    # L2 where E(I) < c1 and E(T) - E(I) > c2
ALPHA = 5.0            # weight of the L2 (spatial) branch
SIGMA_S = 7.0
SIGMA_R = 0.1
WINDOW = 21            # h x h window of the flattening term
P_LOW = 0.8
COLOUR_CUT = 0.3       # colour weights below this are 0 (as the public code does)
CANNY = (100, 200)     # the important-edge detector: Canny on 8-bit luma ...
CANNY_BLUR = 1.5       # ... after a Gaussian blur of this sigma (5 x 5)

FAN_DECISIONS = """\
network: 255*RGB-115 in; conv3x3 3-64, conv3x3 64-64, conv3x3 stride 2 (BN+ReLU each);
10 residual blocks at 1/2 (conv-BN-ReLU-conv-BN, add, ReLU), dilations 2,2,4,4,8,8,16,16,1,1;
convT 4x4 stride 2 pad 1 + BN + ReLU; conv3x3 + BN + ReLU; conv1x1 64-3; + 255*RGB; /255.
Zero padding everywhere. Odd sizes: the transposed conv gives 2*ceil(H/2) rows, the last is cropped.
BN: eval mode everywhere (running statistics measured on 24 crops at the start of training, then
frozen; folded at load);
the public test script's train-mode BN and per-channel alpha rescale are not reproduced.
Energy (0..255 scale): mean (T-I)^2 + lambda_f * flatten + lambda_e * mean over B of (E(T)-E(I))^2;
E_i = sum over 8 neighbours and 4 at distance 2 of |sum_c (X_i - X_j)| / 6;
flatten = 1/(3HW) sum_i (1-B_i) sum_c sum_{j in 21x21} w_ij |T_i - T_j|^p_i,
p_i = 2, w = alpha * exp(-d^2/(2*7^2)) where E_i(I) < 20 and E_i(T) - E_i(I) > 10 (the public code's
extra "or E_i(I) = 0 < E_i(T)" is left out: the energy would jump at rounding-sized changes of flat regions),
else p_i = 0.8, w = exp(-|yuv_i - yuv_j|^2 / (2*0.1^2)), 0 below 0.3.
Gradient of |d|^0.8 capped at 0.8 for |d| < 1 (the public code's cap; the cusp has no gradient).
B: Canny(100, 200, L2 gradient) on the input's 8-bit luma blurred by a 5x5 Gaussian, sigma 1.5.
"""


# --------------------------------------------------------------------------- network

class ResBlock(nn.Module):
    def __init__(self, f, d):
        super().__init__()
        self.conv1 = nn.Conv2d(f, f, 3, padding=d, dilation=d)
        self.bn1 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.conv2 = nn.Conv2d(f, f, 3, padding=d, dilation=d)
        self.bn2 = nn.BatchNorm2d(f, eps=BN_EPS)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(y)))


class FanNet(nn.Module):
    """RGB in [0, 1] (N x 3 x H x W) -> smoothed RGB, same size (not clamped)."""

    def __init__(self, features=FEATURES, dilations=DILATIONS):
        super().__init__()
        f = features
        self.dilations = tuple(dilations)
        self.conv1 = nn.Conv2d(3, f, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.conv2 = nn.Conv2d(f, f, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.conv3 = nn.Conv2d(f, f, 3, stride=2, padding=1)
        self.bn3 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.res = nn.ModuleList([ResBlock(f, d) for d in dilations])
        self.deconv = nn.ConvTranspose2d(f, f, 4, stride=2, padding=1)
        self.bn4 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.conv5 = nn.Conv2d(f, f, 3, padding=1)
        self.bn5 = nn.BatchNorm2d(f, eps=BN_EPS)
        self.out = nn.Conv2d(f, 3, 1)
        self.reset_parameters()

    def reset_parameters(self):
        # The public code's init: uniform +-sqrt(12 / (fan_in + fan_out)), zero bias, BN 1 / 0.
        for mod in self.modules():
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d)):
                k = mod.kernel_size[0] * mod.kernel_size[1]
                cin, cout = (mod.in_channels, mod.out_channels)
                bound = (12.0 / ((cin + cout) * k)) ** 0.5
                nn.init.uniform_(mod.weight, -bound, bound)
                nn.init.zeros_(mod.bias)
            elif isinstance(mod, nn.BatchNorm2d):
                nn.init.ones_(mod.weight)
                nn.init.zeros_(mod.bias)

    def forward(self, rgb):
        h, w = rgb.shape[-2:]
        x = rgb * INPUT_SCALE - INPUT_OFFSET
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        for blk in self.res:
            x = blk(x)
        x = F.relu(self.bn4(self.deconv(x)))[..., :h, :w]
        x = F.relu(self.bn5(self.conv5(x)))
        return rgb + self.out(x) / INPUT_SCALE

    def metadata(self):
        return {"features": self.conv1.out_channels, "blocks": len(self.dilations),
                "dilations": ",".join(str(d) for d in self.dilations),
                "input_scale": "%g" % INPUT_SCALE, "input_offset": "%g" % INPUT_OFFSET,
                "bn_eps": "%g" % BN_EPS}


def randomize(model, seed):
    """Random weights and BatchNorm statistics of a plausible range (for the fixtures)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                n = mod.num_features
                mod.weight.copy_(0.5 + torch.rand(n, generator=g))
                mod.bias.copy_(0.2 * torch.randn(n, generator=g))
                mod.running_mean.copy_(0.5 * torch.randn(n, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(n, generator=g))
    return model


def export_tensors(model):
    """The state dict as float32 (running statistics kept, folded by the loader)."""
    return {k: v.detach().float().contiguous() for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


def export_metadata(model, **extra):
    meta = {"format": "jfilter-1", "architecture": "fan", "guide": "bgr", "guide_order": "rgb",
            "task": "smooth", **model.metadata()}
    meta.update({k: str(v) for k, v in extra.items()})
    return meta


def load_tensors(model, tensors):
    sd = model.state_dict()
    for k in sd:
        if k.endswith("num_batches_tracked"):
            continue
        sd[k].copy_(tensors[k])
    return model


# --------------------------------------------------------------------------- the energy

def edge_response(x):
    """E_i(X) for X (N x C x H x W, 0..255): sum over the 8 neighbours and the 4 pixels at
    distance 2 of |sum_c (X_i - X_j)|, over 6; neighbours outside the image are left out."""
    s = x.sum(1, keepdim=True)
    h, w = s.shape[-2:]
    p = F.pad(s, (2, 2, 2, 2))
    valid = F.pad(torch.ones_like(s), (2, 2, 2, 2))
    offs = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx] + [(-2, 0), (2, 0), (0, -2), (0, 2)]
    e = torch.zeros_like(s)
    for dy, dx in offs:
        sl = (..., slice(2 + dy, 2 + dy + h), slice(2 + dx, 2 + dx + w))
        e = e + (s - p[sl]).abs() * valid[sl]
    return e / 6.0


def rgb_to_yuv(rgb):
    """YUV of the public code from RGB in [0, 1]: Y = luma, U = 0.492 (B - Y), V = 0.877 (R - Y)."""
    r, g, b = rgb[:, 0:1], rgb[:, 1:2], rgb[:, 2:3]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return torch.cat([y, 0.492 * (b - y), 0.877 * (r - y)], 1)


def edge_mask(rgb_u8):
    """The important-edge map B (H x W float 0/1) of an H x W x 3 uint8 RGB image."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb_u8), cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), CANNY_BLUR)
    return (cv2.Canny(gray, CANNY[0], CANNY[1], L2gradient=True) > 0).astype(np.float32)


def edge_mask_tensor(rgb):
    """B for a batch of RGB tensors in [0, 1] (N x 1 x H x W)."""
    out = []
    for im in rgb:
        u8 = (im.detach().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255 + 0.5).astype(np.uint8)
        out.append(torch.from_numpy(edge_mask(u8))[None])
    return torch.stack(out).to(rgb.device)


def _offsets(window):
    r = window // 2
    return [(m, n) for m in range(-r, r + 1) for n in range(-r, r + 1) if m or n]


def _pow_grad(d, p):
    """d/dd |d|^p with the cusp's gradient capped (p < 1: at p, for |d| < 1)."""
    a = d.abs()
    if p == 2.0:
        return 2.0 * d
    return p * torch.clamp(a.clamp_min(1e-12) ** (p - 1.0), max=1.0) * torch.sign(d)


class FlattenTerm(torch.autograd.Function):
    """sum_i keep_i sum_c sum_j w_ij |T_i - T_j|^p_i over the window, / (3 H W), per image
    (averaged over the batch). T on 0..255. Forward and backward loop over the window's
    offsets without storing them (a 21 x 21 window would hold 440 copies of the image);
    `pairs` (flatten_pairs) holds what depends on the input only."""

    @staticmethod
    def forward(ctx, t, l2, pairs):
        ctx.save_for_backward(t, l2)
        ctx.pairs = pairs
        total = torch.zeros((), dtype=t.dtype)
        for ti, tj, wl2, wcol, _, _ in _window_terms(t, l2, pairs):
            d = ti - tj
            total = total + (wl2 * d * d + wcol * d.abs() ** P_LOW).sum()
        n, c, h, w = t.shape
        return total / (n * c * h * w)

    @staticmethod
    def backward(ctx, g):
        t, l2 = ctx.saved_tensors
        n, c, h, w = t.shape
        grad = torch.zeros_like(t)
        for ti, tj, wl2, wcol, si, sj in _window_terms(t, l2, ctx.pairs):
            d = ti - tj
            gd = wl2 * 2.0 * d + wcol * _pow_grad(d, P_LOW)
            grad[si] += gd
            grad[sj] -= gd
        return grad * (g / (n * c * h * w)), None, None


def flatten_pairs(rgb, bmask, window=WINDOW):
    """What the flattening term needs from the input alone, per window offset (dy, dx): the
    overlapping slices of centre i and neighbour j = i + (dy, dx), keep_i (0 on important
    edges), keep_i times the colour weight w_ij, and the spatial weight of the L2 branch.
    Computed once per input image: a per-image optimisation reuses it at every step."""
    h, w = rgb.shape[-2:]
    with torch.no_grad():
        yuv = rgb_to_yuv(rgb)
        keep = 1.0 - bmask
        out = []
        for dy, dx in _offsets(window):
            if abs(dy) >= h or abs(dx) >= w:
                continue
            yi = slice(max(0, -dy), h - max(0, dy))
            xi = slice(max(0, -dx), w - max(0, dx))
            yj = slice(max(0, dy), h - max(0, -dy))
            xj = slice(max(0, dx), w - max(0, -dx))
            si, sj = (..., yi, xi), (..., yj, xj)
            dc = yuv[si] - yuv[sj]
            wc = torch.exp(-(dc * dc).sum(1, keepdim=True) / (2 * SIGMA_R ** 2))
            wc = torch.where(wc < COLOUR_CUT, torch.zeros_like(wc), wc)
            ws = ALPHA * float(np.exp(-(dy * dy + dx * dx) / (2 * SIGMA_S ** 2)))
            k = keep[si]
            out.append((si, sj, k * ws, k * wc))
    return out


def _window_terms(t, l2, pairs):
    """Per offset: centre and neighbour values of T, the per-pixel weights of the L2 branch
    (wl2) and of the L0.8 branch (wcol), both 0 where keep is 0 (important edges), and the
    slices."""
    for si, sj, kws, kwc in pairs:
        q = l2[si]
        yield t[si], t[sj], q * kws, (1 - q) * kwc, si, sj


def energy(out, rgb, bmask=None, window=WINDOW, terms=False, pairs=None):
    """The energy of outputs `out` for inputs `rgb` (both N x 3 x H x W in [0, 1] scale),
    important edges bmask (N x 1 x H x W, computed from rgb when None), `pairs` =
    flatten_pairs(rgb, bmask, window) when the caller keeps it across calls. Returns the total
    (differentiable in out) or, with terms=True, (total, data, flatten, edge, l2 fraction)."""
    if bmask is None:
        bmask = edge_mask_tensor(rgb)
    if pairs is None:
        pairs = flatten_pairs(rgb, bmask, window)
    t = out * 255.0
    i = rgb * 255.0
    data = ((t - i) ** 2).mean()
    e_t = edge_response(t)
    with torch.no_grad():
        e_i = edge_response(i)
        # the paper's switch; the public code also takes E(I) = 0 < E(T), which makes the energy
        # jump at any rounding-sized change in exactly flat (e.g. clipped) regions: left out
        l2 = ((e_i < C1) & (e_t - e_i > C2)).to(t.dtype)
    flat = FlattenTerm.apply(t, l2, pairs)
    nb = bmask.sum()
    edge = ((e_t - e_i) ** 2 * bmask).sum() / nb if nb > 0 else t.sum() * 0
    total = data + LAMBDA_F * flat + LAMBDA_E * edge
    if terms:
        return total, data.item(), flat.item(), edge.item(), l2.mean().item()
    return total


# --------------------------------------------------------------------------- per-image optimum

def optimise_pixels(x, b, steps=200, lr=0.01, lr_min=3e-4, log=None):
    """The energy minimised over the output pixels directly (the paper's Section 5 baseline):
    Adam from the input, learning rate cosine-decayed from lr to lr_min over the steps (at a
    constant 0.01 the L0.8 branch's capped cusp makes the pixels oscillate by a grey level or
    more and the energy rises again). A batch is optimised as independent images: the loss is
    the sum of the per-image energies, and Adam's steps are per pixel. Returns the pixels with
    the lowest energy met, per image, and those energies."""
    n = x.shape[0]
    pairs = [flatten_pairs(x[k:k + 1], b[k:k + 1]) for k in range(n)]
    t = x.clone().requires_grad_(True)
    opt = torch.optim.Adam([t], lr=lr)
    best = torch.full((n,), float("inf"))
    best_t = x.clone()
    for i in range(steps + 1):
        for g in opt.param_groups:
            g["lr"] = lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * i / max(steps, 1)))
        opt.zero_grad()
        es = [energy(t[k:k + 1], x[k:k + 1], b[k:k + 1], pairs=pairs[k]) for k in range(n)]
        with torch.no_grad():
            for k, e in enumerate(es):
                if e.item() < best[k]:
                    best[k] = e.item()
                    best_t[k] = t[k].detach()
        if i == steps:
            break
        sum(es).backward()
        opt.step()
        if log and (i + 1) % 50 == 0:
            log("  step %d energy %.2f" % (i + 1, float(sum(e.item() for e in es)) / n))
    return best_t, best
