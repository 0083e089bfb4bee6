#!/usr/bin/env python3
"""make_corpus.py - writes the seed corpora of the fuzz targets into
tests/fuzz/corpus/<target>/ (Python standard library only): for each target a
few valid inputs covering the formats' variants and a few edge cases. The
model seeds are the headers of this project's own weights/ files. Inputs
that once crashed a target or exhausted its memory are kept as regress-*
(those written here, and any saved from a fuzzer's findings, which this
script leaves alone when rerun).

Usage: python3 tests/fuzz/make_corpus.py
"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- safetensors -------------------------------------------------------------

def safetensors(tensors, meta=None, pad=0, raw_header=None):
    """tensors: list of (name, dtype, shape, bytes); offsets laid out in order."""
    header, data, off = {}, b"", 0
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(payload)]}
        data += payload
        off += len(payload)
    if meta is not None:
        header["__metadata__"] = meta
    h = raw_header if raw_header is not None else json.dumps(header).encode()
    h += b" " * pad
    return struct.pack("<Q", len(h)) + h + data


def st_seeds():
    f32 = struct.pack("<3f", 1.5, -2.0, 3.25)
    put("safetensors", "f32_vector", safetensors([("w", "F32", [3], f32)]))
    # one tensor of every dtype; the F16 values include a subnormal, inf and NaN
    f16 = struct.pack("<6H", 0x3C00, 0x0001, 0x7C00, 0xFC00, 0x7E00, 0x8000)
    bf16 = struct.pack("<2H", 0x3F80, 0xC040)
    f64 = struct.pack("<2d", 1e300, -0.5)
    put("safetensors", "all_dtypes", safetensors([
        ("f32", "F32", [1, 3], f32), ("f16", "F16", [2, 3], f16), ("bf16", "BF16", [2], bf16),
        ("f64", "F64", [2, 1], f64), ("i64", "I64", [1], struct.pack("<q", -7)),
        ("i32", "I32", [1], struct.pack("<i", 9)), ("i16", "I16", [2], struct.pack("<2h", 1, -1)),
        ("i8", "I8", [2], b"\x01\xff"), ("u8", "U8", [3], b"\x00\x80\xff"),
        ("bool", "BOOL", [2], b"\x00\x01")]))
    put("safetensors", "scalar_and_empty", safetensors([
        ("s", "F32", [], struct.pack("<f", 42.0)), ("e", "F32", [0, 5], b"")]))
    put("safetensors", "metadata_padded", safetensors(
        [("conv.weight", "F32", [2, 1, 1, 1], struct.pack("<2f", 0.5, 0.25))],
        meta={"architecture": "fdkn", "scale": "8", "note": "\u00e9t\u00e9"}, pad=13))
    put("safetensors", "eight_dims", safetensors([("t", "F16", [1] * 8, b"\x00\x3c")]))
    put("safetensors", "empty_header", safetensors([], raw_header=b"{}"))
    # edge cases the parser must refuse
    good = safetensors([("w", "F32", [3], f32)])
    put("safetensors", "bad_truncated_data", good[:-2])
    put("safetensors", "bad_header_length", struct.pack("<Q", 1 << 40) + good[8:])
    put("safetensors", "bad_overlap", safetensors([], raw_header=json.dumps({
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode()) + bytes(12))
    put("safetensors", "bad_duplicate_key",
        safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                                   b'"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}') + b"\x00")
    put("safetensors", "bad_shape_overflow", safetensors([], raw_header=json.dumps({
        "a": {"dtype": "F64", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 0]}}).encode()))
    put("safetensors", "bad_nine_dims", safetensors([("t", "U8", [1] * 9, b"\x00")]))
    put("safetensors", "bad_metadata_number", safetensors([], meta={"scale": 8}))
    put("safetensors", "bad_short", b"\x02\x00\x00")


# --- PNG -------------------------------------------------------------------

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(rows, bpp, ftype):
    """Filters packed rows with one filter type (0..4), or cycles through all (-1)."""
    out, prev = b"", bytes(len(rows[0]) if rows else 0)
    for y, row in enumerate(rows):
        t = y % 5 if ftype < 0 else ftype
        f = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][t]
            f.append((x - pred) & 0xFF)
        out += bytes([t]) + bytes(f)
        prev = row
    return out


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per):
        v = 0
        for k in range(per):
            s = samples[i + k] if i + k < len(samples) else 0
            v |= s << (8 - depth * (k + 1))
        out.append(v)
    return bytes(out)


CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png(w, h, depth, ctype, pixel, extra=b"", interlace=False, ftype=-1, ihdr=None):
    """pixel(x, y) -> tuple of samples; rows filtered (all types by default)."""
    ch = CHANNELS[ctype]
    bpp = max(1, ch * depth // 8)

    def rows_of(xs, ys):
        return [pack_row([s for x in xs for s in pixel(x, y)], depth) for y in ys]

    if not interlace:
        raw = filter_rows(rows_of(range(w), range(h)), bpp, ftype)
    else:
        raw = b""
        for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                               (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
            xs, ys = range(x0, w, dx), range(y0, h, dy)
            if len(xs) and len(ys):
                raw += filter_rows(rows_of(xs, ys), bpp, ftype)
    hdr = ihdr or struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", hdr) + extra +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def png_seeds():
    put("png", "gray8", png(7, 5, 8, 0, lambda x, y: (x * 30 + y,)))
    put("png", "gray16", png(5, 4, 16, 0, lambda x, y: (x * 9000 + y * 7,)))
    put("png", "rgb8_interlaced", png(9, 9, 8, 2, lambda x, y: (x * 20, y * 20, (x ^ y) * 9),
                                      interlace=True))
    put("png", "rgba16", png(3, 3, 16, 6, lambda x, y: (x * 20000, y * 20000, 1234, 65535 - x)))
    put("png", "gray_alpha8", png(4, 2, 8, 4, lambda x, y: (x * 60, 255 - y * 100)))
    put("png", "gray1", png(13, 3, 1, 0, lambda x, y: ((x + y) & 1,)))
    put("png", "gray2_trns", png(6, 2, 2, 0, lambda x, y: (x % 4,),
                                 extra=chunk(b"tRNS", struct.pack(">H", 2))))
    put("png", "gray4", png(5, 5, 4, 0, lambda x, y: ((x * 3 + y) % 16,)))
    plte = chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]))
    put("png", "palette8_trns", png(4, 4, 8, 3, lambda x, y: ((x + y) % 4,),
                                    extra=plte + chunk(b"tRNS", b"\x00\x80")))
    put("png", "palette4", png(5, 3, 4, 3, lambda x, y: ((x + y) % 4,), extra=plte))
    put("png", "rgb16_trns_gamma", png(2, 2, 16, 2, lambda x, y: (x * 300, y * 300, 7),
                                       extra=chunk(b"gAMA", struct.pack(">I", 45455)) +
                                       chunk(b"tRNS", struct.pack(">HHH", 0, 0, 7))))
    put("png", "one_pixel", png(1, 1, 8, 0, lambda x, y: (200,)))
    # edge cases: refused, each for a different reason
    good = png(7, 5, 8, 0, lambda x, y: (x * 30 + y,))
    put("png", "bad_truncated_idat", good[:len(good) - 20])
    bad = bytearray(good)
    bad[45] ^= 0x55  # inside IDAT's data: its CRC no longer matches
    put("png", "bad_crc", bytes(bad))
    put("png", "bad_huge_ihdr", png(1, 1, 8, 0, lambda x, y: (1,),
                                    ihdr=struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)))
    put("png", "bad_over_pixel_limit", png(1, 1, 8, 0, lambda x, y: (1,),
                                           ihdr=struct.pack(">IIBBBBB", 3000, 2000, 8, 2, 0, 0, 0)))
    # before the pixel limit, these 67 bytes made the decoder ask for 14.4 GB
    # (libFuzzer: out-of-memory, malloc(14400000000)); now refused from IHDR
    put("png", "regress-oom-60000x60000-rgba", png(1, 1, 8, 0, lambda x, y: (1,),
        ihdr=struct.pack(">IIBBBBB", 60000, 60000, 8, 6, 0, 0, 0)))
    put("png", "bad_depth", png(1, 1, 8, 0, lambda x, y: (1,),
                                ihdr=struct.pack(">IIBBBBB", 1, 1, 3, 0, 0, 0, 0)))
    put("png", "bad_no_idat", b"\x89PNG\r\n\x1a\n" +
        chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)) + chunk(b"IEND", b""))


# --- NPY -------------------------------------------------------------------

def npy(descr, shape, payload, fortran=False, version=1, raw_dict=None):
    d = raw_dict or "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False",
        "(" + "".join("%s, " % s for s in shape).rstrip(" ") + ")" if len(shape) != 1
        else "(%s,)" % shape[0])
    pre = 10 if version == 1 else 12
    total = pre + len(d) + 1
    pad = (64 - total % 64) % 64
    h = (d + " " * pad + "\n").encode("latin-1")
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h))
    else:
        head = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h))
    return head + h + payload


def npy_seeds():
    put("npy", "f4_2d", npy("<f4", (2, 3), struct.pack("<6f", 0, 1, 2, 3.5, -4, 1e30)))
    put("npy", "u1_hw3", npy("|u1", (2, 2, 3), bytes(range(12))))
    put("npy", "u2_fortran", npy("<u2", (3, 2), struct.pack("<6H", 1, 2, 3, 4, 5, 65535), fortran=True))
    put("npy", "f8_4d_fortran", npy("<f8", (2, 1, 2, 2), struct.pack("<8d", *range(8)), fortran=True))
    put("npy", "f4_scalar_v2", npy("<f4", (), struct.pack("<f", 42), version=2))
    put("npy", "f4_empty_v3", npy("<f4", (0, 4), b"", version=3))
    put("npy", "py2_long_dims", npy(None, None, struct.pack("<2f", 1, 2),
                                    raw_dict="{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }"))
    put("npy", "extra_key", npy(None, None, b"\x05",
                                raw_dict="{'descr': '|u1', 'shape': (1,), 'x': [(1, 2), 'a'], "
                                         "'fortran_order': False}"))
    # refused
    put("npy", "bad_five_dims", npy("<f4", (1, 1, 1, 1, 1), struct.pack("<f", 1)))
    put("npy", "bad_big_endian", npy(">f4", (1,), struct.pack(">f", 1)))
    put("npy", "bad_truncated_data", npy("<f4", (4,), struct.pack("<3f", 1, 2, 3)))
    put("npy", "bad_unclosed_tuple", npy(None, None, b"",
                                         raw_dict="{'descr': '<f4', 'fortran_order': False, 'shape': (4,, }"))
    put("npy", "bad_version", b"\x93NUMPY\x09\x00\x10\x00" + b"{}" + b" " * 14)


# --- every format through the one reader (fuzz_image_file) -----------------

def tiff(w, h, spp, bps, fmt, photo, samples, big=False, planar=1, extra=()):
    """A one-strip (or one strip per plane) uncompressed TIFF; samples: raw bytes
    in file order. fmt: 1 uint, 3 float. extra: more (tag, type, values)."""
    e = ">" if big else "<"
    head = (b"MM\x00*" if big else b"II*\x00")
    data_off = 8
    planes = spp if planar == 2 else 1
    strip = len(samples) // planes
    entries = [(256, 4, [w]), (257, 4, [h]), (258, 3, [bps] * spp), (259, 3, [1]), (262, 3, [photo]),
               (273, 4, [data_off + i * strip for i in range(planes)]), (277, 3, [spp]), (278, 4, [h]),
               (279, 4, [strip] * planes), (284, 3, [planar]), (339, 3, [fmt] * spp)] + list(extra)
    entries.sort()
    ifd_off = data_off + len(samples) + (len(samples) & 1)
    out_of_line = b""
    ool_off = ifd_off + 2 + 12 * len(entries) + 4
    ifd = struct.pack(e + "H", len(entries))
    for tag, typ, vals in entries:
        code = "H" if typ == 3 else "I"
        raw = struct.pack(e + code * len(vals), *vals)
        if len(raw) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, len(vals)) + raw.ljust(4, b"\x00")
        else:
            ifd += struct.pack(e + "HHII", tag, typ, len(vals), ool_off + len(out_of_line))
            out_of_line += raw
    ifd += struct.pack(e + "I", 0)
    return (head + struct.pack(e + "I", ifd_off) + samples + b"\x00" * (len(samples) & 1) +
            ifd + out_of_line)


def image_file_seeds():
    for name in ("gray8", "rgba16", "palette8_trns", "rgb8_interlaced"):
        with open(os.path.join(CORPUS, "png", name), "rb") as f:
            put("image_file", "png_" + name, f.read())
    for name in ("u1_hw3", "u2_fortran", "f4_2d"):
        with open(os.path.join(CORPUS, "npy", name), "rb") as f:
            put("image_file", "npy_" + name, f.read())
    put("image_file", "tiff_gray8", tiff(5, 3, 1, 8, 1, 1, bytes(range(15))))
    put("image_file", "tiff_rgb16_big", tiff(2, 2, 3, 16, 1, 2,
                                             struct.pack(">12H", *range(0, 60000, 5000)), big=True))
    put("image_file", "tiff_float32", tiff(3, 2, 1, 32, 3, 1, struct.pack("<6f", 0, .5, 1, -1, 2, 1e9)))
    put("image_file", "tiff_float64_2spp", tiff(2, 1, 2, 64, 3, 1, struct.pack("<4d", 1, 2, 3, 4)))
    put("image_file", "tiff_rgb8_planar", tiff(2, 2, 3, 8, 1, 2, bytes(range(12)), planar=2))
    put("image_file", "tiff_palette4", tiff(4, 2, 1, 4, 1, 3, bytes([0x01, 0x23, 0x32, 0x10]), extra=[
        (320, 3, [i * 4000 for i in range(16)] * 3)]))
    put("image_file", "pfm_gray_le", b"Pf\n3 2\n-1.0\n" + struct.pack("<6f", 0, 1, 2, 3, 4, 5))
    put("image_file", "pfm_rgb_be", b"PF\n1 2\n1.0\n" + struct.pack(">6f", 1, 0, 0, 0, 1, 0))
    put("image_file", "bad_tiff_huge", tiff(60000, 60000, 1, 8, 1, 1, b"\x00" * 4))
    put("image_file", "bad_pfm_short", b"PF\n4 4\n-1\n" + b"\x00" * 10)
    put("image_file", "bad_unknown", b"GIF89a\x01\x00\x01\x00")
    # JPEG needs an encoder: OpenCV's when there is one (the committed seeds stay otherwise)
    try:
        import cv2
        import numpy as np
    except ImportError:
        return
    yy, xx = np.mgrid[0:12, 0:16]
    rgb = np.dstack([xx * 15, yy * 20, (xx ^ yy) * 8]).astype(np.uint8)
    put("image_file", "jpeg_gray", cv2.imencode(".jpg", rgb[:, :, 0].copy())[1].tobytes())
    put("image_file", "jpeg_colour", cv2.imencode(".jpg", rgb)[1].tobytes())
    put("image_file", "jpeg_progressive", cv2.imencode(
        ".jpg", rgb, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1, cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes())


# --- CLI arguments ---------------------------------------------------------

def cli(cmd, *args):
    return bytes([cmd]) + b"\x00".join(a.encode() for a in args)


def cli_seeds():
    G, J, U, B, BENCH = range(5)
    put("cli", "guided", cli(G, "--guide", "g.png", "--target", "t.png", "--output", "o.png",
                             "--radius", "8", "--eps", "0.01", "--fast", "2", "--bits", "16"))
    put("cli", "jbf", cli(J, "--guide=g.png", "--target", "t.npy", "--output", "o.npy",
                          "--diameter", "-1", "--sigma-color", "0.1", "--sigma-space=4", "--quiet"))
    put("cli", "jbu", cli(U, "--guide", "g.png", "--target", "low.png", "--output", "o.png",
                          "--radius", "2", "--sigma-color", "1e-3", "--device", "cpu"))
    put("cli", "bicubic_size", cli(B, "--target", "t.png", "--size", "640x480", "--mode", "pil",
                                   "--output", "o.png"))
    put("cli", "bicubic_scale", cli(B, "--target", "t.png", "--scale", "8", "--mode=opencv",
                                    "--output", "o.npy"))
    put("cli", "bench", cli(BENCH, "--model", "fdkn_x8", "--size", "640x480", "--size", "32x32",
                            "--repeat", "3", "--scale", "8", "--device", "0"))
    put("cli", "help", cli(G, "--help"))
    # refused
    put("cli", "bad_missing_value", cli(U, "--target", "t.png", "--radius"))
    put("cli", "bad_unknown_option", cli(J, "--guide", "g", "--target", "t", "--output", "o",
                                         "--radius", "3"))
    put("cli", "bad_wrapping_size", cli(B, "--target", "t", "--output", "o", "--size", "4294967297x2"))
    put("cli", "bad_nan_eps", cli(G, "--guide", "g", "--target", "t", "--output", "o", "--eps", "nan"))


# --- model files (header + synthesized data) -------------------------------

def model_input(header, data_size, fill=0):
    h = json.dumps(header, separators=(",", ":")).encode() if isinstance(header, dict) else header
    return struct.pack("<I", (fill << 24) | data_size) + h


def weights_header(name):
    with open(os.path.join(SRC, "weights", name + ".safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        f.seek(0, 2)
        return header, f.tell() - 8 - n


def model_seeds():
    for name in ("fdkn_x8", "dkn_x8", "svlrm_x8"):
        header, size = weights_header(name)
        put("model", name, model_input(header, size))
    header, size = weights_header("fdkn_x8")
    meta = header["__metadata__"]
    # valid variants of the metadata
    put("model", "fdkn_rgb_opencv", model_input(
        dict(header, __metadata__=dict(meta, guide_order="rgb", upsample="opencv", residual="0")), size))
    # refused, each at a different check
    put("model", "bad_nan_variance", model_input(header, size, fill=0xFF))
    put("model", "bad_kernel_size", model_input(dict(header, __metadata__=dict(meta, kernel_size="5")), size))
    put("model", "bad_window", model_input(dict(header, __metadata__=dict(meta, window_size="64")), size))
    put("model", "bad_architecture", model_input(dict(header, __metadata__=dict(meta, architecture="unet")), size))
    nometa = {k: v for k, v in header.items() if k != "__metadata__"}
    put("model", "bad_no_metadata", model_input(nometa, size))
    put("model", "bad_short_data", model_input(header, size - 4))


if __name__ == "__main__":
    st_seeds()
    png_seeds()
    npy_seeds()
    image_file_seeds()
    cli_seeds()
    model_seeds()
    for t in sorted(os.listdir(CORPUS)):
        d = os.path.join(CORPUS, t)
        print("%-12s %3d files, %7d bytes" % (t, len(os.listdir(d)),
                                                sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))))
