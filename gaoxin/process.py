"""How a run uses its process's memory: Python's cyclic collector and glibc's allocator.

A province-scale run makes millions of Python objects (one per geometry) and allocates
gigabytes in large arrays. Two defaults of the process cost it seconds there, neither buying
anything in return:

- the cyclic collector makes a full pass over every tracked object each time their number
  grows by a quarter; reading 1M parcels and 3M buildings (each geometry a tracked object,
  none in a cycle) ran pass after pass: ≈ 3 s of a 13 s load (:func:`collector_paused`);
- glibc grows a thread's heap 128 KiB at a time (an ``mprotect`` each, costly in a virtual
  machine) and, once any malloc setting is made, maps and unmaps every array above 128 KiB
  afresh, faulting its pages in each time (:func:`keep_heap_pages`).

Only the ``gaoxin`` command changes the allocator: a library leaves its host process's
settings alone. Elsewhere than glibc the allocator settings do nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import platform
import threading
from collections.abc import Iterator
from functools import cache

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
# A heap grows by this much more than asked (one mprotect per 64 MiB, not per 128 KiB);
# untouched, the pad costs no memory.
HEAP_TOP_PAD = 64 * 1024 * 1024
# Arrays below this come from the heap and are reused there (glibc's own ceiling for this
# setting): a 1M-row float column (8 MB) or a 3M-row one (24 MB) is no longer mapped and
# faulted in anew each time. Freed memory at the heap's top above this goes back.
MMAP_THRESHOLD = 32 * 1024 * 1024

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; nests, and is safe across threads.

    The collector is enabled again when the last block ends, if it was before the first.
    Objects are still freed by reference counting meanwhile; only cycles wait.

    Examples
    --------
    >>> import gc
    >>> with collector_paused():
    ...     with collector_paused():
    ...         gc.isenabled()
    ...     gc.isenabled()
    False
    False
    >>> gc.isenabled()
    True
    """
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def _libc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@cache
def keep_heap_pages() -> bool:
    """Tell glibc's allocator to grow heaps in large steps and keep arrays up to
    :data:`MMAP_THRESHOLD` in the heap (once per process); whether it took the settings.

    Measured loading 1M parcels and 3M buildings on 2 cores: 13–16 s → 10–11 s together
    with :func:`collector_paused`, peak memory unchanged (3.6 GB for the whole run).
    """
    libc = _libc()
    if libc is None:
        return False
    # Setting any of these turns glibc's self-adjusting thresholds off: set all three.
    return all(libc.mallopt(param, value) == 1 for param, value in (
        (_M_TOP_PAD, HEAP_TOP_PAD), (_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (_M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD)))


def return_freed_memory() -> None:
    """Hand memory freed inside the process back to the system (glibc's ``malloc_trim``).

    Millions of freed GEOS geometries leave the C heap full of small holes that glibc
    keeps; a large array allocated later takes fresh pages instead, so the peak grows by
    what was freed. Elsewhere than glibc this does nothing.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
