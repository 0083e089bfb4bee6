# Trains Fan et al.'s smoothing network (tools/train/fan.py) without ground truth: the loss
# is the smoothing energy of its own output. Data: RGB-D-D colour frames and scikit-image's
# colour images (Lu / NYU are never read: they are held out for tools/eval/fan_energy.py).
# Resumable from <out>/last.pt; every --ckpt-minutes it saves last.pt, scores the network (BN
# in eval mode) on five RGB-D-D frames kept out of training, and keeps the best as best.pt.
# Schedule over the --minutes of wall time (counted across restarts): Adam lr --lr, x0.1 after
# --lr-drop of the time. BatchNorm: its running statistics are first measured on --calibrate
# random crops, then (default --freeze-bn 0) frozen for the whole run: training then sees the
# network exactly as inference runs it (eval mode, statistics folded). Train-mode BatchNorm with
# batch 1 normalises every crop by its own statistics, and switching to running statistics
# afterwards made the energy jump a hundredfold in a short trial run. The network starts as the
# identity (output layer zero), its output layer learns at --out-lr-mult times the rate, and
# --warmup-minutes of imitation of a teacher smoother may come first (weights/README.md says why).
# Teachers for the imitation: a classical smoother computed on the fly (--teacher bilateral or
# l0), or the energy's own per-crop minima that make_fan_targets.py precomputes (--teacher
# optimum --targets DIR): the network then learns to do in one pass what Adam on the pixels
# does in 200 steps, which is what issue 17 measures it against. The card (weights/README.md,
# fan_smooth) gives each run's command and what it reached.
import argparse
import glob
import os
import signal
import sys
import time

import cv2
import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fan  # noqa: E402
import smoothers  # noqa: E402

RGBDD = "/work/shared/data/rgbdd/rgb"
SKIMAGE = ["astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle", "hubble_deep_field", "retina",
           "immunohistochemistry", "colorwheel", "brick", "grass", "gravel"]
N_VAL = 5


def load_images(log):
    files = sorted(glob.glob(os.path.join(RGBDD, "*.jpg")) + glob.glob(os.path.join(RGBDD, "*.png")))
    imgs = [np.array(Image.open(f).convert("RGB")) for f in files]
    val, train = imgs[:N_VAL], imgs[N_VAL:]
    import skimage.data as skd
    for name in SKIMAGE:
        try:
            got = getattr(skd, name)()
        except Exception as e:  # a missing optional image only shrinks the set
            log("skimage %s: %s" % (name, e))
            continue
        for a in (got[:2] if isinstance(got, tuple) else (got,)):  # the stereo pair: both views
            if a.ndim == 2:
                a = np.stack([a] * 3, -1)
            train.append(np.ascontiguousarray(a[..., :3]).astype(np.uint8))
    log("images: %d train (%d RGB-D-D, %d scikit-image), %d validation"
        % (len(train), len(files) - N_VAL, len(train) - len(files) + N_VAL, len(val)))
    return train, val


def to_tensor(a):
    return torch.from_numpy(a.astype(np.float32) / 255.0).permute(2, 0, 1)[None].contiguous()


def random_crop(rng, img, lo, hi, exact=False):
    """A random crop with flips: sides drawn in lo..hi, or (exact) lo rows by hi columns."""
    h, w = img.shape[:2]
    if exact:
        ch, cw = min(lo, h), min(hi, w)
    else:
        ch = int(rng.integers(lo, min(hi, h) + 1))
        cw = int(rng.integers(lo, min(hi, w) + 1))
    y = int(rng.integers(0, h - ch + 1))
    x = int(rng.integers(0, w - cw + 1))
    c = img[y:y + ch, x:x + cw]
    if rng.random() < 0.5:
        c = c[:, ::-1]
    if rng.random() < 0.5:
        c = c[::-1]
    return np.ascontiguousarray(c)


def teacher_of(name, lam, crop_u8, margin):
    """The teacher's output for the centre of crop_u8 (H x W x 3 uint8, margin pixels on every
    side beyond the training crop), as 1 x 3 x h x w in [0, 1]. L0's FFT solve wraps around the
    border, so it runs on the larger crop and the margin is cut away."""
    f = crop_u8.astype(np.float32) / 255
    if name == "l0":
        out = smoothers.l0(f.astype(np.float64), lam).astype(np.float32)
    else:
        out = cv2.bilateralFilter(f, 9, 0.1, 5)
    if margin:
        out = out[margin:-margin, margin:-margin]
    return torch.from_numpy(np.ascontiguousarray(out)).permute(2, 0, 1)[None]


def load_targets(folder, log):
    """make_fan_targets.py's shards: inputs (N x h x w x 3 uint8), edge maps, optima."""
    files = sorted(glob.glob(os.path.join(folder or "", "shard_*.npz")))
    if not files:
        sys.exit("train_fan.py: --teacher optimum needs --targets with make_fan_targets.py's shards")
    got = [np.load(f) for f in files]
    t = {k: np.concatenate([g[k] for g in got]) for k in ("inputs", "edges", "optima", "energy", "energy_input")}
    log("targets: %d crops %dx%d from %d shards, energy %.1f -> %.1f (mean)"
        % (len(t["inputs"]), t["inputs"].shape[2], t["inputs"].shape[1], len(files),
           t["energy_input"].mean(), t["energy"].mean()))
    return t


def targets_batch(t, rng, n):
    """n random crops of the targets with the same random flips of input, edge map and optimum
    (the energy is symmetric under flips, so a flipped optimum is the flipped input's)."""
    xs, bs, ts = [], [], []
    for _ in range(n):
        k = int(rng.integers(len(t["inputs"])))
        a, e, o = t["inputs"][k], t["edges"][k], t["optima"][k]
        if rng.random() < 0.5:
            a, e, o = a[:, ::-1], e[:, ::-1], o[:, ::-1]
        if rng.random() < 0.5:
            a, e, o = a[::-1], e[::-1], o[::-1]
        xs.append(to_tensor(np.ascontiguousarray(a)))
        bs.append(torch.from_numpy(np.ascontiguousarray(e).astype(np.float32))[None, None])
        ts.append(torch.from_numpy(np.ascontiguousarray(o)).permute(2, 0, 1)[None])
    return xs, bs, ts


def val_crops(val, size=192):
    out = []
    for a in val:
        h, w = a.shape[:2]
        y, x = (h - size) // 2, (w - size) // 2
        c = np.ascontiguousarray(a[y:y + size, x:x + size])
        out.append((to_tensor(c), torch.from_numpy(fan.edge_mask(c))[None, None]))
    return out


def validate(model, crops):
    was = model.training
    model.eval()
    with torch.no_grad():
        e = [fan.energy(model(x), x, b).item() for x, b in crops]
    model.train(was)
    return float(np.mean(e))


def calibrate_bn(model, train, rng, n, crop):
    """Data-dependent start: every BatchNorm's running statistics set to the average over n
    random crops of the initial network, so that frozen (eval-mode) BatchNorm normalises
    from the first step and training sees the network exactly as inference runs it."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for _ in range(n):
            model(to_tensor(random_crop(rng, train[int(rng.integers(len(train)))], *crop)))
    for bn in bns:
        bn.momentum = 0.1


def set_bn_frozen(model, frozen):
    model.train()
    if frozen:
        for mod in model.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/work/train/fan")
    ap.add_argument("--minutes", type=float, default=80)
    ap.add_argument("--ckpt-minutes", type=float, default=3)
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--beta2", type=float, default=0.99)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--out-lr-mult", type=float, default=30.0)
    ap.add_argument("--warmup-minutes", type=float, default=0.0,
                    help="minutes of imitation of --teacher first, then the energy")
    ap.add_argument("--teacher", choices=("bilateral", "l0", "optimum"), default="bilateral",
                    help="bilateral: cv2.bilateralFilter(d 9, sigma_r 0.1, sigma_s 5); l0: smoothers.l0; "
                         "optimum: the per-crop energy minima in --targets (make_fan_targets.py)")
    ap.add_argument("--targets", default=None, help="make_fan_targets.py's folder (--teacher optimum)")
    ap.add_argument("--init", default=None,
                    help="start from the network of this train_fan.py checkpoint (.pt; its BatchNorm "
                         "statistics are measured anew); ignored when resuming")
    ap.add_argument("--teacher-lambda", type=float, default=0.005, help="L0's lambda")
    ap.add_argument("--teacher-loss", choices=("l1", "mse"), default="l1")
    ap.add_argument("--batch", type=int, default=1, help="crops per step, all of one size")
    ap.add_argument("--lr-drop", type=float, default=0.7)
    ap.add_argument("--freeze-bn", type=float, default=0.0,
                    help="fraction of the time after which BatchNorm is frozen (0: from the start)")
    ap.add_argument("--calibrate", type=int, default=24, help="crops for the initial BatchNorm statistics")
    ap.add_argument("--crop", type=int, nargs=2, default=(96, 224))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "train.log"), "a")

    def log(s):
        line = time.strftime("%H:%M:%S ") + s
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    train, val = load_images(log)
    targets = load_targets(args.targets, log) if args.teacher == "optimum" else None
    min_h, min_w = min(a.shape[0] for a in train), min(a.shape[1] for a in train)
    vcrops = val_crops(val)
    torch.manual_seed(args.seed)
    model = fan.FanNet()
    with torch.no_grad():
        # start at the identity: a random residual makes edges everywhere, whose L2 penalties
        # are so large that Adam's second moments (beta2) then damp every later step
        model.out.weight.zero_()
    # no weight decay: the public code's 5e-4 as Adam's L2 term is normalised like the gradient,
    # and where the energy's gradient is small it shrank every weight towards 0 at the rate lr
    # (fan5: conv5's weights 40x smaller after 119 steps, the network back at the identity)
    # the output layer at --out-lr-mult times the rate: its residual is divided by 255, so at the
    # base rate it needs thousands of steps before the output moves by one grey level
    out_params = list(model.out.parameters())
    rest = [p for n, p in model.named_parameters() if not n.startswith("out.")]
    opt = torch.optim.Adam([{"params": rest, "mult": 1.0}, {"params": out_params, "mult": args.out_lr_mult}],
                           lr=args.lr, betas=(0.9, args.beta2), weight_decay=args.weight_decay)
    if args.init and not os.path.exists(os.path.join(args.out, "last.pt")):
        model.load_state_dict(torch.load(args.init)["model"])
        log("network from %s" % args.init)
    state = {"iter": 0, "elapsed": 0.0, "best": float("inf"), "rng": None, "recalibrated": False}
    last = os.path.join(args.out, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state.update({k: ck[k] for k in ("iter", "elapsed", "best", "rng")})
        state["recalibrated"] = bool(ck.get("recalibrated", False))
        log("resumed at iter %d, %.1f min" % (state["iter"], state["elapsed"] / 60))
    rng = np.random.default_rng(args.seed + state["iter"])
    if state["rng"] is not None:
        rng.bit_generator.state = state["rng"]
    if state["iter"] == 0 and args.calibrate:
        calibrate_bn(model, train, rng, args.calibrate, args.crop)
        log("BatchNorm statistics from %d crops; validation energy %.2f" % (args.calibrate, validate(model, vcrops)))

    def save(path, extra=None):
        state["rng"] = rng.bit_generator.state
        ck = {"model": model.state_dict(), "opt": opt.state_dict(), **state, "decisions": fan.FAN_DECISIONS,
              "args": vars(args)}
        if extra:
            ck.update(extra)
        torch.save(ck, path + ".tmp")
        os.replace(path + ".tmp", path)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    total = args.minutes * 60
    t_start, t_ck = time.time(), time.time()
    base = state["elapsed"]
    run = {"loss": 0.0, "data": 0.0, "flat": 0.0, "edge": 0.0, "n": 0, "ne": 0}
    while not stop["now"]:
        elapsed = base + time.time() - t_start
        frac = elapsed / total
        if frac >= 1:
            break
        for g in opt.param_groups:
            g["lr"] = args.lr * g.get("mult", 1.0) * (0.1 if frac >= args.lr_drop else 1.0)
        frozen = frac >= args.freeze_bn
        if frozen and args.freeze_bn > 0 and not state["recalibrated"]:
            # train-mode BatchNorm until now: its running averages lag the weights, so they
            # are measured anew on the current network before it is frozen (eval mode)
            calibrate_bn(model, train, rng, max(args.calibrate, 4 * args.batch), args.crop)
            state["recalibrated"] = True
            log("BatchNorm frozen at iter %d after recalibration; validation energy %.2f"
                % (state["iter"], validate(model, vcrops)))
        set_bn_frozen(model, frozen)
        imitate = elapsed < args.warmup_minutes * 60
        margin = 16 if imitate and args.teacher == "l0" else 0
        # one size for the whole batch, so that the crops stack: no larger than the smallest
        # training image allows (random_crop would otherwise shrink that one crop alone)
        lo, hi = args.crop
        size = (min(int(rng.integers(lo, hi + 1)), min_h - 2 * margin),
                min(int(rng.integers(lo, hi + 1)), min_w - 2 * margin))
        xs, bs, ts = [], [], []
        if imitate and targets is not None:
            xs, bs, ts = targets_batch(targets, rng, args.batch)
        for _ in range(0 if xs else args.batch):
            img = train[int(rng.integers(len(train)))]
            big = random_crop(rng, img, size[0] + 2 * margin, size[1] + 2 * margin, exact=True)
            c = big[margin:big.shape[0] - margin, margin:big.shape[1] - margin]
            xs.append(to_tensor(c))
            bs.append(torch.from_numpy(fan.edge_mask(c))[None, None])
            if imitate:
                ts.append(teacher_of(args.teacher, args.teacher_lambda, big, margin))
        x, b = torch.cat(xs), torch.cat(bs)
        y = model(x)
        # the energy costs more than the network's step: while imitating it is only sampled
        # (every 10th step, the step numbers the progress line below prints included)
        need_energy = not imitate or (state["iter"] + 1) % 10 == 0
        if need_energy:
            total_e, d, f, e, _ = fan.energy(y, x, b, terms=True)
        if imitate:
            # imitation warm-up: from the identity no step of the energy leads anywhere (the
            # L2 branch's 21 x 21 spatial weights punish every new edge hard), so the network
            # first learns an edge-preserving smoother whose energy is below the identity's;
            # the energy is still logged
            diff = (y - torch.cat(ts)) * 255
            total_e = diff.abs().mean() if args.teacher_loss == "l1" else (diff * diff).mean()
        opt.zero_grad()
        total_e.backward()
        opt.step()
        state["iter"] += 1
        run["loss"] += total_e.item()
        run["n"] += 1
        if need_energy:
            for k, v in (("data", d), ("flat", f), ("edge", e)):
                run[k] += v
            run["ne"] += 1
        if state["iter"] % 20 == 0 and need_energy:
            print("iter %d  loss %.2f (data %.2f flat %.2f edge %.2f)  %dx%d"
                  % (state["iter"], total_e.item(), d, f, e, x.shape[3], x.shape[2]), flush=True)
        if time.time() - t_ck >= args.ckpt_minutes * 60:
            state["elapsed"] = base + time.time() - t_start
            v = validate(model, vcrops)
            n, ne = max(run["n"], 1), max(run["ne"], 1)
            log("iter %d  %.1f min  loss %.2f (data %.2f flat %.2f edge %.2f)  val %.2f  lr %g  bn %s"
                % (state["iter"], state["elapsed"] / 60, run["loss"] / n, run["data"] / ne, run["flat"] / ne,
                   run["edge"] / ne, v, opt.param_groups[0]["lr"], "frozen" if frozen else "train")
                + ("  (imitating %s)" % args.teacher if imitate else ""))
            run = dict.fromkeys(run, 0.0)
            if v < state["best"]:
                state["best"] = v
                save(os.path.join(args.out, "best.pt"), {"val": v})
            save(last)
            t_ck = time.time()
    state["elapsed"] = base + time.time() - t_start
    v = validate(model, vcrops)
    if v < state["best"]:
        state["best"] = v
        save(os.path.join(args.out, "best.pt"), {"val": v})
    save(last)
    log("stopped at iter %d, %.1f min, val %.2f (best %.2f)" % (state["iter"], state["elapsed"] / 60, v, state["best"]))


if __name__ == "__main__":
    main()
