"""Say when a numba kernel is being compiled, and how long it took.

The first run of a model compiles its kernel (tens of seconds for the large models)
before any subject is simulated. :func:`ensure_compiled` compiles the kernel for the
argument types of the coming call, before the call, and logs on the ``rewardsim``
logger (level INFO)::

    compiling model baclofen (first run only) ...
    compiled model baclofen in 41.3 s (cached in ~/.cache/rewardsim; later runs skip this)

A kernel found in numba's on-disk cache loads silently. Whether it is there is read
from numba's cache index before compiling; should that ever fail (it is not a public
numba API), the first line is printed once the work has lasted two seconds. The command
line prints these lines on stderr, on a terminal or not; Python users see them after
``logging.basicConfig(level=logging.INFO)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numba

__all__ = ["compiling", "ensure_compiled", "logger"]

logger = logging.getLogger("rewardsim")
#: Seconds of silent work before the "compiling" line is printed, when the cache index
#: cannot be read (a cache load takes about a second for the largest kernels).
NOTICE_AFTER_S = 2.0


def _in_cache(dispatcher: Any, sig: tuple[object, ...]) -> bool | None:
    """True/False if numba's on-disk cache index has ``sig``; None if it cannot be read."""
    try:
        cache = dispatcher._cache
        key = cache._index_key(sig, dispatcher.targetctx.codegen())
        return key in cache._cache_file._load_index()
    except Exception:  # private numba API: unknown is a safe answer
        return None


def ensure_compiled(dispatcher: Any, args: Sequence[object], what: str) -> None:
    """Compile (or load from the on-disk cache) ``dispatcher`` for the types of ``args``.

    ``what`` names the kernel in the messages, e.g. ``"model baclofen"``. A kernel
    already compiled in this process for these types returns at once.
    """
    sig = tuple(numba.typeof(a) for a in args)
    if sig in dispatcher.overloads:
        return
    start = time.perf_counter()
    announced = threading.Event()

    def announce() -> None:
        announced.set()
        logger.info("compiling %s (first run only) ...", what)

    cached = _in_cache(dispatcher, sig)
    if cached is True:
        dispatcher.compile(sig)
        return
    if cached is False or NOTICE_AFTER_S <= 0:
        announce()
    timer = threading.Timer(max(NOTICE_AFTER_S, 0.0), announce)
    timer.daemon = True
    if not announced.is_set():
        timer.start()
    try:
        dispatcher.compile(sig)
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - start
    if not announced.is_set():
        return
    if dispatcher.stats.cache_hits.get(sig, 0):
        logger.info("loaded %s from the kernel cache in %.1f s", what, elapsed)
    elif dispatcher.stats.cache_path:
        logger.info("compiled %s in %.1f s (cached in %s; later runs skip this)",
                    what, elapsed, dispatcher.stats.cache_path)
    else:
        logger.info("compiled %s in %.1f s", what, elapsed)


@contextmanager
def compiling(what: str, compiled: Callable[[], bool], where: object = None) -> Iterator[None]:
    """Say so while the block compiles ``what`` for more than NOTICE_AFTER_S seconds, and
    how long it took when ``compiled()`` (asked after the block) says it compiled anything
    rather than loading it from the cache.

    For code compiled as it is imported (a model's ``cfunc`` functions), whose cache
    state is known only afterwards.
    """
    start = time.perf_counter()
    announced = threading.Event()

    def announce() -> None:
        announced.set()
        logger.info("compiling %s (first run only) ...", what)

    timer = threading.Timer(max(NOTICE_AFTER_S, 0.0), announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - start
    if compiled():
        where_text = f" (cached in {where}; later runs skip this)" if where else ""
        logger.info("compiled %s in %.1f s%s", what, elapsed, where_text)
    elif announced.is_set():
        logger.info("loaded %s from the kernel cache in %.1f s", what, elapsed)
