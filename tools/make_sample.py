# Renders the small synthetic RGB-D scene shipped in weights/sample/ (our own data, no
# third-party images): a ray-cast room with a textured wall, a checkered floor, a box and
# two spheres. Writes guide.png (RGB), depth_gt.png and depth_low.png (x8, 16-bit).
"""Render weights/sample/{guide,depth_gt,depth_low}.png deterministically.

Depth is the camera z distance mapped linearly from [Z_NEAR, Z_FAR] to [0, 1] and stored as
16-bit (0..65535). depth_low.png is the x8 downsampling of the float depth with PIL bicubic
(antialiased, the degradation the FDKN/DKN models were trained on), rounded to 16 bits.
"""
import argparse
import os

import numpy as np
from PIL import Image

W, H = 256, 192           # multiples of 8 (and 16) so every scale divides evenly
SCALE = 8
Z_NEAR, Z_FAR = 1.2, 8.0
FOCAL = 1.1               # focal length in units of the image half-width


def intersect_scene(o, d, rng_cols):
    """Nearest hit along rays o + t d: returns t, unit normal and albedo per ray."""
    n = d.shape[0]
    t_best = np.full(n, np.inf)
    normal = np.zeros((n, 3))
    albedo = np.zeros((n, 3))

    def take(t, nrm, col):
        hit = (t > 1e-6) & (t < t_best)
        t_best[hit] = t[hit]
        normal[hit] = nrm[hit] if nrm.ndim == 2 else nrm
        albedo[hit] = col[hit] if col.ndim == 2 else col

    # Back wall, tilted so depth varies smoothly across it: plane n.x = c.
    wn = np.array([0.25, 0.0, -1.0]) / np.linalg.norm([0.25, 0.0, -1.0])
    t = (6.0 * wn[2] - o @ wn) / (d @ wn)  # plane through (0, 0, 6)
    p = o + t[:, None] * d
    stripes = 0.5 + 0.5 * np.sign(np.sin(p[:, 0] * 5.0))
    wall = np.stack([0.55 + 0.3 * stripes, 0.5 + 0.1 * stripes, 0.35 + 0.0 * stripes], 1)
    take(t, wn, wall)

    # Floor y = 1 (y points down in camera space), checkered.
    t = (1.0 - o[:, 1]) / np.where(np.abs(d[:, 1]) < 1e-9, 1e-9, d[:, 1])
    p = o + t[:, None] * d
    check = (np.floor(p[:, 0] * 2) + np.floor(p[:, 2] * 2)) % 2
    floor = np.stack([0.25 + 0.5 * check, 0.3 + 0.45 * check, 0.35 + 0.3 * check], 1)
    take(t, np.array([0.0, -1.0, 0.0]), floor)

    # Spheres: (centre, radius, base colour).
    for centre, radius, col in (((-0.9, 0.25, 3.6), 0.75, rng_cols[0]), ((0.35, 0.6, 2.3), 0.4, rng_cols[1])):
        c = np.array(centre)
        oc = o - c
        b = (oc * d).sum(1)
        disc = b * b - ((oc * oc).sum(1) - radius * radius)
        t = np.where(disc > 0, -b - np.sqrt(np.maximum(disc, 0)), np.inf)
        p = o + t[:, None] * d
        nrm = (p - c) / radius
        # Latitude bands give the sphere texture that the depth does not have.
        band = 0.75 + 0.25 * np.sign(np.sin(nrm[:, 1] * 9.0))
        take(t, nrm, np.asarray(col)[None] * band[:, None])

    # Axis-aligned box by the slab method.
    lo, hi = np.array([0.55, -0.1, 2.6]), np.array([1.45, 1.0, 3.4])
    inv = 1.0 / np.where(np.abs(d) < 1e-9, 1e-9, d)
    t0, t1 = (lo - o) * inv, (hi - o) * inv
    tmin, tmax = np.minimum(t0, t1), np.maximum(t0, t1)
    tn, tf = tmin.max(1), tmax.min(1)
    t = np.where((tn <= tf) & (tf > 0), tn, np.inf)
    axis = tmin.argmax(1)
    nrm = np.zeros((n, 3))
    nrm[np.arange(n), axis] = -np.sign(d[np.arange(n), axis])
    p = o + t[:, None] * d
    grid = ((np.floor(p[:, 0] * 8) + np.floor(p[:, 1] * 8) + np.floor(p[:, 2] * 8)) % 2)
    take(t, nrm, np.asarray(rng_cols[2])[None] * (0.7 + 0.3 * grid)[:, None])
    return t_best, normal, albedo


def render(w, h, sub, rng_cols):
    """Casts sub x sub rays per pixel: returns mean colour and the centre ray's depth."""
    off = (np.arange(sub) + 0.5) / sub
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    cols = []
    for dy in off:
        for dx in off:
            x = (xs + dx - w / 2) / (w / 2) / FOCAL
            y = (ys + dy - h / 2) / (w / 2) / FOCAL
            d = np.stack([x.ravel(), y.ravel(), np.ones(x.size)], 1)
            d /= np.linalg.norm(d, axis=1, keepdims=True)
            o = np.zeros_like(d)
            t, nrm, alb = intersect_scene(o, d, rng_cols)
            light = np.array([-0.5, -0.8, -0.6])
            light /= np.linalg.norm(light)
            shade = 0.3 + 0.7 * np.clip((nrm * light).sum(1), 0, 1)
            cols.append(alb * shade[:, None])
    rgb = np.mean(cols, 0).reshape(h, w, 3)
    # Depth at pixel centres: no mixed depths across edges, as a sensor's ground truth would be.
    x = (xs + 0.5 - w / 2) / (w / 2) / FOCAL
    y = (ys + 0.5 - h / 2) / (w / 2) / FOCAL
    d = np.stack([x.ravel(), y.ravel(), np.ones(x.size)], 1)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    t, _, _ = intersect_scene(np.zeros_like(d), d, rng_cols)
    z = (t * d[:, 2]).reshape(h, w)
    return rgb, z


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "weights", "sample"))
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    rng_cols = rng.uniform(0.3, 0.95, size=(3, 3))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # misses give inf * 0
        rgb, z = render(W, H, 2, rng_cols)
    depth = np.clip((z - Z_NEAR) / (Z_FAR - Z_NEAR), 0.0, 1.0).astype(np.float32)
    low = np.asarray(Image.fromarray(depth, mode="F").resize((W // SCALE, H // SCALE), Image.BICUBIC))

    def u16(a):
        return Image.fromarray(np.round(np.clip(a, 0, 1) * 65535).astype(np.uint16))

    os.makedirs(args.out, exist_ok=True)
    Image.fromarray(np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(
        os.path.join(args.out, "guide.png"), optimize=True)
    u16(depth).save(os.path.join(args.out, "depth_gt.png"), optimize=True)
    u16(low).save(os.path.join(args.out, "depth_low.png"), optimize=True)
    for name in ("guide.png", "depth_gt.png", "depth_low.png"):
        path = os.path.join(args.out, name)
        im = Image.open(path)
        print("%s %s %dx%d %d bytes" % (path, im.mode, im.size[0], im.size[1], os.path.getsize(path)))


if __name__ == "__main__":
    main()
