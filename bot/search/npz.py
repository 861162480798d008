"""`.npz` files whose arrays are memory-mapped on load instead of read and copied.

`np.load` reads every member of an `.npz` into fresh memory (and ignores `mmap_mode`); for an
index of 200 MB that is a few hundred milliseconds at every start and a private copy in every
process. Here each member is stored uncompressed with its data aligned to 64 bytes (a padding
record in the zip entry's extra field, as Android's zipalign does), so the loader can hand out
read-only views of one `np.memmap` of the file: loading costs nothing until a page is touched,
and processes serving the same index share its pages. The file stays a normal `.npz`:
`np.load` reads it too. Nothing is ever unpickled (`allow_pickle=False` on both sides).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

ALIGN = 64
LOCAL_HEADER = struct.Struct("<4s5H3I2H")
PADDING_RECORD = 0xD935  # the extra-field id zipalign uses for padding
ZIP64_LOCAL_EXTRA = 20  # what zipfile appends to the local header for a zip64 entry
NPY_HEADER_ROOM = 4096  # more than any .npy header, when judging if an entry needs zip64


def save(file: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` as an uncompressed `.npz` with every array's data 64-byte aligned."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            zip64 = array.nbytes + NPY_HEADER_ROOM > zipfile.ZIP64_LIMIT
            header_end = file.tell() + LOCAL_HEADER.size + len(info.filename.encode())
            # The .npy header pads itself to a multiple of 64, so aligning its start suffices.
            fixed = 4 + (ZIP64_LOCAL_EXTRA if zip64 else 0)
            pad = -(header_end + fixed) % ALIGN
            info.extra = struct.pack("<HH", PADDING_RECORD, pad) + bytes(pad)
            with zf.open(info, "w", force_zip64=zip64) as f:
                np.lib.format.write_array(f, array, allow_pickle=False)


def load(path: Path) -> dict[str, np.ndarray]:
    """Every array of an uncompressed `.npz`, as read-only views of one memory map.

    Raises `ValueError` (or `zipfile.BadZipFile`) for a file that is not such an `.npz`,
    including a truncated one; the data itself is not checksummed.
    """
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    # A plain ndarray view: slices of an np.memmap are memmaps too, each costing a microsecond.
    mapped = np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
    out: dict[str, np.ndarray] = {}
    with path.open("rb") as f:
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename}: not an uncompressed .npy member")
            fields = LOCAL_HEADER.unpack_from(mapped.data, info.header_offset)
            f.seek(info.header_offset + LOCAL_HEADER.size + fields[-2] + fields[-1])
            version = np.lib.format.read_magic(f)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(f)
            if dtype.hasobject or fortran:
                raise ValueError(f"{info.filename}: object or Fortran-ordered array")
            start = f.tell()
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if start + size > len(mapped) or start % dtype.alignment:
                raise ValueError(f"{info.filename}: data outside the file or misaligned")
            out[info.filename[:-4]] = mapped[start : start + size].view(dtype).reshape(shape)
    return out
