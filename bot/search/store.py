"""The search index persisted next to the articles, in `<knowledge>/.index/`.

Building the index of a 10,000-article archive takes most of a minute (MeCab over every
sentence); loading it back takes about a second. Each array is a plain `.npy` file, memory-mapped
on load with numpy's own reader (`np.load(mmap_mode="r", allow_pickle=False)`): nothing is read
until a question touches it, and processes serving the same index share its pages. Vocabularies
and the parsed library are stored as UTF-8 JSON bytes in arrays too.

`manifest.json` says which files make the index and what it was built from: `FORMAT_VERSION`,
the tokenizer's version and a hash of every knowledge file's name, size and modification time.
A change to any of them makes the stored index stale, and it is rebuilt. `FORMAT_VERSION` is
bumped by hand in the same commit as any change to what parsing or analysis produce;
tests/search/test_format_version.py fails when that output changes and the version does not.

Safe to start several processes at once: the arrays are written into a new generation folder,
then the manifest naming it replaces the old one with `os.replace` (atomic), so a reader sees
the old index or the new one, never a mix. Builders take a lock file so that the second one
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
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from bot.articles import Library, load_library
from bot.search import fields, heap, parts, snapshot, units, update
from bot.search.bm25 import BM25
from bot.search.paging import FileArray, advise
from bot.search.parts import IndexParts
from bot.text.kinds import KINDS
from bot.text.tokens import TOKENIZER_VERSION, Analyzer

# Windows has no fcntl: no lock there; concurrent builders both build, os.replace keeps one.
if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

# Bump with any change to what parsing, sentence splitting or analysis store (see above).
FORMAT_VERSION = 13
INDEX_DIR = ".index"
MANIFEST = "manifest.json"
GENERATION = "generation-"  # prefix of the folders that hold one build's arrays
LIBRARY = "library_"  # prefix of the arrays that hold the parsed library
LOCK_FILE = "lock"
POSTING_ARRAYS = ("indptr", "doc_ids", "codes", "pairs", "doc_len", "contributions")
STALE_TEMP_SECONDS = 3600
# Arrays a question reads a few entries of here and there. By default the kernel maps the 15
# pages around each page a question touches (fault-around) into the process: at 10,000
# real-text articles, after 500 questions, 40 of the 310 MB of postings resident had been read
# by none. Updates, which read them through, ask for read-ahead meanwhile (`paging.read_through`).
RANDOM_ACCESS = ("_doc_ids", "_contributions")


def index_path(folder: Path) -> Path:
    """The manifest: replaced (new inode, new mtime) exactly when a new index is stored."""
    return folder / INDEX_DIR / MANIFEST


def file_stamps(folder: Path) -> dict[str, list[int]]:
    """Every file of the knowledge folder by name: [size, modification time in ns]."""
    with os.scandir(folder) as entries:
        return {
            e.name: [st.st_size, st.st_mtime_ns]
            for e in entries
            if not e.name.startswith(".") and e.is_file()
            for st in (e.stat(),)
        }


def knowledge_hash(stamps: dict[str, list[int]]) -> str:
    """What the stored index must have been built from: every file's name, size and mtime."""
    h = hashlib.sha256()
    for name in sorted(stamps):
        size, mtime = stamps[name]
        h.update(f"{name}\0{size}\0{mtime}\0".encode())
    return h.hexdigest()


def expected_manifest(stamps: dict[str, list[int]]) -> dict[str, str | int]:
    """The manifest fields a current index of the files `stamps` describes carries."""
    return {
        "format": FORMAT_VERSION,
        "tokenizer": TOKENIZER_VERSION,
        "knowledge": knowledge_hash(stamps),
    }


def load_or_build(
    folder: Path, analyzer: Analyzer, previous: tuple[Library, IndexParts] | None = None
) -> tuple[Library, IndexParts]:
    """The library and its index: from the stored index when current, else updated from the
    stored one when a few articles changed (`bot.search.update`), else built; then stored.

    `previous`: what this process serves now (a reload), reused if the stored index is
    still the one it was loaded from, rather than opened again."""
    if os.environ.get(fields.WORKER_ENV):
        raise RuntimeError(
            "the knowledge base was loaded while an index worker process was starting: a script "
            "that loads it must do so under `if __name__ == '__main__':`"
        )
    stamps = file_stamps(folder)
    key = expected_manifest(stamps)
    seen = _stamp(index_path(folder))
    with _gc_paused():
        loaded = load(folder, key)
    if loaded:
        return loaded
    with _lock(folder), _gc_paused():
        # Another process may have stored it while we waited for the lock.
        if _stamp(index_path(folder)) != seen and (loaded := load(folder, key)):
            return loaded
        if updated := _update(folder, key, stamps, analyzer, previous):
            return updated
        start = time.perf_counter()
        library = load_library(folder)
        built = IndexParts.build(library, analyzer)
        stored = save(folder, key, stamps, library, built)
        log.info(
            "built the index of %s: %d articles, %d sentences in %.1f s",
            folder,
            len(library.articles),
            built.lemma.n_docs,
            time.perf_counter() - start,
        )
        # Served from the files just written, like every later start: the built arrays and
        # the parsed text (460 MB and more at 10,000 articles) are let go, the mapped pages are
        # shared with other processes and read only where a question touches them. In memory
        # as built only if the folder could not be written.
        loaded = load(folder, key, report=False) if stored else None
        if loaded is None:
            return library, built
        del library, built
        _return_freed_memory()
        return loaded


def _update(
    folder: Path,
    key: dict[str, str | int],
    stamps: dict[str, list[int]],
    analyzer: Analyzer,
    previous: tuple[Library, IndexParts] | None,
) -> tuple[Library, IndexParts] | None:
    """The stored index with the articles of changed files read again and spliced in, stored
    as a new generation; None when there is none of this format, too much changed, or the
    update fails (then the caller builds in full)."""
    path = index_path(folder)
    try:
        manifest = json.loads(path.read_bytes())
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT_VERSION
            or manifest.get("tokenizer") != TOKENIZER_VERSION
            or not isinstance(manifest.get("files"), dict)
        ):
            return None
        if previous and previous[1].generation == manifest["generation"]:
            library, parts = previous
            z, _ = _arrays(
                path.parent / str(manifest["generation"]), manifest["arrays"], by_offset=False
            )
        else:
            library, parts, z = _open(folder, manifest)
    except Exception:  # no stored index, or a damaged one: built in full
        return None
    names = update.changed_articles(
        manifest["files"], stamps, {a.path.name for a in library.articles}
    )
    if names is None:
        return None
    start = time.perf_counter()
    try:
        splice = update.Splice(folder, library, parts, _members(z, LIBRARY), names, analyzer)
        stored = _publish(folder, key, stamps, splice.write)
    except Exception:
        log.exception("could not update the stored index %s; building it in full", path)
        return None
    loaded = load(folder, key) if stored else None
    if loaded:
        log.info(
            "updated the index of %s for %d changed article file(s) in %.2f s",
            folder,
            len(names),
            time.perf_counter() - start,
        )
    return loaded


def load(
    folder: Path, key: dict[str, str | int], report: bool = True
) -> tuple[Library, IndexParts] | None:
    """The stored library and index if present, readable and current; otherwise None.

    `report`: log the files that could not be read as articles (not when they were just
    logged by the build that stored this index)."""
    path = index_path(folder)
    try:
        manifest = json.loads(path.read_bytes())
        if not isinstance(manifest, dict):
            raise ValueError(f"{MANIFEST} is not a JSON object")
        if any(manifest.get(field) != value for field, value in key.items()):
            log.info("stored index %s is out of date", path)
            return None
        library, parts, _ = _open(folder, manifest)
    except FileNotFoundError as e:
        if e.filename == str(path):
            return None  # never stored
        log.warning("stored index %s is unreadable (a file is missing: %s); rebuilding", path, e)
        return None
    except Exception as e:  # any damage to a cache means a rebuild, never a crash
        log.warning("stored index %s is unreadable (%s: %s); rebuilding", path, type(e).__name__, e)
        return None
    for error in library.errors if report else ():
        log.error("skipping article: %s", error)
    return library, parts


def _open(folder: Path, manifest: dict) -> tuple[Library, IndexParts, dict[str, np.ndarray]]:
    """The library and index of the generation `manifest` names, and its arrays by name."""
    generation = folder / INDEX_DIR / str(manifest["generation"])
    z, files = _arrays(generation, manifest["arrays"])
    on_damage = _damage_report(generation, index_path(folder))
    library = snapshot.load(_members(z, LIBRARY), folder, on_damage)
    field_indexes = [_field(z, files, name) for name in fields.FIELD_NAMES]
    unit_arrays = {name: z[f"units_{name}"] for name in units.FIELDS}
    kinds = z["kinds"]
    _check(library, unit_arrays, field_indexes, kinds)
    lemma, bigram, kanji = field_indexes  # in the order of fields.FIELD_NAMES
    parts = IndexParts(unit_arrays, lemma, bigram, kanji, kinds, generation=generation.name)
    return library, parts, z


def _damage_report(generation: Path, manifest: Path) -> Callable[[str], None]:
    """What to do when stored text turns out damaged while answering: say which file, and
    remove the manifest (once) so that the next start or /reload rebuilds the index."""
    reported = False

    def report(detail: str) -> None:
        nonlocal reported
        if reported:
            return
        reported = True
        log.error(
            "stored index text %s is damaged (%s): quoting from the article files instead; "
            "the index is rebuilt at the next start or /reload",
            generation / f"{LIBRARY}text.npy",
            detail,
        )
        with contextlib.suppress(OSError, ValueError):
            # Not if another process has stored a new index since: that one is fine.
            if json.loads(manifest.read_bytes()).get("generation") == generation.name:
                manifest.unlink()

    return report


def save(
    folder: Path,
    key: dict[str, str | int],
    stamps: dict[str, list[int]],
    library: Library,
    index: IndexParts,
) -> bool:
    """Store a built index as a new generation; whether it was stored."""
    arrays = stored_arrays(library, index)

    def write(staging: Path) -> list[str]:
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        return list(arrays)

    return _publish(folder, key, stamps, write)


def _publish(
    folder: Path,
    key: dict[str, str | int],
    stamps: dict[str, list[int]],
    write: Callable[[Path], list[str]],
) -> bool:
    """Have `write` fill a new generation folder with arrays, then point the manifest at it
    (atomically); whether it was stored. The manifest also records every knowledge file's
    stamp, so that the next change can tell which articles to read again.

    Older generations are removed afterwards: a process that has them mapped keeps its pages
    (POSIX unlink), and one that read the old manifest but not yet its files finds them gone,
    which reads as damage and sends it to the lock, where it loads the new generation.
    A folder we cannot write only costs a rebuild next start.
    """
    directory = folder / INDEX_DIR
    generation = f"{GENERATION}{time.time_ns()}-{secrets.token_hex(4)}"
    staging = directory / f"{generation}.tmp"
    manifest_tmp = directory / f"{MANIFEST}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        staging.mkdir(parents=True)
        names = write(staging)
        os.replace(staging, directory / generation)
        manifest = {**key, "generation": generation, "arrays": sorted(names), "files": stamps}
        # Compact: with `indent`, json encodes in Python, 70 ms for 10,000 files' stamps.
        manifest_tmp.write_text(
            json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        os.replace(manifest_tmp, index_path(folder))
    except OSError as e:
        log.warning(
            "cannot store the index in %s (%s); it will be rebuilt next start", directory, e
        )
        _discard(manifest_tmp, staging, directory / generation)
        return False
    except BaseException:  # an update that failed half-way: its caller builds in full
        _discard(manifest_tmp, staging, directory / generation)
        raise
    _remove_old_generations(directory, keep=generation)
    return True


def _discard(manifest_tmp: Path, *folders: Path) -> None:
    manifest_tmp.unlink(missing_ok=True)
    for partial in folders:
        shutil.rmtree(partial, ignore_errors=True)


def _remove_old_generations(directory: Path, keep: str) -> None:
    """Every finished generation but `keep`, and files of the layout before manifests."""
    for entry in directory.iterdir():
        if entry.name.startswith(GENERATION) and not entry.name.endswith(".tmp"):
            if entry.name != keep:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.name == "index.npz":  # FORMAT_VERSION 2 kept everything in one file
            entry.unlink(missing_ok=True)


def stored_arrays(library: Library, index: IndexParts) -> dict[str, np.ndarray]:
    """Every array an index is stored as, by name: what `FORMAT_VERSION` versions."""
    arrays: dict[str, np.ndarray] = {
        **{LIBRARY + name: array for name, array in snapshot.dump(library).items()},
        **{f"units_{name}": index.units[name] for name in units.FIELDS},
        "kinds": index.kinds,
    }
    for name, field in zip(
        fields.FIELD_NAMES, (index.lemma, index.bigram, index.kanji), strict=True
    ):
        arrays[f"{name}_vocabulary"] = _bytes(list(field.vocabulary))
        arrays.update({f"{name}_{a}": getattr(field, a) for a in POSTING_ARRAYS})
    return arrays


def _return_freed_memory() -> None:
    """At start-up, after a build: collect its cycles and hand the freed heap back to the
    system (`heap.trim`).

    Not during a /reload (another thread): a full collection and a trim hold the allocator
    and the interpreter while the event loop needs them.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    gc.collect()
    heap.trim()


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
    """Temporary files and folders left by builds that died; fresh ones may belong to a
    lock-less writer."""
    for tmp in directory.glob("*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > STALE_TEMP_SECONDS:
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink()


def _field(z: dict[str, np.ndarray], files: dict[str, FileArray], name: str) -> BM25:
    terms = _json(z[f"{name}_vocabulary"])
    vocabulary = dict(zip(terms, range(len(terms)), strict=True))
    field = BM25(  # the arrays `save` stored under the names in POSTING_ARRAYS
        vocabulary,
        indptr=z[f"{name}_indptr"],
        doc_ids=z[f"{name}_doc_ids"],
        codes=z[f"{name}_codes"],
        pairs=z[f"{name}_pairs"],
        doc_len=z[f"{name}_doc_len"],
        contributions=z[f"{name}_contributions"],
        min_idf=parts.MIN_IDF,
    )
    if files:
        field.read_from(files[f"{name}_doc_ids"], files[f"{name}_contributions"])
    return field


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
        if len(f.codes) != len(f.doc_ids) or len(f.contributions) != len(f.doc_ids):
            raise ValueError("postings and their codes or contributions disagree")
        if f.pairs.ndim != 2 or f.pairs.shape[1] != 2:
            raise ValueError("postings and their (tf, length) codes disagree")


def _arrays(
    generation: Path, names: list[str], by_offset: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, FileArray]]:
    """The arrays the manifest names, memory-mapped read-only (nothing is unpickled), and, with
    `by_offset` where the platform reads by offset, the postings' files to read that way
    (`paging.FileArray`).

    Each becomes a plain ndarray view of its map: slices of an `np.memmap` are memmaps too, and
    making one costs a microsecond, which a query pays for every term it looks up.
    """
    if not isinstance(names, list) or not all(
        isinstance(n, str) and n.isidentifier() for n in names
    ):
        raise ValueError(f"{MANIFEST}: 'arrays' is not a list of array names")
    arrays = {}
    files = {}
    for name in names:
        path = generation / f"{name}.npy"
        try:
            mapped = np.load(path, mmap_mode="r", allow_pickle=False)
            if name.endswith(RANDOM_ACCESS):
                advise(mapped, "MADV_RANDOM")
                if by_offset and FileArray.SUPPORTED:
                    files[name] = FileArray(mapped)
            arrays[name] = mapped.view(np.ndarray)
        except FileNotFoundError:
            raise
        except Exception as e:  # say which file, not only the manifest
            raise ValueError(f"{path}: {e}") from e
    return arrays, files


def _members(z: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {name.removeprefix(prefix): a for name, a in z.items() if name.startswith(prefix)}


def _bytes(data: object) -> np.ndarray:
    return np.frombuffer(json.dumps(data, ensure_ascii=False).encode(), dtype=np.uint8)


def _json(array: np.ndarray) -> dict | list:
    return json.loads(array.tobytes())
