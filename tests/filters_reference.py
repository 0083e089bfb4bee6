#!/usr/bin/env python3
"""filters_reference.py - OpenCV references for tests/test_filters_ops.c.

Usage: filters_reference.py SHARED_DATA_DIR OUT_DIR

Runs cv2.ximgproc.guidedFilter, cv2.ximgproc.jointBilateralFilter and
cv2.resize(INTER_CUBIC) on real images (../shared/data/lu) and writes each
input and result as float32 .npy in normalized units (8-bit / 255), plus a
float64 guided-filter reference for a colour guide at small eps, where
OpenCV's own float32 colour path is known to drift. Exits 3 when cv2 lacks
ximgproc, so the C test can try another interpreter."""
import os
import sys

import numpy as np

try:
    import cv2
    cv2.ximgproc.guidedFilter  # noqa: B018  (the contrib module is required)
except Exception as e:  # pragma: no cover - reported to the C test
    print("no cv2.ximgproc in %s: %s" % (sys.executable, e), file=sys.stderr)
    sys.exit(3)

cv2.setNumThreads(1)
data, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def save(name, a):
    np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(a, dtype=np.float32))


def box64(x, r):
    return cv2.boxFilter(x, cv2.CV_64F, (2 * r + 1, 2 * r + 1), normalize=True,
                         borderType=cv2.BORDER_REFLECT)


def guided_colour64(I, p, r, eps):
    """The guided filter in float64 (He et al., eq. 19-21), same borders as OpenCV."""
    I = I.astype(np.float64)
    p = p.astype(np.float64)
    mI = [box64(I[..., i], r) for i in range(3)]
    mp = box64(p, r)
    S = np.empty(p.shape + (3, 3))
    c = np.empty(p.shape + (3,))
    for i in range(3):
        c[..., i] = box64(I[..., i] * p, r) - mI[i] * mp
        for j in range(3):
            S[..., i, j] = box64(I[..., i] * I[..., j], r) - mI[i] * mI[j]
    S += eps * np.eye(3)
    a = np.linalg.solve(S, c[..., None])[..., 0]
    b = mp - sum(a[..., i] * mI[i] for i in range(3))
    return sum(box64(a[..., i], r) * I[..., i] for i in range(3)) + box64(b, r)


for idx in ("01", "03"):
    col8 = cv2.imread(os.path.join(data, "lu_%s_color.png" % idx), cv2.IMREAD_COLOR)  # BGR
    dep8 = cv2.imread(os.path.join(data, "lu_%s_depth.png" % idx), cv2.IMREAD_UNCHANGED)
    if col8 is None or dep8 is None:
        sys.exit("cannot read the lu_%s images under %s" % (idx, data))
    if dep8.ndim == 3:
        dep8 = dep8[..., 0]
    colf = col8.astype(np.float32) / 255
    grayf = cv2.cvtColor(col8, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255
    depf = dep8.astype(np.float32) / (65535.0 if dep8.dtype == np.uint16 else 255.0)
    pre = "lu%s_" % idx
    save(pre + "gray", grayf)
    save(pre + "color_rgb", colf[..., ::-1])
    save(pre + "depth", depf)
    # guided filter: gray guide (eps small and large, a radius beyond the image)
    for r, eps, tag in ((8, 1e-2, "g_r8_e2"), (4, 1e-4, "g_r4_e4"), (300, 1e-3, "g_r300_e3")):
        save(pre + "gf_" + tag, cv2.ximgproc.guidedFilter(grayf, depf, r, eps))
    # colour guide: OpenCV is accurate where the 3x3 system is well conditioned
    for r, eps, tag in ((8, 1e-2, "c_r8_e2"), (3, 4e-2, "c_r3_e4e2")):
        save(pre + "gf_" + tag, cv2.ximgproc.guidedFilter(colf, depf, r, eps))
    save(pre + "gf64_c_r8_e4", guided_colour64(colf, depf, 8, 1e-4))
    save(pre + "gf_c_r8_e4_cv", cv2.ximgproc.guidedFilter(colf, depf, 8, 1e-4))
    # colour target under a colour guide, filtered per channel
    save(pre + "gf_cc_r5_e2", cv2.ximgproc.guidedFilter(colf, colf, 5, 1e-2)[..., ::-1])
    # joint bilateral: float joint images (sigma_color in normalized units)
    for d, sc, ss, guide, tag in ((9, 0.1, 4.0, colf, "c_d9"), (15, 0.05, 6.0, grayf, "g_d15"),
                                  (0, 0.08, 3.0, colf, "c_d0"), (5, 0.2, 2.0, grayf, "g_d5")):
        save(pre + "jbf_" + tag, cv2.ximgproc.jointBilateralFilter(guide, depf, d, sc, ss))
    # 8-bit joint and target: sigma in 8-bit levels, output rounded to 8 bits
    save(pre + "jbf_c_d9_u8", cv2.ximgproc.jointBilateralFilter(col8, dep8, 9, 25.0, 4.0) / 255.0)
    # bicubic: the depth shrunk 8x by area, then enlarged with INTER_CUBIC
    low = cv2.resize(depf, (depf.shape[1] // 8, depf.shape[0] // 8), interpolation=cv2.INTER_AREA)
    save(pre + "depth_low8", low)
    save(pre + "bicubic_cv", cv2.resize(low, (depf.shape[1], depf.shape[0]),
                                        interpolation=cv2.INTER_CUBIC))
print("ok")
