"""The search index persisted next to the articles, in `<knowledge>/.index/index.npz`.

Building the index of a 10,000-article archive takes most of a minute (MeCab over every
sentence); loading it back takes about a second. The file is one uncompressed `.npz` (numpy
arrays, read with `allow_pickle=False`; vocabularies and the parsed library as JSON bytes) and
carries a key: a hash of every file's name, size and modification time in the folder, the
tokenizer version, this format's version and the source of the code that parses and tokenizes.
Any change to these makes the stored index stale, and it is rebuilt.

Safe to start several processes at once: a complete file is written under a temporary name and
moved into place with `os.replace` (atomic), and builders take a lock file so that the second one
waits for the first and then loads its result instead of building again. A truncated or garbled
file is logged and rebuilt, never fatal; so is a folder we cannot write (the index then lives
in memory only).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bot import articles, text
from bot.articles import Library, load_library
from bot.search import bm25, fields, npz, parts, snapshot, units
from bot.search.bm25 import BM25
from bot.search.parts import IndexParts
from bot.text.kinds import KINDS
from bot.text.tokens import TOKENIZER_VERSION, Analyzer

# Windows has no fcntl: no lock there; concurrent builders both build, os.replace keeps one.
if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
INDEX_DIR = ".index"
INDEX_FILE = "index.npz"
LIBRARY = "library_"  # prefix of the members that hold the parsed library
LOCK_FILE = "lock"
POSTING_ARRAYS = ("indptr", "doc_ids", "contributions", "doc_len")
# Modules whose code decides what is stored and how it reads back: editing one makes every
# stored index stale. Query-time code (`bot.search.index`) is left out on purpose, so tuning the
# ranking does not cost a rebuild.
SOURCES = (
    *sorted(Path(articles.__file__).parent.glob("*.py")),
    *sorted(Path(text.__file__).parent.glob("*.py")),
    *map(
        Path,
        (
            bm25.__file__,
            fields.__file__,
            npz.__file__,
            parts.__file__,
            snapshot.__file__,
            units.__file__,
        ),
    ),
    Path(__file__),
)
STALE_TEMP_SECONDS = 3600


def index_path(folder: Path) -> Path:
    return folder / INDEX_DIR / INDEX_FILE


def fingerprint(folder: Path) -> str:
    """The key an index of `folder` must carry to be current."""
    h = hashlib.sha256(f"{FORMAT_VERSION}\0{TOKENIZER_VERSION}\0".encode())
    for source in SOURCES:
        h.update(source.read_bytes())
    with os.scandir(folder) as entries:
        files = sorted(
            (e.name, e.stat()) for e in entries if not e.name.startswith(".") and e.is_file()
        )
    for name, st in files:
        h.update(f"\0{name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def load_or_build(folder: Path, analyzer: Analyzer) -> tuple[Library, IndexParts]:
    """The library and its index: from the stored index when current, else built and stored."""
    if os.environ.get(fields.WORKER_ENV):
        raise RuntimeError(
            "the knowledge base was loaded while an index worker process was starting: a script "
            "that loads it must do so under `if __name__ == '__main__':`"
        )
    key = fingerprint(folder)
    seen = _stamp(index_path(folder))
    with _gc_paused():
        loaded = load(folder, key)
    if loaded:
        return loaded
    with _lock(folder), _gc_paused():
        # Another process may have stored it while we waited for the lock.
        if _stamp(index_path(folder)) != seen and (loaded := load(folder, key)):
            return loaded
        start = time.perf_counter()
        library = load_library(folder)
        built = IndexParts.build(library, analyzer)
        save(folder, key, library, built)
        log.info(
            "built the index of %s: %d articles, %d sentences in %.1f s",
            folder,
            len(library.articles),
            built.lemma.n_docs,
            time.perf_counter() - start,
        )
        return library, built


def load(folder: Path, key: str) -> tuple[Library, IndexParts] | None:
    """The stored library and index if present, readable and current; otherwise None."""
    path = index_path(folder)
    try:
        z = npz.load(path)
        meta = _json(z["meta"])
        if not isinstance(meta, dict):
            raise ValueError("meta is not a JSON object")
        if meta.get("key") != key:
            log.info("stored index %s is stale; rebuilding", path)
            return None
        library = snapshot.load(_members(z, LIBRARY), folder)
        field_indexes = [_field(z, name) for name in fields.FIELD_NAMES]
        unit_arrays = {name: z[f"units_{name}"] for name in units.FIELDS}
        kinds = z["kinds"]
        _check(library, unit_arrays, field_indexes, kinds)
    except FileNotFoundError:
        return None
    except Exception as e:  # any damage to a cache means a rebuild, never a crash
        log.warning("stored index %s is unreadable (%s: %s); rebuilding", path, type(e).__name__, e)
        return None
    for error in library.errors:
        log.error("skipping article: %s", error)
    lemma, bigram, kanji = field_indexes  # in the order of fields.FIELD_NAMES
    return library, IndexParts(unit_arrays, lemma, bigram, kanji, kinds)


def save(folder: Path, key: str, library: Library, index: IndexParts) -> None:
    """Write the index atomically; a folder we cannot write only costs a rebuild next start."""
    directory = folder / INDEX_DIR
    arrays: dict[str, np.ndarray] = {
        "meta": _bytes({"key": key, "format": FORMAT_VERSION}),
        **{LIBRARY + name: array for name, array in snapshot.dump(library).items()},
        **{f"units_{name}": index.units[name] for name in units.FIELDS},
        "kinds": index.kinds,
    }
    for name, field in zip(
        fields.FIELD_NAMES, (index.lemma, index.bigram, index.kanji), strict=True
    ):
        arrays[f"{name}_vocabulary"] = _bytes(list(field.vocabulary))
        arrays.update({f"{name}_{a}": getattr(field, a) for a in POSTING_ARRAYS})
    tmp = directory / f"{INDEX_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        directory.mkdir(exist_ok=True)
        # os.open with 0o666 honours the umask, unlike tempfile's private 0o600.
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            npz.save(f, arrays)
        os.replace(tmp, index_path(folder))
    except OSError as e:
        log.warning(
            "cannot store the index in %s (%s); it will be rebuilt next start", directory, e
        )
        tmp.unlink(missing_ok=True)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Identity of the stored file (inode, mtime, size): has someone replaced it since?"""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while making a million objects that hold no cycles.

    Each collection walks every tracked object and allocation keeps triggering them: with it on,
    loading a 10,000-article library takes four times as long. The objects are then frozen
    (`gc.freeze`) when loading at start-up, or the first collections after loading would walk
    them all again, pausing a query (or the event loop) for a few hundred milliseconds;
    refcounting still frees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Only at start-up (the main thread, before anything else runs): frozen objects are
        # never collected, so freezing during a /reload would also freeze whatever garbage the
        # event loop holds at that moment, for good.
        if threading.current_thread() is threading.main_thread():
            gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """Hold `<folder>/.index/lock` while building, if the folder is writable."""
    directory = folder / INDEX_DIR
    try:
        directory.mkdir(exist_ok=True)
        handle = (directory / LOCK_FILE).open("a")
    except OSError:
        yield
        return
    with handle:
        if sys.platform != "win32":
            fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_stale_temporaries(directory)
        yield


def _remove_stale_temporaries(directory: Path) -> None:
    """Temporary files left by builds that died; fresh ones may belong to a lock-less writer."""
    for tmp in directory.glob("*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > STALE_TEMP_SECONDS:
                tmp.unlink()


def _field(z: dict[str, np.ndarray], name: str) -> BM25:
    terms = _json(z[f"{name}_vocabulary"])
    vocabulary = dict(zip(terms, range(len(terms)), strict=True))
    return BM25(  # the arrays `save` stored under the names in POSTING_ARRAYS
        vocabulary,
        indptr=z[f"{name}_indptr"],
        doc_ids=z[f"{name}_doc_ids"],
        contributions=z[f"{name}_contributions"],
        doc_len=z[f"{name}_doc_len"],
        min_idf=parts.MIN_IDF,
    )


def _check(
    library: Library,
    unit_arrays: dict[str, np.ndarray],
    field_indexes: list[BM25],
    kinds: np.ndarray,
) -> None:
    """Reject a file whose parts disagree (a bug or a mix of versions), rather than misanswer."""
    n = len(unit_arrays["sentence"])
    if any(len(a) != n for a in unit_arrays.values()) or any(f.n_docs != n for f in field_indexes):
        raise ValueError("units and fields disagree on the number of sentences")
    if kinds.shape != (n, len(KINDS)):
        raise ValueError("answer kinds and units disagree")
    if n and int(unit_arrays["article"].max()) >= len(library.articles):
        raise ValueError("units point past the last article")
    for f in field_indexes:
        if len(f.indptr) != len(f.vocabulary) + 1 or f.indptr[-1] != len(f.doc_ids):
            raise ValueError("postings and vocabulary disagree")
        if len(f.doc_ids) and not 0 <= int(f.doc_ids.min()) <= int(f.doc_ids.max()) < n:
            raise ValueError("postings point outside the sentences")


def _members(z: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {name.removeprefix(prefix): a for name, a in z.items() if name.startswith(prefix)}


def _bytes(data: object) -> np.ndarray:
    return np.frombuffer(json.dumps(data, ensure_ascii=False).encode(), dtype=np.uint8)


def _json(array: np.ndarray) -> dict | list:
    return json.loads(array.tobytes())
