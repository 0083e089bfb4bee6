# Training data for the jfilter networks: loads RGB-D-D pairs, makes the degraded
# low-resolution inputs once per scale (the way each model's reference did), and serves
# random aligned crops with flips/transposes. Also holds the resamplers shared with tools/eval.py.
import glob
import os

import numpy as np
import torch
from PIL import Image

LUMA = (0.299, 0.587, 0.114)


def gray_float(rgb_u8):
    """Float luma in [0, 1] from an H x W x 3 uint8 RGB array (FDKN's guidance)."""
    rgb = rgb_u8.astype(np.float32) / 255.0
    return (LUMA[0] * rgb[..., 0] + LUMA[1] * rgb[..., 1] + LUMA[2] * rgb[..., 2]).astype(np.float32)


def gray_u8(rgb_u8):
    """OpenCV's 8-bit BGR2GRAY: 14-bit fixed point with rounding (SVLRM's guidance)."""
    r, g, b = (rgb_u8[..., i].astype(np.int32) for i in range(3))
    return ((r * 4899 + g * 9617 + b * 1868 + (1 << 13)) >> 14).astype(np.uint8)


def pil_resize_f(img, w, h):
    """PIL bicubic (Keys a=-0.5, antialiased when shrinking) on a float image."""
    return np.array(Image.fromarray(img.astype(np.float32), mode="F").resize((w, h), Image.BICUBIC),
                      dtype=np.float32)


def _cv_cubic_matrix(n_in, n_out):
    # OpenCV INTER_CUBIC along one axis: half-pixel centres, a = -0.75, border replicated.
    a = -0.75
    scale = n_in / n_out
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    x0 = np.floor(src).astype(np.int64)
    t = src - x0
    w = np.stack([
        ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
        ((a + 2) * t - (a + 3)) * t * t + 1,
        ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
        0.0 * t,
    ], 1)
    w[:, 3] = 1.0 - w[:, 0] - w[:, 1] - w[:, 2]
    m = np.zeros((n_out, n_in), np.float64)
    for k in range(4):
        idx = np.clip(x0 - 1 + k, 0, n_in - 1)
        np.add.at(m, (np.arange(n_out), idx), w[:, k])
    return m


def cv_resize_cubic_f(img, w, h):
    """OpenCV-style bicubic resize of a float image (separable, no antialiasing)."""
    my = _cv_cubic_matrix(img.shape[0], h)
    mx = _cv_cubic_matrix(img.shape[1], w)
    return (my @ img.astype(np.float64) @ mx.T).astype(np.float32)


def degrade(gt, scale, upsample):
    """Low-res input upsampled back to full size, both float, for one depth map in [0, 1].

    pil: PIL bicubic down (antialiased) then PIL bicubic up, as DKN/FDKN were trained.
    opencv: plain subsampling gt[s-1::s, s-1::s] then OpenCV bicubic up, as SVLRM was.
    """
    h, w = gt.shape
    if upsample == "pil":
        low = pil_resize_f(gt, w // scale, h // scale)
        return pil_resize_f(low, w, h)
    low = gt[scale - 1::scale, scale - 1::scale]
    return cv_resize_cubic_f(low, w, h)


def guide_planes(rgb_u8, guide):
    """Guidance planes as the network sees them: C x H x W float32 in [0, 1]."""
    if guide == "gray":
        return gray_float(rgb_u8)[None]
    if guide == "gray_u8":
        return (gray_u8(rgb_u8).astype(np.float32) / 255.0)[None]
    # bgr: the reference read colour with OpenCV, so planes arrive as B, G, R.
    return (rgb_u8[..., ::-1].astype(np.float32) / 255.0).transpose(2, 0, 1).copy()


class RGBDD:
    """All RGB-D-D pairs in memory: guidance, ground truth and degraded input per image."""

    def __init__(self, root, scale, guide, upsample, limit=None, log=print, hard=0.0):
        rgbs = sorted(glob.glob(os.path.join(root, "rgb", "*_RGB.jpg")))
        if limit:
            rgbs = rgbs[:limit]
        self.guides, self.gts, self.ups = [], [], []
        for path in rgbs:
            stem = os.path.basename(path)[:-len("_RGB.jpg")]
            dpath = os.path.join(root, "depth", stem + "_HR_gt.png")
            rgb = np.asarray(Image.open(path).convert("RGB"))
            depth = np.asarray(Image.open(dpath), dtype=np.float32)
            # Per-image min-max normalisation: the networks work on relative depth in [0, 1].
            lo, hi = float(depth.min()), float(depth.max())
            gt = ((depth - lo) / max(hi - lo, 1e-6)).astype(np.float32)
            h, w = gt.shape
            h, w = h - h % scale, w - w % scale
            gt = gt[:h, :w]
            self.guides.append(guide_planes(rgb[:h, :w], guide))
            self.gts.append(gt)
            self.ups.append(degrade(gt, scale, upsample))
        self.scale = scale
        self.symmetric = upsample == "pil"  # PIL's antialiased down/up is mirror-symmetric
        # Fraction of crops drawn in proportion to how far the degraded input is from the
        # truth inside them. Most of a depth map is smooth, where bicubic is already right
        # and a crop teaches little; this spends a small CPU budget on edges instead.
        self.hard = hard
        self._weights = {}
        log("loaded %d pairs from %s (scale %d, %s upsampling)" % (len(self.gts), root, scale, upsample))

    def __len__(self):
        return len(self.gts)

    def _crop_weights(self, crop, step):
        """Per image: (flat error mass of every crop position on the step grid, grid width)."""
        if crop not in self._weights:
            table = []
            for gt, up in zip(self.gts, self.ups):
                err = np.abs(gt - up).astype(np.float64)
                ii = np.zeros((err.shape[0] + 1, err.shape[1] + 1))
                ii[1:, 1:] = err.cumsum(0).cumsum(1)
                ys = np.arange(0, err.shape[0] - crop + 1, step)
                xs = np.arange(0, err.shape[1] - crop + 1, step)
                mass = (ii[ys[:, None] + crop, xs[None, :] + crop] - ii[ys[:, None], xs[None, :] + crop]
                        - ii[ys[:, None] + crop, xs[None, :]] + ii[ys[:, None], xs[None, :]])
                table.append((mass.ravel(), len(xs)))
            totals = np.array([m.sum() for m, _ in table])
            self._weights[crop] = (table, totals / totals.sum())
        return self._weights[crop]

    def _position(self, rng, crop, step):
        """Image index and crop corner: uniform, or weighted by error with probability hard."""
        if self.hard > 0 and rng.random() < self.hard:
            table, pimg = self._crop_weights(crop, step)
            k = int(rng.choice(len(table), p=pimg))
            mass, nx = table[k]
            j = int(rng.choice(len(mass), p=mass / mass.sum()))
            return k, (j // nx) * step, (j % nx) * step
        k = int(rng.integers(len(self.gts)))
        h, w = self.gts[k].shape
        y = rng.integers((h - crop) // step + 1) * step
        x = rng.integers((w - crop) // step + 1) * step
        return k, y, x

    def batch(self, rng, n, crop):
        """n random crops of crop x crop. Offsets are multiples of the scale (and of 4) so the
        degradation grid lines up with the space-to-depth grid the way it does at test time."""
        step = int(np.lcm(self.scale, 4))
        gs, us, ts = [], [], []
        for _ in range(n):
            k, y, x = self._position(rng, crop, step)
            g = self.guides[k][:, y:y + crop, x:x + crop]
            u = self.ups[k][None, y:y + crop, x:x + crop]
            t = self.gts[k][None, y:y + crop, x:x + crop]
            # Flips and transposes keep the degradation's grid aligned (sizes are multiples
            # of the scale), so they are free extra data; but a flip mirrors the misalignment
            # of corner subsampling (the input lies (s-1)/2 px up-left of the truth), which
            # would ask one network for opposite shifts. Transposes keep it, so that
            # degradation gets only those.
            if self.symmetric and rng.random() < 0.5:
                g, u, t = g[:, :, ::-1], u[:, :, ::-1], t[:, :, ::-1]
            if self.symmetric and rng.random() < 0.5:
                g, u, t = g[:, ::-1], u[:, ::-1], t[:, ::-1]
            if rng.random() < 0.5:
                g, u, t = (a.transpose(0, 2, 1) for a in (g, u, t))
            gs.append(np.ascontiguousarray(g))
            us.append(np.ascontiguousarray(u))
            ts.append(np.ascontiguousarray(t))
        return (torch.from_numpy(np.stack(gs)), torch.from_numpy(np.stack(us)),
                torch.from_numpy(np.stack(ts)))
