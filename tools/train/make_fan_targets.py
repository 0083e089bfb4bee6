# Imitation targets for Fan et al.'s network (tools/train/fan.py): random crops of the training
# images (train_fan.load_images: RGB-D-D colour frames and scikit-image's; the validation frames
# and Lu / NYU are never read) and, for each crop, the image that minimises the smoothing
# energy itself (fan.optimise_pixels: Adam on the pixels). train_fan.py --teacher optimum then
# teaches the network to produce in one pass what the per-image optimisation reaches in
# hundreds of steps: the baseline issue 17's energy target is measured against.
# Shards of --batch crops go to OUT/shard_NNNN.npz (inputs uint8 RGB, edge maps uint8, optima
# float32 RGB in [0, 1], their energies); a rerun continues with the next shard until
# --minutes of its own wall time have passed (the last shard is always finished).
#   /usr/bin/python3 tools/train/make_fan_targets.py --out /work/train/fan_targets --minutes 60
import argparse
import glob
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fan  # noqa: E402
import train_fan  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--crop", type=int, default=64, help="square crop side")
    ap.add_argument("--batch", type=int, default=8, help="crops per shard (optimised together)")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--lr-min", type=float, default=3e-4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=100)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    log = lambda s: print(time.strftime("%H:%M:%S ") + s, flush=True)  # noqa: E731
    train, _ = train_fan.load_images(log)
    t_end = time.time() + a.minutes * 60
    while time.time() < t_end:
        k = len(glob.glob(os.path.join(a.out, "shard_*.npz")))
        rng = np.random.default_rng(a.seed + k)  # shard k's crops do not depend on earlier runs
        crops = [train_fan.random_crop(rng, train[int(rng.integers(len(train)))], a.crop, a.crop, exact=True)
                 for _ in range(a.batch)]
        crops = [c for c in crops if c.shape[:2] == (a.crop, a.crop)]
        x = torch.cat([train_fan.to_tensor(c) for c in crops])
        masks = np.stack([fan.edge_mask(c) for c in crops])
        b = torch.from_numpy(masks)[:, None]
        t0 = time.time()
        with torch.no_grad():
            e0 = [fan.energy(x[i:i + 1], x[i:i + 1], b[i:i + 1]).item() for i in range(len(crops))]
        opt, e = fan.optimise_pixels(x, b, a.steps, a.lr, a.lr_min)
        path = os.path.join(a.out, "shard_%04d.npz" % k)
        np.savez(path + ".tmp.npz", inputs=np.stack(crops), edges=masks.astype(np.uint8),
                 optima=opt.permute(0, 2, 3, 1).numpy().astype(np.float32), energy=e.numpy(),
                 energy_input=np.array(e0, np.float32))
        os.replace(path + ".tmp.npz", path)
        log("shard %d: %d crops %dx%d, energy %.1f -> %.1f (mean), %.0f s"
            % (k, len(crops), a.crop, a.crop, float(np.mean(e0)), float(e.mean()), time.time() - t0))


if __name__ == "__main__":
    main()
