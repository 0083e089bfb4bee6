#!/usr/bin/env python3
"""convert_checkpoint.py - turns published PyTorch checkpoints of FDKN, DKN and
SVLRM into jfilter's float32 safetensors model files, using only the Python
standard library (a restricted unpickler reads both torch.save formats).

Usage:
  python3 tools/convert_checkpoint.py --arch fdkn|dkn|svlrm --scale S IN OUT.safetensors
      [--residual | --no-residual] [--activation leaky_relu|relu] [--negative-slope 0.1]
"""

import argparse
import io
import json
import os
import pickle
import re
import struct
import sys
import tempfile
import zipfile
from array import array
from collections import OrderedDict


class ConvertError(Exception):
    """A problem with the input file or its contents; printed without a traceback."""


# ---------------------------------------------------------------------------
# Reading torch.save files without torch

# name -> (safetensors-style dtype, element size, struct code or None for bf16)
STORAGE_TYPES = {
    "FloatStorage": ("F32", 4, "f"),
    "DoubleStorage": ("F64", 8, "d"),
    "HalfStorage": ("F16", 2, "e"),
    "BFloat16Storage": ("BF16", 2, None),
    "LongStorage": ("I64", 8, "q"),
    "IntStorage": ("I32", 4, "i"),
    "ShortStorage": ("I16", 2, "h"),
    "CharStorage": ("I8", 1, "b"),
    "ByteStorage": ("U8", 1, "B"),
    "BoolStorage": ("BOOL", 1, "?"),
}

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001


class StorageType:
    """Stands in for a torch.*Storage class named in the pickle."""

    def __init__(self, name):
        self.name = name
        self.dtype, self.itemsize, self.code = STORAGE_TYPES[name]


class StorageRef:
    """A storage named by a persistent id; its bytes are attached later (the
    legacy format stores them after the object pickle)."""

    def __init__(self, stype, key, numel):
        self.stype = stype
        self.key = key
        self.numel = numel  # element count the pickle claims, or None if unknown
        self.data = None  # bytes, little-endian
        self.base_offset = 0  # elements into the root storage (legacy views)


class LazyTensor:
    """What _rebuild_tensor_v2 produces: a strided view into a storage."""

    def __init__(self, storage, offset, size, stride):
        if not isinstance(storage, StorageRef):
            raise ConvertError("a tensor refers to something that is not a storage")
        self.storage = storage
        self.offset = int(offset)
        self.size = tuple(int(s) for s in size)
        self.stride = tuple(int(s) for s in stride)
        if len(self.size) != len(self.stride):
            raise ConvertError("a tensor's size and stride have different lengths")

    @property
    def dtype(self):
        return self.storage.stype.dtype

    def numel(self):
        n = 1
        for s in self.size:
            n *= s
        return n

    def to_f32(self):
        """The tensor's values as a C-order float32 array."""
        st = self.storage
        if st.data is None:
            raise ConvertError("storage %r has no data in the file" % st.key)
        itemsize = st.stype.itemsize
        total = len(st.data) // itemsize
        n = self.numel()
        if any(s < 0 for s in self.size) or any(s < 0 for s in self.stride) or self.offset < 0:
            raise ConvertError("negative size, stride or offset in storage %r" % st.key)
        start = st.base_offset + self.offset
        if n:
            last = start + sum((s - 1) * d for s, d in zip(self.size, self.stride))
            if last >= total:
                raise ConvertError(
                    "tensor view reaches element %d of storage %r, which holds %d"
                    % (last, st.key, total))
        values = decode_elements(st.stype, st.data)
        if n == 0:
            return array("f")
        # A contiguous view is a plain slice; anything else is gathered index by index.
        contiguous = True
        expect = 1
        for s, d in reversed(list(zip(self.size, self.stride))):
            if s != 1 and d != expect:
                contiguous = False
                break
            expect *= s
        if contiguous:
            picked = values[start:start + n]
        else:
            picked = []
            idx = [0] * len(self.size)
            for _ in range(n):
                picked.append(values[start + sum(i * d for i, d in zip(idx, self.stride))])
                for k in range(len(idx) - 1, -1, -1):
                    idx[k] += 1
                    if idx[k] < self.size[k]:
                        break
                    idx[k] = 0
        return array("f", (float(v) for v in picked))


def decode_elements(stype, data):
    """All elements of a little-endian storage as a Python sequence of numbers."""
    count = len(data) // stype.itemsize
    data = data[:count * stype.itemsize]
    if stype.code is None:  # bfloat16: the high half of a float32
        halves = struct.unpack("<%dH" % count, data)
        return struct.unpack("<%df" % count, b"".join(struct.pack("<I", h << 16) for h in halves))
    return struct.unpack("<%d%s" % (count, stype.code), data)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, state=None):
    return data


ALLOWED_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): OrderedDict,
}


class CheckpointUnpickler(pickle.Unpickler):
    """Resolves only the handful of globals a state_dict needs; anything else
    (arbitrary callables in a hostile file) is refused, never imported."""

    def __init__(self, fileobj, storages, what):
        super().__init__(fileobj)
        self.storages = storages  # key -> StorageRef, shared by every tensor of the file
        self.what = what

    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return ALLOWED_GLOBALS[(module, name)]
        if module == "torch" and name in STORAGE_TYPES:
            return StorageType(name)
        raise ConvertError("%s: the checkpoint refers to %s.%s, which this converter does not "
                           "load (only tensors and dicts are allowed)" % (self.what, module, name))

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise ConvertError("%s: unexpected persistent id %r" % (self.what, pid))
        stype, key, _location, numel = pid[1], str(pid[2]), pid[3], pid[4]
        if not isinstance(stype, StorageType):
            raise ConvertError("%s: storage %r has an unknown type %r" % (self.what, key, stype))
        ref = self.storages.get(key)
        if ref is None:
            ref = StorageRef(stype, key, numel)
            self.storages[key] = ref
        view = pid[5] if len(pid) > 5 else None
        if view is not None:
            # Legacy views: (view_key, offset, size) into the root storage.
            try:
                view_key, offset, view_size = view
            except (TypeError, ValueError):
                raise ConvertError("%s: malformed storage view %r" % (self.what, view))
            sub = self.storages.get(str(view_key))
            if sub is None:
                sub = StorageRef(stype, key, numel)
                sub.base_offset = int(offset)
                sub.view_of = ref
                self.storages[str(view_key)] = sub
            return sub
        return ref


def _unpickle(data_or_file, storages, what):
    try:
        return CheckpointUnpickler(data_or_file, storages, what).load()
    except ConvertError:
        raise
    except Exception as e:  # pickle raises many types on corrupt input
        raise ConvertError("%s: cannot unpickle: %s" % (what, e))


def load_zip(path, what):
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ConvertError("%s: not a readable zip archive: %s" % (what, e))
    with zf:
        names = zf.namelist()
        pkls = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise ConvertError("%s: expected one <dir>/data.pkl in the archive, found %d"
                               % (what, len(pkls)))
        prefix = pkls[0][:-len("data.pkl")]
        big_endian = False
        if prefix + "byteorder" in names:
            big_endian = zf.read(prefix + "byteorder").strip() == b"big"
        storages = {}
        obj = _unpickle(io.BytesIO(zf.read(pkls[0])), storages, what)
        for key, ref in storages.items():
            name = prefix + "data/" + key
            if name not in names:
                raise ConvertError("%s: storage %r is missing from the archive (%s)"
                                   % (what, key, name))
            raw = zf.read(name)
            if len(raw) % ref.stype.itemsize:
                raise ConvertError("%s: storage %r is %d bytes, not a whole number of %s"
                                   % (what, key, len(raw), ref.stype.dtype))
            if big_endian and ref.stype.itemsize > 1:
                raw = byteswap(raw, ref.stype.itemsize)
            ref.data = raw
    return obj


def byteswap(raw, itemsize):
    out = bytearray(raw)
    for i in range(0, len(out), itemsize):
        out[i:i + itemsize] = out[i:i + itemsize][::-1]
    return bytes(out)


def load_legacy(path, what):
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise ConvertError("%s: cannot read: %s" % (what, e.strerror))
    f = io.BytesIO(blob)
    storages = {}
    try:
        magic = _unpickle(f, storages, what)
    except ConvertError:
        magic = None
    if magic != LEGACY_MAGIC:
        raise ConvertError("%s: not a PyTorch checkpoint (neither a torch.save zip archive "
                           "nor a legacy torch.save pickle)" % what)
    protocol = _unpickle(f, storages, what)
    if protocol != LEGACY_PROTOCOL:
        raise ConvertError("%s: unsupported legacy protocol version %r" % (what, protocol))
    sys_info = _unpickle(f, storages, what)
    if isinstance(sys_info, dict) and sys_info.get("little_endian") is False:
        raise ConvertError("%s: big-endian legacy checkpoints are not supported" % what)
    obj = _unpickle(f, storages, what)
    keys = _unpickle(f, storages, what)
    if not isinstance(keys, list):
        raise ConvertError("%s: storage key list is missing" % what)
    pos = f.tell()
    for key in keys:
        key = str(key)
        ref = storages.get(key)
        if ref is None:
            raise ConvertError("%s: storage %r is listed but never used" % (what, key))
        if pos + 8 > len(blob):
            raise ConvertError("%s: truncated before storage %r" % (what, key))
        (count,) = struct.unpack_from("<q", blob, pos)
        pos += 8
        nbytes = count * ref.stype.itemsize
        if count < 0 or pos + nbytes > len(blob):
            raise ConvertError("%s: storage %r claims %d elements, past the end of the file"
                               % (what, key, count))
        ref.data = blob[pos:pos + nbytes]
        pos += nbytes
    # Views share the bytes of their root storage.
    for ref in storages.values():
        root = getattr(ref, "view_of", None)
        if root is not None:
            ref.data = root.data
    missing = [k for k, r in storages.items() if r.data is None]
    if missing:
        raise ConvertError("%s: storages %s have no data" % (what, ", ".join(missing[:5])))
    return obj


def load_checkpoint(path):
    what = os.path.basename(path)
    if not os.path.isfile(path):
        raise ConvertError("%s: no such file" % path)
    if zipfile.is_zipfile(path):
        obj = load_zip(path, what)
    else:
        obj = load_legacy(path, what)
    if isinstance(obj, dict):
        for wrapper in ("state_dict", "model", "net"):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict):
        raise ConvertError("%s: the checkpoint holds a %s, not a state_dict"
                           % (what, type(obj).__name__))
    state = OrderedDict()
    for key, value in obj.items():
        if not isinstance(value, LazyTensor):
            continue  # counters or hyper-parameters stored next to the weights
        key = str(key)
        if key.startswith("module."):  # saved from nn.DataParallel
            key = key[len("module."):]
        if key.endswith("num_batches_tracked"):
            continue
        state[key] = value
    if not state:
        raise ConvertError("%s: the checkpoint holds no tensors" % what)
    return state


# ---------------------------------------------------------------------------
# Architectures: expected names and shapes

def _bn(prefix, c):
    return [(prefix + "." + p, (c,)) for p in ("weight", "bias", "running_mean", "running_var")]


def _conv(prefix, cout, cin, k):
    return [(prefix + ".weight", (cout, cin, k[0], k[1])), (prefix + ".bias", (cout,))]


def fdkn_layout(k=3):
    out = []
    for branch in ("ImageKernel", "DepthKernel"):
        p = branch + "."
        out += _conv(p + "conv1", 32, 16, (3, 3)) + _bn(p + "conv1_bn", 32)
        out += _conv(p + "conv2", 32, 32, (3, 3))
        out += _conv(p + "conv3", 64, 32, (3, 3)) + _bn(p + "conv3_bn", 64)
        out += _conv(p + "conv4", 64, 64, (3, 3))
        out += _conv(p + "conv5", 128, 64, (3, 3)) + _bn(p + "conv5_bn", 128)
        out += _conv(p + "conv6", 128, 128, (3, 3))
        out += _conv(p + "conv_weight", 16 * k * k, 128, (1, 1))
        out += _conv(p + "conv_offset", 32 * k * k, 128, (1, 1))
    return out


def dkn_layout(k=3):
    out = []
    for branch, cin in (("ImageKernel", 3), ("DepthKernel", 1)):
        p = branch + "."
        out += _conv(p + "conv1", 32, cin, (7, 7)) + _bn(p + "conv1_bn", 32)
        out += _conv(p + "conv2", 32, 32, (2, 2))
        out += _conv(p + "conv3", 64, 32, (5, 5)) + _bn(p + "conv3_bn", 64)
        out += _conv(p + "conv4", 64, 64, (2, 2))
        out += _conv(p + "conv5", 128, 64, (5, 5)) + _bn(p + "conv5_bn", 128)
        out += _conv(p + "conv6", 128, 128, (3, 3))
        out += _conv(p + "conv7", 128, 128, (3, 3))
        out += _conv(p + "conv_weight", k * k, 128, (1, 1))
        out += _conv(p + "conv_offset", 2 * k * k, 128, (1, 1))
    return out


def check_layout(state, layout, what, arch):
    """Fails unless state holds exactly the layout's names with its shapes."""
    problems = []
    for name, shape in layout:
        t = state.get(name)
        if t is None:
            problems.append("missing tensor '%s'" % name)
        elif t.size != shape:
            problems.append("tensor '%s' has shape %s, expected %s"
                            % (name, list(t.size), list(shape)))
    names = set(n for n, _ in layout)
    extra = [n for n in state if n not in names]
    if extra:
        problems.append("unexpected tensors: %s" % ", ".join(extra[:8]))
    if problems:
        more = "" if len(problems) <= 8 else " (and %d more)" % (len(problems) - 8)
        raise ConvertError("%s: not a %s checkpoint: %s%s"
                           % (what, arch.upper(), "; ".join(problems[:8]), more))


def svlrm_rename(state, what):
    """first_layer -> layers.0, feature_block.<i> in index order -> layers.1..L,
    final_layer -> layers.L+1. Returns (renamed state, L)."""
    blocks = {}
    other = []
    for name in state:
        m = re.match(r"^feature_block\.(\d+)\.(weight|bias)$", name)
        if m:
            blocks.setdefault(int(m.group(1)), {})[m.group(2)] = name
        elif name not in ("first_layer.weight", "first_layer.bias",
                          "final_layer.weight", "final_layer.bias"):
            other.append(name)
    problems = []
    if other:
        problems.append("unexpected tensors: %s" % ", ".join(other[:8]))
    for n in ("first_layer.weight", "first_layer.bias", "final_layer.weight", "final_layer.bias"):
        if n not in state:
            problems.append("missing tensor '%s'" % n)
    for i, parts in sorted(blocks.items()):
        for p in ("weight", "bias"):
            if p not in parts:
                problems.append("missing tensor 'feature_block.%d.%s'" % (i, p))
    if not blocks:
        problems.append("no feature_block layers")
    if problems:
        raise ConvertError("%s: not an SVLRM checkpoint: %s" % (what, "; ".join(problems)))

    order = ["first_layer"] + ["feature_block.%d" % i for i in sorted(blocks)] + ["final_layer"]
    out = OrderedDict()
    cin = 2  # [upsampled depth, guide]
    for j, src in enumerate(order):
        w, b = state[src + ".weight"], state[src + ".bias"]
        cout = 2 if src == "final_layer" else w.size[0] if w.size else -1
        expect = (cout, cin, 3, 3)
        if w.size != expect:
            raise ConvertError("%s: tensor '%s.weight' has shape %s, expected %s"
                               % (what, src, list(w.size), list(expect)))
        if b.size != (cout,):
            raise ConvertError("%s: tensor '%s.bias' has shape %s, expected [%d]"
                               % (what, src, list(b.size), cout))
        out["layers.%d.weight" % j] = w
        out["layers.%d.bias" % j] = b
        cin = cout
    return out, len(blocks)


# ---------------------------------------------------------------------------
# Writing safetensors

def write_safetensors(path, tensors, metadata):
    """tensors: ordered name -> LazyTensor; written as F32 in that order."""
    header = OrderedDict()
    header["__metadata__"] = OrderedDict((k, str(v)) for k, v in metadata.items())
    chunks = []
    offset = 0
    for name, t in tensors.items():
        values = t.to_f32()
        if sys.byteorder != "little":
            values.byteswap()
        raw = values.tobytes()
        header[name] = OrderedDict([("dtype", "F32"), ("shape", list(t.size)),
                                    ("data_offsets", [offset, offset + len(raw)])])
        chunks.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)  # keeps the data section 8-byte aligned
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=directory)
    except OSError as e:
        raise ConvertError("%s: cannot create: %s" % (path, e.strerror))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(hjson)))
            f.write(hjson)
            for c in chunks:
                f.write(c)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=("fdkn", "dkn", "svlrm"))
    ap.add_argument("--scale", required=True, type=int, help="upsampling factor the model was "
                    "trained for (metadata only)")
    ap.add_argument("--residual", dest="residual", action="store_true", default=None,
                    help="the network adds the upsampled input (default for fdkn/dkn)")
    ap.add_argument("--no-residual", dest="residual", action="store_false")
    ap.add_argument("--activation", choices=("leaky_relu", "relu"), default="leaky_relu",
                    help="SVLRM activation (default leaky_relu)")
    ap.add_argument("--negative-slope", type=float, default=0.1,
                    help="SVLRM LeakyReLU slope (default 0.1)")
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be a positive integer")

    try:
        state = load_checkpoint(args.input)
        what = os.path.basename(args.input)
        if args.arch == "fdkn":
            check_layout(state, fdkn_layout(), what, "fdkn")
            tensors = OrderedDict((n, state[n]) for n, _ in fdkn_layout())
        elif args.arch == "dkn":
            check_layout(state, dkn_layout(), what, "dkn")
            tensors = OrderedDict((n, state[n]) for n, _ in dkn_layout())
        else:
            tensors, nlayers = svlrm_rename(state, what)

        residual = args.residual if args.residual is not None else args.arch != "svlrm"
        meta = OrderedDict()
        meta["format"] = "jfilter-1"
        meta["architecture"] = args.arch
        meta["scale"] = str(args.scale)
        meta["kernel_size"] = "3"
        meta["window_size"] = "15"
        meta["residual"] = "true" if residual else "false"
        meta["guide"] = {"fdkn": "gray", "dkn": "bgr", "svlrm": "gray_u8"}[args.arch]
        meta["guide_order"] = "bgr"
        meta["upsample"] = "opencv" if args.arch == "svlrm" else "pil"
        if args.arch == "svlrm":
            meta["activation"] = args.activation
            meta["negative_slope"] = repr(args.negative_slope if args.activation == "leaky_relu"
                                          else 0.0)
            meta["layers"] = str(nlayers)
        meta["source"] = os.path.basename(args.input)

        for name, t in tensors.items():
            if t.dtype not in ("F32", "F64", "F16", "BF16"):
                raise ConvertError("%s: tensor '%s' is %s, not floating point"
                                   % (what, name, t.dtype))
        write_safetensors(args.output, tensors, meta)
    except ConvertError as e:
        print("convert_checkpoint: error: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("convert_checkpoint: error: %s: %s" % (e.filename or args.output, e.strerror),
              file=sys.stderr)
        return 1
    print("wrote %s: %d tensors (%s, x%d)" % (args.output, len(tensors), args.arch, args.scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
