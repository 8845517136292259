"""The "compiling model X (first run only)" line: said on a cache miss, silent on a hit."""

import importlib.util
import logging
import sys

import numpy as np

from rewardsim.cli._main import _log_to_stderr
from rewardsim.engine import _compile_notice
from rewardsim.engine._compile_notice import ensure_compiled

KERNEL = """
from numba import njit


@njit(cache=True)
def kernel(x, k):
    return x.sum() * k
"""


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_compile_is_announced_with_its_time_then_cached_silently(tmp_path, caplog):
    path = tmp_path / "tiny_kernel.py"
    path.write_text(KERNEL)
    args = (np.ones(3), 2.0)
    with caplog.at_level(logging.INFO, logger="rewardsim"):
        first = _load(path, "tiny_kernel_a")
        ensure_compiled(first.kernel, args, "model tiny")
        assert first.kernel(*args) == 6.0
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "compiling model tiny (first run only) ..."
    assert lines[1].startswith("compiled model tiny in ") and " s (cached in " in lines[1]
    assert len(lines) == 2
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rewardsim"):
        # Same source in a new process (here: a fresh import): loaded from the cache, silently.
        second = _load(path, "tiny_kernel_b")
        ensure_compiled(second.kernel, args, "model tiny")
        ensure_compiled(second.kernel, args, "model tiny")  # already compiled: no work
    assert caplog.records == []
    assert second.kernel.stats.cache_hits and not second.kernel.stats.cache_misses


def test_unknown_cache_state_announces_after_a_delay(monkeypatch, caplog):
    from numba import njit

    @njit  # no on-disk cache: the cache index cannot say
    def uncached(x):
        return x + 1

    monkeypatch.setattr(_compile_notice, "NOTICE_AFTER_S", 0.0)
    with caplog.at_level(logging.INFO, logger="rewardsim"):
        ensure_compiled(uncached, (1.0,), "model plain")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "compiling model plain (first run only) ..."
    assert lines[1].startswith("compiled model plain in ") and lines[1].endswith(" s")


def test_cli_prints_library_lines_on_stderr_once(capsys, monkeypatch):
    logger = logging.getLogger("rewardsim")
    monkeypatch.setattr(logger, "handlers", [])  # restored after the test
    monkeypatch.setattr(logger, "level", logger.level)
    _log_to_stderr()
    _log_to_stderr()  # idempotent: one handler
    logger.info("compiling model x (first run only) ...")
    assert capsys.readouterr().err == "compiling model x (first run only) ...\n"
