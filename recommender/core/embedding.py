"""A static word embedding for descriptions: WordLlama's 256-dimension model, read offline.

WordLlama (``pip install wordllama``) ships its model inside the wheel: a token embedding
matrix (``weights/l2_supercat_256.safetensors``, 32,000 x 256, float16) and the tokenizer
that goes with it (``tokenizers/l2_supercat_tokenizer_config.json``). A text's vector is the
mean of its tokens' rows, normalised to length 1, exactly as ``WordLlama.load().embed(norm=True)``
computes it. The files are read from the installed package by path, never downloaded:
``WordLlama.load`` 0.4.0.post1 looks for the tokenizer under a folder named ``tokenizer``
(the wheel's folder is ``tokenizers``) and then falls back to fetching it from Hugging Face,
which this module never calls. The weights are memory-mapped (safetensors stores the raw
array after a JSON header), so loading costs little more than parsing the tokenizer.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DependencyError

__all__ = ["StaticEmbedding", "load_embedding", "model_files"]

_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")
_TENSOR = "embedding.weight"


def model_files() -> tuple[Path, Path]:
    """(weights, tokenizer) inside the installed ``wordllama`` package; DependencyError if absent."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.origin:
        raise DependencyError("the wordllama package is not installed", hint="pip install wordllama")
    root = Path(spec.origin).parent
    weights, tokenizer = root.joinpath(*_WEIGHTS), root.joinpath(*_TOKENIZER)
    for path in (weights, tokenizer):
        if not path.is_file():
            raise DependencyError(f"wordllama's model file {path.name} is missing from {root}",
                                  hint="reinstall it: pip install --force-reinstall wordllama")
    return weights, tokenizer


def _memmap_safetensors(path: Path, key: str) -> np.ndarray:
    """One tensor of a safetensors file as a read-only memory map (no copy)."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    entry = header[key]
    dtype = {"F16": np.float16, "F32": np.float32}[entry["dtype"]]
    start, end = entry["data_offsets"]
    shape = tuple(entry["shape"])
    # A plain ndarray over the mapped bytes: fancy indexing a np.memmap subclass is slower.
    return np.asarray(np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start, shape=shape))


#: Up to this many texts at once, their token ids are kept in the user cache.
_REMEMBERED = 16


class StaticEmbedding:
    """Token vectors averaged into one unit vector per text.

    Examples
    --------
    >>> emb = load_embedding()
    >>> v = emb.embed(["worker surveys by phone", "anonymous phone surveys of workers"])
    >>> v.shape, bool(v[0] @ v[1] > 0.5)
    ((2, 256), True)
    """

    def __init__(self, weights: np.ndarray, tokenizer_path: Path) -> None:
        self.weights = weights
        self._tokenizer_path = tokenizer_path

    @functools.cached_property
    def tokenizer(self):  # noqa: ANN201 - tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self._tokenizer_path))
        tok.no_padding()
        tok.no_truncation()
        return tok

    @property
    def dim(self) -> int:
        return int(self.weights.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (len(texts), dim); an empty text gives a zero row."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        encoded = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encoded])
        if not lengths.sum():
            return out
        ids = np.concatenate([e.ids for e in encoded if e.ids])
        starts = np.r_[0, np.cumsum(lengths[lengths > 0])[:-1]]
        out[lengths > 0] = self._pool(ids, starts, lengths[lengths > 0])
        return out

    def token_sums(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(len(texts), dim) sums of each text's token vectors (float32) and (len(texts),) token
        counts, in one tokenisation pass: `embed` is their normalised quotient."""
        sums = np.zeros((len(texts), self.dim), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.int64)
        if not len(texts):
            return sums, counts
        token_ids = self._token_ids(texts)
        counts[:] = [len(e) for e in token_ids]
        has = counts > 0
        if has.any():
            ids = np.minimum(np.concatenate([e for e in token_ids if e]), self.weights.shape[0] - 1)
            starts = np.r_[0, np.cumsum(counts[has])[:-1]]
            # float16 rows summed in float32, a few thousand texts at a time (bounded memory).
            step = 4096
            for lo in range(0, len(starts), step):
                first = starts[lo]
                last = starts[lo + step] if lo + step < len(starts) else len(ids)
                rows = self.weights[ids[first:last]]
                sums[np.flatnonzero(has)[lo:lo + step]] = np.add.reduceat(rows, starts[lo:lo + step] - first, axis=0,
                                                                          dtype=np.float32)
        return sums, counts

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids. For a few texts (one profile's description) they are kept in
        the user cache (`cache.cached`, keyed by the tokenizer file): loading the tokenizer
        costs about 0.1 s, more than scoring the profile, and a consultant runs the same
        profile many times over while preparing a report. Once the tokenizer is loaded in a
        process (a supplier list, many reports) nothing more is written to the cache."""
        if len(texts) > _REMEMBERED or "tokenizer" in self.__dict__:  # loaded already: no gain
            return [e.ids for e in self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]
        from ..cache import cached

        st = self._tokenizer_path.stat()
        return cached("tokens", ("ids", tuple(texts)), (str(self._tokenizer_path), st.st_size, st.st_mtime_ns),
                      lambda: [list(e.ids) for e in self.tokenizer.encode_batch_fast(list(texts),
                                                                                   add_special_tokens=False)],
                      list)

    def _pool(self, ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Unit-length means of consecutive runs of token rows (one run per text)."""
        rows = self.weights[np.minimum(ids, self.weights.shape[0] - 1)]
        # float16 rows summed in float32: the same numbers as converting first, without the copy.
        means = np.add.reduceat(rows, starts, axis=0, dtype=np.float32) / lengths[:, None]
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        return np.divide(means, norms, out=np.zeros_like(means), where=norms > 0)


@functools.lru_cache(maxsize=1)
def load_embedding() -> StaticEmbedding:
    """The packaged model, loaded once per process."""
    weights, tokenizer = model_files()
    return StaticEmbedding(_memmap_safetensors(weights, _TENSOR), tokenizer)
