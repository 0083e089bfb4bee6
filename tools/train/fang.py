"""fang.py - Fang et al. 2019, "Learning explicit smoothing kernels for joint image
filtering", as jfilter runs it: the PyTorch reference for src/models/fang.c, the
training model, its exporter and reader. The decisions the paper leaves open are
listed once, in FANG_FORMAT.md and the model card (weights/README.md).

Network (F = features, 64 in the paper):
  x = [guide (1 luma or 3 B,G,R planes, [0, 1]), xc, yc]        coordinates (2j+1)/W - 1, (2i+1)/H - 1
  conv1 3x3 -> F, conv2 3x3, conv3 3x3 stride 2                  (each: instance norm, ReLU)
  7 residual blocks at half resolution, dilations DILATIONS:
      y = relu(IN(conv_a(x))); y = IN(conv_b(y)); x = relu(x + y)
  nearest x2 (crop to H x W), conv4, conv5 (IN, ReLU), conv6 3x3 -> 5 + 72 (no norm)
  F = conv6[0:5], offsets of layer k = conv6[5 + 18k : 5 + 18k + 18]
  4 deformable averages of the target (same F each time):
      out(p) = sum_t w_t(p) T(q_t),  q_t = p + (dx_t, dy_t) + (ox_t(p), oy_t(p)),
      w = softmax_t(-||F(p) - F(q_t)||^2), F(q) and T(q) bilinear, q clamped to the image
  tap t = 3 (dy + 1) + (dx + 1); offsets channel 2t is x, 2t + 1 is y.
Every convolution: zero padding dil * (k - 1) / 2, weight = A[0] l + A[1] / l + B and
bias likewise, l = lambda / lambda_ref. Instance norm: per image and channel, biased
variance, eps 1e-5, affine (gamma, beta not conditioned).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DILATIONS = (1, 2, 4, 8, 16, 2, 1)
FEATURE_MAPS = 5
LAYERS = 4
EPS = 1e-5
LUMA_BGR = (0.114, 0.587, 0.299)
# Lambda ranges (min, ref, max): DecoupleLearning's sampling, ref the geometric centre.
LAMBDA = {"wls": (0.1, 1.0, 10.0), "l0": (0.002, 0.02, 0.2), "rtv": (0.002, 0.01, 0.05)}
GUIDE = {"wls": "gray", "l0": "bgr", "rtv": "bgr"}


class CondConv(nn.Module):
    """A convolution whose weight and bias are A P + B, P = (l, 1/l), per image."""

    def __init__(self, cin, cout, k=3, stride=1, dil=1):
        super().__init__()
        self.cin, self.cout, self.k, self.stride, self.dil = cin, cout, k, stride, dil
        w = torch.empty(cout, cin, k, k)
        nn.init.kaiming_uniform_(w, a=math.sqrt(5))
        self.weight_b = nn.Parameter(w)
        self.weight_a = nn.Parameter(torch.zeros(2, cout, cin, k, k))
        self.bias_b = nn.Parameter(torch.zeros(cout))
        self.bias_a = nn.Parameter(torch.zeros(2, cout))

    def weights(self, p):
        """p: N x 2 -> weights N x cout x cin x k x k, biases N x cout."""
        w = torch.einsum("np,pockl->nockl", p, self.weight_a) + self.weight_b
        b = p @ self.bias_a + self.bias_b
        return w, b

    def forward(self, x, p):
        n, _, h, wd = x.shape
        w, b = self.weights(p)
        pad = self.dil * (self.k - 1) // 2
        y = F.conv2d(x.reshape(1, n * self.cin, h, wd), w.reshape(n * self.cout, self.cin, self.k, self.k),
                     b.reshape(-1), self.stride, pad, self.dil, groups=n)
        return y.reshape(n, self.cout, y.shape[2], y.shape[3])


class Block(nn.Module):
    """Conditioned conv + affine instance norm (+ ReLU)."""

    def __init__(self, cin, cout, stride=1, dil=1, norm=True):
        super().__init__()
        self.conv = CondConv(cin, cout, 3, stride, dil)
        self.norm = norm
        if norm:
            self.norm_weight = nn.Parameter(torch.ones(cout))
            self.norm_bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x, p, relu=True):
        y = self.conv(x, p)
        if self.norm:
            y = F.instance_norm(y, weight=self.norm_weight, bias=self.norm_bias, eps=EPS)
            if relu:
                y = F.relu(y)
        return y


def coords(n, h, w, dtype=torch.float32):
    xc = ((2 * torch.arange(w, dtype=dtype) + 1) / w - 1).view(1, 1, 1, w).expand(n, 1, h, w)
    yc = ((2 * torch.arange(h, dtype=dtype) + 1) / h - 1).view(1, 1, h, 1).expand(n, 1, h, w)
    return torch.cat([xc, yc], 1)


def bilinear_at(x, qx, qy):
    """x: N x C x H x W; qx, qy: N x H x W sample positions (pixels), clamped to the image
    (= replicate border). Returns N x C x H x W."""
    n, c, h, w = x.shape
    qx = qx.clamp(0, w - 1)
    qy = qy.clamp(0, h - 1)
    x0 = torch.floor(qx)
    y0 = torch.floor(qy)
    fx = (qx - x0).unsqueeze(1)
    fy = (qy - y0).unsqueeze(1)
    x0 = x0.long()
    y0 = y0.long()
    x1 = (x0 + 1).clamp(max=w - 1)
    y1 = (y0 + 1).clamp(max=h - 1)
    flat = x.reshape(n, c, h * w)

    def g(yy, xx):
        idx = (yy * w + xx).reshape(n, 1, h * w).expand(n, c, h * w)
        return torch.gather(flat, 2, idx).view(n, c, h, w)

    return (g(y0, x0) * (1 - fx) + g(y0, x1) * fx) * (1 - fy) + (g(y1, x0) * (1 - fx) + g(y1, x1) * fx) * fy


def deformable_average(feat, target, offsets):
    """One affinity-weighted deformable average: feat N x D x H x W, target N x T x H x W,
    offsets N x 18 x H x W. Returns N x T x H x W. The 9 taps are sampled in one
    grid_sample call (align_corners=True, border padding: positions clamped to the image,
    the same as bilinear_at, which the C reference and the test compare with)."""
    n, d, h, w = feat.shape
    dt = feat.dtype
    tx = torch.tensor([t % 3 - 1 for t in range(9)], dtype=dt).view(1, 9, 1, 1)
    ty = torch.tensor([t // 3 - 1 for t in range(9)], dtype=dt).view(1, 9, 1, 1)
    px = torch.arange(w, dtype=dt).view(1, 1, 1, w)
    py = torch.arange(h, dtype=dt).view(1, 1, h, 1)
    qx = px + tx + offsets[:, 0::2]  # N x 9 x H x W
    qy = py + ty + offsets[:, 1::2]
    gx = qx * (2.0 / (w - 1)) - 1 if w > 1 else qx * 0
    gy = qy * (2.0 / (h - 1)) - 1 if h > 1 else qy * 0
    grid = torch.stack([gx, gy], -1).reshape(n, 9 * h, w, 2)
    both = torch.cat([feat, target], 1)
    s = F.grid_sample(both, grid, mode="bilinear", padding_mode="border", align_corners=True)
    s = s.view(n, d + target.shape[1], 9, h, w)
    logits = -((feat.unsqueeze(2) - s[:, :d]) ** 2).sum(1)  # N x 9 x H x W
    wgt = torch.softmax(logits, 1)
    return (wgt.unsqueeze(1) * s[:, d:]).sum(2)


def deformable_average_ref(feat, target, offsets):
    """deformable_average written tap by tap with explicit bilinear gathers (what the C
    kernel does); the tests check that both agree."""
    n, d, h, w = feat.shape
    px = torch.arange(w, dtype=feat.dtype).view(1, 1, w).expand(n, h, w)
    py = torch.arange(h, dtype=feat.dtype).view(1, h, 1).expand(n, h, w)
    both = torch.cat([feat, target], 1)
    logits, vals = [], []
    for t in range(9):
        dy, dx = t // 3 - 1, t % 3 - 1
        s = bilinear_at(both, px + dx + offsets[:, 2 * t], py + dy + offsets[:, 2 * t + 1])
        logits.append(-((feat - s[:, :d]) ** 2).sum(1))
        vals.append(s[:, d:])
    wgt = torch.softmax(torch.stack(logits, 1), 1)  # N x 9 x H x W
    return (wgt.unsqueeze(2) * torch.stack(vals, 1)).sum(1)


class Fang(nn.Module):
    def __init__(self, filt="l0", features=64, dilations=DILATIONS):
        super().__init__()
        self.filt = filt
        self.features = features
        self.dilations = tuple(dilations)
        self.cin = 1 if GUIDE[filt] == "gray" else 3
        nf = features
        self.conv1 = Block(self.cin + 2, nf)
        self.conv2 = Block(nf, nf)
        self.conv3 = Block(nf, nf, stride=2)
        for i, d in enumerate(self.dilations):
            setattr(self, "res%da" % (i + 1), Block(nf, nf, dil=d))
            setattr(self, "res%db" % (i + 1), Block(nf, nf, dil=d))
        self.conv4 = Block(nf, nf)
        self.conv5 = Block(nf, nf)
        self.conv6 = Block(nf, FEATURE_MAPS + 18 * LAYERS, norm=False)
        # start as four plain 3x3 averages: offsets 0, features small
        with torch.no_grad():
            self.conv6.conv.weight_b[FEATURE_MAPS:] = 0
            self.conv6.conv.weight_b[:FEATURE_MAPS] *= 0.1

    def lambda_ref(self):
        return LAMBDA[self.filt][1]

    def p(self, lam, n):
        lam = torch.as_tensor(lam, dtype=torch.float32).reshape(-1).expand(n) if not torch.is_tensor(lam) or \
            lam.numel() == 1 else lam.float()
        l = lam / self.lambda_ref()
        return torch.stack([l, 1 / l], 1)

    def guide_planes(self, bgr):
        """B, G, R image in [0, 1] -> the network's guide planes."""
        if self.cin == 1:
            return LUMA_BGR[0] * bgr[:, 0:1] + LUMA_BGR[1] * bgr[:, 1:2] + LUMA_BGR[2] * bgr[:, 2:3]
        return bgr

    def heads(self, guide, lam, trace=None):
        """guide: N x cin x H x W -> N x 77 x H x W (F, then the offsets)."""
        n, _, h, w = guide.shape
        p = self.p(lam, n).to(guide.dtype)
        x = torch.cat([guide, coords(n, h, w, guide.dtype)], 1)
        for name in ("conv1", "conv2", "conv3"):
            x = getattr(self, name)(x, p)
            if trace is not None:
                trace[name] = x
        for i in range(len(self.dilations)):
            y = getattr(self, "res%da" % (i + 1))(x, p)
            y = getattr(self, "res%db" % (i + 1))(y, p, relu=False)
            x = F.relu(x + y)
            if trace is not None:
                trace["res%d" % (i + 1)] = x
        x = x.repeat_interleave(2, 2).repeat_interleave(2, 3)[:, :, :h, :w]
        x = self.conv4(x, p)
        x = self.conv5(x, p)
        x = self.conv6(x, p)
        if trace is not None:
            trace["heads"] = x
        return x

    def forward(self, guide, target, lam, trace=None):
        """guide: N x cin x H x W (the network's planes), target: N x T x H x W, lam: scalar or N."""
        hd = self.heads(guide, lam, trace)
        feat = hd[:, :FEATURE_MAPS]
        t = target
        for k in range(LAYERS):
            t = deformable_average(feat, t, hd[:, FEATURE_MAPS + 18 * k:FEATURE_MAPS + 18 * (k + 1)])
            if trace is not None:
                trace["layer%d" % k] = t
        return t

    def smooth(self, bgr, lam):
        """Smoothing: guide = target = the image (N x 3 x H x W, B, G, R)."""
        return self(self.guide_planes(bgr), bgr, lam)

    def metadata(self):
        lo, ref, hi = LAMBDA[self.filt]
        return {"format": "jfilter-1", "architecture": "fang", "filter": self.filt, "scale": 1,
                "guide": GUIDE[self.filt], "guide_order": "bgr", "upsample": "pil",
                "features": self.features, "dilations": ",".join(str(d) for d in self.dilations),
                "lambda_default": "%g" % ref, "lambda_min": "%g" % lo, "lambda_max": "%g" % hi,
                "lambda_ref": "%g" % ref, "feature_maps": FEATURE_MAPS, "layers": LAYERS}

    def export_tensors(self):
        """The file's tensors (FANG_FORMAT.md): "<conv>.weight"/".bias" hold B (so the file
        reads as plain convolutions at P = 0), "<conv>.weight_a"/".bias_a" hold A (2 x ...),
        "<conv>.norm_weight"/".norm_bias" the instance norm's gamma, beta."""
        return {file_name(k): v for k, v in self.state_dict().items()}


def file_name(key):
    """State-dict key -> file tensor name: conv1.conv.weight_b -> conv1.weight."""
    blk, rest = key.split(".", 1)
    rest = {"conv.weight_b": "weight", "conv.bias_b": "bias", "conv.weight_a": "weight_a",
            "conv.bias_a": "bias_a"}.get(rest, rest)
    return blk + "." + rest


def from_tensors(tensors, meta):
    """The model a jfilter safetensors file describes (eval mode)."""
    m = Fang(meta["filter"], int(meta["features"]), [int(d) for d in meta["dilations"].split(",")])
    names = {file_name(k): k for k in m.state_dict()}
    m.load_state_dict({names[k]: v for k, v in tensors.items()})
    return m.eval()


def randomize(model, seed=0, spread=0.3):
    """Random weights of every kind (A included) for conformance fixtures, scaled so the
    offsets reach a pixel or two and the affinities are neither flat nor one-hot."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm_weight"):
                p.copy_(0.5 + torch.rand(p.shape, generator=g))
            elif name.endswith("norm_bias"):
                p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 0.4)
            else:
                fan = p.shape[-3] * p.shape[-2] * p.shape[-1] if p.dim() >= 4 else 1
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * spread * (3.0 / fan) ** 0.5)
        last = model.conv6.conv
        last.weight_b[FEATURE_MAPS:] *= 3.0
        last.bias_b[FEATURE_MAPS:] = (torch.rand(18 * LAYERS, generator=g) - 0.5) * 2.0
    return model
