"""Confined reads: a file that a document cites is read only inside what the user named.

A path inside a document (a statement's evidence, a dataset's sample) is as hostile as the
document: `../`, an absolute path or a symbolic link could point anywhere, and a verdict
on what was found there (a SHA-256 that matches) would reveal a file nobody named.  A FIFO
would hang the read and `/dev/zero` would never end.  So a cited path is

- resolved inside its root: the citing document's folder, or a root the user names;
  anything that lands outside it, lexically or through a symbolic link, is `Refused`
  before the file system is asked whether it exists;
- opened without blocking and kept only when it is a regular file (`open_regular`), no
  larger than a cap that is checked before the first byte is read;
- read in pieces (`sha256`), so memory stays bounded whatever the file holds.

`open_regular` is also how the front door (`safeload`) opens every document it reads.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from reference_impl.errors import InputError

# The largest file a document may cite (an evaluation report, a PDF of a test report):
# hashing it takes about a second; anything bigger is not evidence a person wrote.
MAX_CITED_BYTES = 512 * 2**20
_PIECE = 1 << 20


class Refused(InputError):
    """A cited path that is not read: outside its root, not a regular file, too large."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def locate(reference: str, base: Path, root: Path | None = None) -> Path:
    """The real path of the file `reference` names, relative to `base` (the citing
    document's folder) and confined to `root` (default: `base`).

    Refused when the path leaves the root: by `..` or an absolute path (decided on the
    text alone, so nothing is learnt about the outside), or through a symbolic link.
    The file need not exist; `open_regular` says so when it does not.
    """
    root = (root or base).resolve()
    lexical = Path(os.path.normpath(base.resolve() / reference))
    if not lexical.is_relative_to(root):
        raise Refused(reference, f"outside {root} (a cited file must be inside the folder "
                      "of the document that cites it, or inside the named root)")
    real = lexical.resolve()
    if not real.is_relative_to(root):
        raise Refused(reference, f"a symbolic link to {real}, outside {root}")
    return real


def open_regular(path: str | Path, name: str | None = None,
                 max_bytes: int | None = None) -> BinaryIO:
    """`path` opened for reading in binary, when it is a regular file of at most
    `max_bytes`; Refused otherwise, InputError when it cannot be opened.

    The open does not block (a FIFO with no writer would wait forever) and the checks
    are made on the opened file, not on its name, so the file cannot be swapped between.
    """
    name = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(name, f"not a regular file (a {_kind(info.st_mode)})")
        if max_bytes is not None and info.st_size > max_bytes:
            raise Refused(name, f"{info.st_size} bytes, larger than the {max_bytes} "
                          "a cited file may have")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sha256(path: Path, name: str, max_bytes: int = MAX_CITED_BYTES) -> str:
    """The SHA-256 of a regular file of at most `max_bytes`, read a piece at a time."""
    digest, read = hashlib.sha256(), 0
    with open_regular(path, name, max_bytes) as stream:
        while piece := stream.read(_PIECE):
            read += len(piece)
            if read > max_bytes:  # it grew after it was opened
                raise Refused(name, f"larger than the {max_bytes} bytes a cited file may have")
            digest.update(piece)
    return digest.hexdigest()


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR,
             "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))
    return next((name for test, name in kinds if test(mode)), "special file")
