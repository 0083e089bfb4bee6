"""smoothers.py - the ground-truth smoothers that the Fang et al. models imitate.

All three take a float image in [0, 1] (H x W gray or H x W x 3, any channel order;
the edge-aware weights come from the image itself) and return a float64 image of
the same shape. Lambda means what it means in the authors' own code:

- wls(img, lam): Farbman et al. 2008, "Edge-preserving decompositions for multi-scale
  tone and detail manipulation" (their wlsFilter.m): minimise
  sum (u - g)^2 + lam * sum_p (a_x(p) (du/dx)^2 + a_y(p) (du/dy)^2) with
  a = (|d log L| ^ alpha + eps)^-1, alpha = 1.2, eps = 1e-4, L the luma
  (0.299 R + 0.587 G + 0.114 B, or the image when gray) + 1e-4. Every colour channel
  is smoothed with the same luma weights (one factorisation, one solve per channel).
- l0(img, lam): Xu et al. 2011, "Image smoothing via L0 gradient minimization": their
  half-quadratic splitting with FFT solves (periodic boundary, forward differences,
  beta from 2 lam, times kappa = 2 until 1e5), as their L0Smoothing.m does. Not OpenCV
  contrib's cv2.ximgproc.l0Smooth: the one Debian ships (4.6) writes into its input and
  on small images (96 x 96 crops) returns results whose L0 objective is 30-300x higher
  than this one's, values down to -2 (tests/test_smoothers.py keeps the check).
- rtv(img, lam): Xu et al. 2012, "Structure extraction from texture via relative total
  variation" (their tsmooth.m): sigma 3, sharpness (eps_s) 0.02, 4 iterations with sigma
  halved each time (not under 0.5), the solve's lambda = lam / 2 as in tsmooth.m;
  Gaussian low-pass with a (round(5 sigma) | 1)-tap separable kernel, zero outside the
  image as MATLAB's conv2 'same'.

Both sparse smoothers solve (I + lam L_w) u = g, L_w the weighted 4-neighbour
Laplacian (edge weights w_x between (i, j) and (i, j+1), w_y between (i, j) and
(i+1, j)), with SciPy's sparse LU.
"""
import numpy as np
import scipy.ndimage
import scipy.sparse
import scipy.sparse.linalg

LUMA = (0.299, 0.587, 0.114)  # for R, G, B


def _solve(g, wx, wy, lam):
    """u = (I + lam L) ^-1 g for every channel of g; wx: H x (W-1), wy: (H-1) x W."""
    h, w = g.shape[:2]
    n = h * w
    idx = np.arange(n).reshape(h, w)
    ex = lam * wx.ravel()
    ey = lam * wy.ravel()
    ia = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    ib = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    e = np.concatenate([ex, ey])
    diag = np.ones(n)
    np.add.at(diag, ia, e)
    np.add.at(diag, ib, e)
    a = scipy.sparse.coo_matrix(
        (np.concatenate([diag, -e, -e]), (np.concatenate([np.arange(n), ia, ib]),
                                          np.concatenate([np.arange(n), ib, ia]))),
        shape=(n, n)).tocsc()
    lu = scipy.sparse.linalg.splu(a)
    g2 = g.reshape(n, -1).astype(np.float64)
    out = np.stack([lu.solve(g2[:, c]) for c in range(g2.shape[1])], axis=1)
    return out.reshape(g.shape)


def luma(img, order="rgb"):
    """Luma of an H x W x 3 image (channel order 'rgb' or 'bgr'); a gray image as is."""
    img = np.asarray(img, np.float64)
    if img.ndim == 2:
        return img
    c = LUMA if order == "rgb" else LUMA[::-1]
    return img[..., 0] * c[0] + img[..., 1] * c[1] + img[..., 2] * c[2]


def wls(img, lam, alpha=1.2, eps=1e-4, order="rgb"):
    img = np.asarray(img, np.float64)
    lg = np.log(luma(img, order) + 1e-4)
    wx = 1.0 / (np.abs(np.diff(lg, axis=1)) ** alpha + eps)
    wy = 1.0 / (np.abs(np.diff(lg, axis=0)) ** alpha + eps)
    return _solve(img, wx, wy, lam)


def l0(img, lam, kappa=2.0, beta_max=1e5):
    img = np.asarray(img, np.float64)
    s = img[..., None] if img.ndim == 2 else img.copy()
    h, w = s.shape[:2]
    # transfer functions of the forward differences s(x+1) - s(x) along x and y
    dx = np.exp(2j * np.pi * np.fft.fftfreq(w))[None, :] - 1
    dy = np.exp(2j * np.pi * np.fft.fftfreq(h))[:, None] - 1
    dd = (np.abs(dx) ** 2 + np.abs(dy) ** 2)[..., None]
    f_img = np.fft.fft2(s, axes=(0, 1))
    beta = 2.0 * lam
    while beta < beta_max:
        # the auxiliary gradients: kept where their energy pays for the L0 count, else 0
        gx = np.roll(s, -1, axis=1) - s
        gy = np.roll(s, -1, axis=0) - s
        flat = (gx * gx + gy * gy).sum(axis=2) < lam / beta
        gx[flat] = 0
        gy[flat] = 0
        num = f_img + beta * (np.conj(dx)[..., None] * np.fft.fft2(gx, axes=(0, 1))
                              + np.conj(dy)[..., None] * np.fft.fft2(gy, axes=(0, 1)))
        s = np.real(np.fft.ifft2(num / (1 + beta * dd), axes=(0, 1)))
        beta *= kappa
    return s[..., 0] if img.ndim == 2 else s


def _gauss(img, sigma):
    """MATLAB conv2_sep of tsmooth.m: ksize = round(5 sigma) | 1, zero outside."""
    ksize = int(round(5 * sigma)) | 1
    x = np.arange(ksize) - (ksize - 1) / 2
    g = np.exp(-x * x / (2 * sigma * sigma))
    g /= g.sum()
    out = scipy.ndimage.convolve1d(img, g, axis=0, mode="constant")
    return scipy.ndimage.convolve1d(out, g, axis=1, mode="constant")


def _rtv_weights(x, sigma, sharpness):
    """computeTextureWeights of tsmooth.m (edge weights between neighbours)."""
    x3 = x if x.ndim == 3 else x[..., None]
    c = x3.shape[2]
    fx = np.zeros_like(x3)
    fy = np.zeros_like(x3)
    fx[:, :-1] = np.diff(x3, axis=1)
    fy[:-1, :] = np.diff(x3, axis=0)
    wto = 1.0 / np.maximum(np.sqrt(fx ** 2 + fy ** 2).sum(2) / c, sharpness)
    fb = np.stack([_gauss(x3[..., k], sigma) for k in range(c)], axis=2)
    gfx = np.zeros_like(fb)
    gfy = np.zeros_like(fb)
    gfx[:, :-1] = np.diff(fb, axis=1)
    gfy[:-1, :] = np.diff(fb, axis=0)
    wtbx = 1.0 / np.maximum(np.abs(gfx).sum(2) / c, 0.001)
    wtby = 1.0 / np.maximum(np.abs(gfy).sum(2) / c, 0.001)
    return (wtbx * wto)[:, :-1], (wtby * wto)[:-1, :]


def rtv(img, lam, sigma=3.0, sharpness=0.02, iters=4):
    img = np.asarray(img, np.float64)
    x = img
    s = sigma
    for _ in range(iters):
        wx, wy = _rtv_weights(x, s, sharpness)
        x = _solve(img, wx, wy, lam / 2.0)
        s = max(s / 2.0, 0.5)
    return x


SMOOTHERS = {"wls": wls, "l0": l0, "rtv": rtv}

# Lambda ranges as the closest public relative samples them (DecoupleLearning's
# training_data_generation.m): lambda = centre * exp(U(-ln r, ln r)).
LAMBDA_RANGE = {"wls": (1.0, 10.0), "l0": (0.02, 10.0), "rtv": (0.01, 5.0)}  # (centre, r)


def lambda_limits(name):
    centre, r = LAMBDA_RANGE[name]
    return centre / r, centre, centre * r


def sample_lambda(name, rng):
    centre, r = LAMBDA_RANGE[name]
    return float(centre * np.exp(rng.uniform(-np.log(r), np.log(r))))
