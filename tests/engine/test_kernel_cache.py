"""A cached kernel module is imported only if its content hashes to the digest in its name
(issue 15: it was imported unchecked)."""

from __future__ import annotations

import sys

import pytest

from rewardsim.engine import _codegen
from rewardsim.models import pk1cmt


@pytest.mark.parametrize("planted", [
    "raise SystemExit('a planted module was imported')\n",
    "",  # truncated to nothing
    b"\xff\xfe not text",
])  # fmt: skip
def test_a_module_that_does_not_match_its_hash_is_rewritten(tmp_path, monkeypatch, planted):
    monkeypatch.setenv("REWARDSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_codegen, "_LOADED", {})
    model = pk1cmt()
    src = _codegen.model_source(model, 0)
    key = f"rewardsim_kernel_pk1cmt_m0_{_codegen._digest(src)}"
    path = _codegen.cache_dir() / f"{key}.py"
    path.parent.mkdir(parents=True)
    if isinstance(planted, bytes):
        path.write_bytes(planted)
    else:
        path.write_text(planted)
    # Importing compiles the model's small functions (about a second).
    module = _codegen._load(model, 0)
    sys.modules.pop(key, None)
    assert path.read_text() == src
    assert module.rhs.address != 0
    assert sorted(p.name for p in path.parent.iterdir() if not p.is_dir()) == [path.name]


def test_a_matching_module_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("REWARDSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_codegen, "_LOADED", {})
    model = pk1cmt()
    _codegen._load(model, 0)
    (path,) = _codegen.cache_dir().glob("*.py")
    before = path.stat().st_mtime_ns
    monkeypatch.setattr(_codegen, "_LOADED", {})
    _codegen._load(model, 0)
    assert path.stat().st_mtime_ns == before  # numba's cache of it stays valid
    for key in [k for k in sys.modules if k.startswith("rewardsim_kernel_pk1cmt_m0_")]:
        sys.modules.pop(key)
