"""Open the report in headless Chromium: no console errors, every section rendered.

Detection is twofold: Chromium's ``--enable-logging=stderr`` prints every console
message as a ``CONSOLE`` line (the report logs nothing, so any such line is a
failure), and the report's inline script writes the page errors it saw and the
sections it found into ``<body data-errors=... data-sections=...>``, which
``--dump-dom`` returns after the page has loaded.
"""

import json
import re
import shutil
import subprocess
from html import unescape

import pytest

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.report import SECTIONS, build_report

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)


def _open(path, tmp_path):
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
        "--v=0", "--dump-dom", path.resolve().as_uri(),
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _body_attr(dom, name):
    m = re.search(rf'<body[^>]*\b{name}="([^"]*)"', dom)
    assert m, f"<body> has no {name} attribute; the report script did not run"
    return unescape(m.group(1))


def test_report_opens_without_console_errors(tmp_path):
    run = write_synthetic_run(tmp_path / "run", n_per_arm=20, weeks=5, replicates=3, seed=4)
    report = build_report(run, tmp_path / "report.html")
    proc = _open(report, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert json.loads(_body_attr(proc.stdout, "data-errors")) == []
    assert _body_attr(proc.stdout, "data-sections").split() == list(SECTIONS)


def test_detector_catches_a_broken_page(tmp_path):
    # The check above can fail: a page with a script error is caught both ways.
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><script>window.__e=[];"
        "window.addEventListener('error',function(e){window.__e.push(e.message)});</script>"
        "</head><body><script>undefinedFunction();</script><script>"
        "document.body.setAttribute('data-errors', JSON.stringify(window.__e));</script>"
        "</body></html>"
    )
    proc = _open(bad, tmp_path)
    assert any("CONSOLE" in line for line in proc.stderr.splitlines())
    assert "undefinedFunction" in _body_attr(proc.stdout, "data-errors")
