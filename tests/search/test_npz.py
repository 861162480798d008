"""Aligned `.npz`: memory-mapped on load, still an ordinary `.npz` for numpy."""

import zipfile

import numpy as np
import pytest

from bot.search import npz

ARRAYS = {
    "ints": np.arange(1000, dtype=np.int32),
    "floats": np.linspace(0, 1, 777),
    "bytes": np.frombuffer("日本語のJSON".encode(), dtype=np.uint8),
    "empty": np.zeros(0, dtype=np.int64),
    "small": np.array([1, 2, 3], dtype=np.uint8),
}


def write(tmp_path, arrays=ARRAYS):
    path = tmp_path / "a.npz"
    with path.open("wb") as f:
        npz.save(f, arrays)
    return path


def test_round_trip_memory_mapped_and_aligned(tmp_path):
    loaded = npz.load(write(tmp_path))
    assert loaded.keys() == ARRAYS.keys()
    for name, array in ARRAYS.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].dtype == array.dtype
        assert not loaded[name].flags.writeable  # a view of the read-only map, not a copy
        assert loaded[name].ctypes.data % npz.ALIGN == 0 or not len(array)


def test_numpy_reads_it_too(tmp_path):
    with np.load(write(tmp_path), allow_pickle=False) as z:
        for name, array in ARRAYS.items():
            np.testing.assert_array_equal(z[name], array)


def test_truncated_or_compressed_files_are_rejected(tmp_path):
    path = write(tmp_path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        npz.load(path)
    np.savez_compressed(path, a=np.arange(10))
    with pytest.raises(ValueError, match="uncompressed"):
        npz.load(path)
