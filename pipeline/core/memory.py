"""Memory freed handed back to the system, not kept by the allocators for later.

A run's process and its validation process each go through one large table after another (a
batch of rows, a bucket's file): the allocators keep what was freed (pyarrow's pool its pages,
glibc its fragmented arenas), so without this their resident size climbs to the largest few
tables summed instead of the largest one."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def give_back() -> None:
    """After a large table is done with: pyarrow's unused pages and glibc's free heap returned."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:  # glibc only (not musl, not macOS)
        libc.malloc_trim(0)
