"""``rewardsim compile``: the shipped kernels compiled (or loaded) ahead of first use."""

from __future__ import annotations

import re

from typer.testing import CliRunner

import rewardsim.models as models
from rewardsim.cli import app

runner = CliRunner()


def test_compile_writes_each_method_of_each_model_to_the_kernel_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REWARDSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(models, "MODELS", {"pk1cmt": models.MODELS["pk1cmt"]})
    res = runner.invoke(app, ["compile", "--no-trial"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()  # the notices go to stderr
    # a linear model: the exact path and both ODE methods, each with its time
    assert [re.sub(r": [\d.]+ s$", "", x) for x in lines] == [
        "model pk1cmt (exact)", "model pk1cmt (rodas)", "model pk1cmt (dp5-rodas)"]
    kernels = tmp_path / "kernels"
    modules = [p for p in kernels.rglob("*.py")]
    assert modules, "no kernel module written to the cache"
    assert any("pk1cmt" in p.read_text() for p in modules)
