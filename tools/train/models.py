# PyTorch definitions of the jfilter networks (FDKN, DKN, SVLRM, DAGF), written from the
# semantics in the project's conformance notes; parameter names match what the C
# loader expects in a jfilter safetensors file. Used for training and as a reference runner.
# DAGF lives in dagf.py (training model, exporter and the file-only reference runner).
import torch
import torch.nn as nn
import torch.nn.functional as F

from dagf import DAGF, DAGFInference  # noqa: F401  (own file: as long as the rest together)

LUMA = (0.299, 0.587, 0.114)  # R, G, B weights of the gray guidance


def rgb_to_gray(rgb):
    """rgb: N x 3 x H x W in R, G, B order, floats in [0, 1] -> N x 1 x H x W."""
    return LUMA[0] * rgb[:, 0:1] + LUMA[1] * rgb[:, 1:2] + LUMA[2] * rgb[:, 2:3]


def space_to_depth(x, r):
    # F.pixel_unshuffle puts pixel (r*y+a, r*x+b) of plane C in channel C*r*r + r*a + b,
    # the layout the reference's resampling used.
    return F.pixel_unshuffle(x, r)


def deformable_average(depth, weight, offset, k=3, d=15):
    """Weighted average of k*k bilinear samples taken inside the d x d window of each pixel.

    depth: N x 1 x H x W; weight: N x k*k x H x W; offset: N x 2*k*k x H x W.
    Kernel position (i, j) uses weight channel c = k*i + j and offsets 2c (x), 2c+1 (y).
    Window coordinates (0..d-1) of the sample: u = (h + i + ox) * (d-1)/d along x,
    v = (h + j + oy) * (d-1)/d along y, with h = d//2; i moves along x. That odd scaling is
    what the reference's align_corners=True grid over the window produced.
    Taps falling outside the window or the image read 0. Implemented with gathers on the
    whole image instead of unfolding d*d patches, which keeps memory at O(k*k*H*W).
    """
    n, _, hgt, wid = depth.shape
    h = d // 2
    dev, dt = depth.device, depth.dtype
    ii = torch.arange(k, device=dev, dtype=dt).repeat_interleave(k)  # c -> i
    jj = torch.arange(k, device=dev, dtype=dt).repeat(k)              # c -> j
    ox = offset[:, 0::2]
    oy = offset[:, 1::2]
    scale = (d - 1) / d
    u = (h + ii.view(1, -1, 1, 1) + ox) * scale
    v = (h + jj.view(1, -1, 1, 1) + oy) * scale
    u0 = torch.floor(u)
    v0 = torch.floor(v)
    fu = u - u0
    fv = v - v0
    u0 = u0.detach().long()
    v0 = v0.detach().long()
    px = torch.arange(wid, device=dev).view(1, 1, 1, wid)
    py = torch.arange(hgt, device=dev).view(1, 1, hgt, 1)
    flat = depth.reshape(n, 1, hgt * wid).expand(n, k * k, hgt * wid)
    out = 0
    for du, wu in ((0, 1 - fu), (1, fu)):
        for dv, wv in ((0, 1 - fv), (1, fv)):
            uu = u0 + du
            vv = v0 + dv
            xi = px + uu - h
            yi = py + vv - h
            ok = (uu >= 0) & (uu < d) & (vv >= 0) & (vv < d) & \
                 (xi >= 0) & (xi < wid) & (yi >= 0) & (yi < hgt)
            idx = (yi.clamp(0, hgt - 1) * wid + xi.clamp(0, wid - 1)).reshape(n, k * k, -1)
            val = torch.gather(flat, 2, idx).view(n, k * k, hgt, wid)
            out = out + val * (wu * wv) * ok.to(dt)
    return (out * weight).sum(1, keepdim=True)


def normalize_kernel(weight, residual):
    # Residual models learn a correction to the upsampled depth: zero-mean kernels.
    if residual:
        return weight - weight.mean(1, keepdim=True)
    return weight / weight.sum(1, keepdim=True)


class FDKNBranch(nn.Module):
    """One FDKN feature branch on the 4x space-to-depth planes (16 input channels)."""

    def __init__(self, k=3):
        super().__init__()
        self.conv1 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv1_bn = nn.BatchNorm2d(32, eps=1e-5)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3_bn = nn.BatchNorm2d(64, eps=1e-5)
        self.conv4 = nn.Conv2d(64, 64, 3, padding=1)
        self.conv5 = nn.Conv2d(64, 128, 3, padding=1)
        self.conv5_bn = nn.BatchNorm2d(128, eps=1e-5)
        self.conv6 = nn.Conv2d(128, 128, 3, padding=1)
        self.conv_weight = nn.Conv2d(128, 16 * k * k, 1)
        self.conv_offset = nn.Conv2d(128, 32 * k * k, 1)

    def forward(self, x):
        x = F.relu(self.conv1_bn(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3_bn(self.conv3(x)))
        x = F.relu(self.conv4(x))
        x = F.relu(self.conv5_bn(self.conv5(x)))
        x = F.relu(self.conv6(x))
        return torch.sigmoid(self.conv_weight(x)), self.conv_offset(x)


class FDKN(nn.Module):
    """Fast deformable kernel network. forward(gray, depth_up): both N x 1 x H x W in [0, 1],
    H and W multiples of 4; depth_up is the low-res depth already upsampled to H x W."""

    arch = "fdkn"

    def __init__(self, k=3, d=15, residual=True):
        super().__init__()
        self.k, self.d, self.residual = k, d, residual
        self.ImageKernel = FDKNBranch(k)
        self.DepthKernel = FDKNBranch(k)

    def kernels(self, gray, depth_up):
        wi, oi = self.ImageKernel(space_to_depth(gray, 4))
        wd, od = self.DepthKernel(space_to_depth(depth_up, 4))
        weight = F.pixel_shuffle(wi * wd, 4)
        offset = F.pixel_shuffle(oi * od, 4)
        return normalize_kernel(weight, self.residual), offset

    def forward(self, gray, depth_up):
        weight, offset = self.kernels(gray, depth_up)
        out = deformable_average(depth_up, weight, offset, self.k, self.d)
        return out + depth_up if self.residual else out


class DKNBranch(nn.Module):
    """DKN branch run densely: the stride-2 layers become stride 1 and every later layer is
    dilated, which equals the reference's shift-and-stitch over the 4 x 4 shifts."""

    def __init__(self, cin, k=3):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, 32, 7)
        self.conv1_bn = nn.BatchNorm2d(32, eps=1e-5)
        self.conv2 = nn.Conv2d(32, 32, 2, stride=2)
        self.conv3 = nn.Conv2d(32, 64, 5)
        self.conv3_bn = nn.BatchNorm2d(64, eps=1e-5)
        self.conv4 = nn.Conv2d(64, 64, 2, stride=2)
        self.conv5 = nn.Conv2d(64, 128, 5)
        self.conv5_bn = nn.BatchNorm2d(128, eps=1e-5)
        self.conv6 = nn.Conv2d(128, 128, 3)
        self.conv7 = nn.Conv2d(128, 128, 3)
        self.conv_weight = nn.Conv2d(128, k * k, 1)
        self.conv_offset = nn.Conv2d(128, 2 * k * k, 1)

    @staticmethod
    def _conv(layer, x, dil):
        return F.conv2d(x, layer.weight, layer.bias, 1, 0, dil)

    def forward(self, x):
        # Receptive field 50 x 50 starting 25 pixels up/left of the output pixel.
        x = F.pad(x, (25, 24, 25, 24))
        x = F.relu(self.conv1_bn(self._conv(self.conv1, x, 1)))
        x = F.relu(self._conv(self.conv2, x, 1))
        x = F.relu(self.conv3_bn(self._conv(self.conv3, x, 2)))
        x = F.relu(self._conv(self.conv4, x, 2))
        x = F.relu(self.conv5_bn(self._conv(self.conv5, x, 4)))
        x = F.relu(self._conv(self.conv6, x, 4))
        x = F.relu(self._conv(self.conv7, x, 4))
        return torch.sigmoid(self.conv_weight(x)), self.conv_offset(x)


class DKN(nn.Module):
    """Deformable kernel network. forward(bgr, depth_up): guidance in B, G, R plane order."""

    arch = "dkn"

    def __init__(self, k=3, d=15, residual=True):
        super().__init__()
        self.k, self.d, self.residual = k, d, residual
        self.ImageKernel = DKNBranch(3, k)
        self.DepthKernel = DKNBranch(1, k)

    def kernels(self, bgr, depth_up):
        wi, oi = self.ImageKernel(bgr)
        wd, od = self.DepthKernel(depth_up)
        return normalize_kernel(wi * wd, self.residual), oi * od

    def forward(self, bgr, depth_up):
        weight, offset = self.kernels(bgr, depth_up)
        out = deformable_average(depth_up, weight, offset, self.k, self.d)
        return out + depth_up if self.residual else out


class SVLRM(nn.Module):
    """Spatially variant linear representation: predicts per-pixel alpha, beta and
    returns alpha * guide + beta. forward(depth_up, guide): N x 1 x H x W each."""

    arch = "svlrm"

    def __init__(self, layers=10, activation="leaky_relu", negative_slope=0.1):
        super().__init__()
        self.n_layers = layers
        self.activation = activation
        self.negative_slope = negative_slope
        convs = [nn.Conv2d(2, 64, 3, padding=1)]
        convs += [nn.Conv2d(64, 64, 3, padding=1) for _ in range(layers)]
        convs.append(nn.Conv2d(64, 2, 3, padding=1))
        self.layers = nn.ModuleList(convs)

    def coefficients(self, depth_up, guide):
        x = torch.cat([depth_up, guide], 1)
        for n, conv in enumerate(self.layers):
            x = conv(x)
            if n + 1 < len(self.layers):
                if self.activation == "relu":
                    x = F.relu(x)
                else:
                    x = F.leaky_relu(x, self.negative_slope)
        return x[:, 0:1], x[:, 1:2]

    def forward(self, depth_up, guide):
        alpha, beta = self.coefficients(depth_up, guide)
        return alpha * guide + beta


def build(arch, **kw):
    return {"fdkn": FDKN, "dkn": DKN, "svlrm": SVLRM, "dagf": DAGF}[arch](**kw)
