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
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start, shape=shape)


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
        encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        top = self.weights.shape[0] - 1
        for i, enc in enumerate(encoded):
            if enc.ids:
                ids = np.minimum(np.asarray(enc.ids, dtype=np.int64), top)
                v = np.asarray(self.weights[ids], dtype=np.float32).mean(axis=0)
                norm = float(np.linalg.norm(v))
                if norm > 0:
                    out[i] = v / norm
        return out


@functools.lru_cache(maxsize=1)
def load_embedding() -> StaticEmbedding:
    """The packaged model, loaded once per process."""
    weights, tokenizer = model_files()
    return StaticEmbedding(_memmap_safetensors(weights, _TENSOR), tokenizer)
