"""Open the report in headless Chromium: no console errors, no request leaving the page,
every section rendered, every figure decoded.

Detection is threefold: Chromium's ``--enable-logging=stderr`` prints every console
message as a ``CONSOLE`` line (the report logs nothing, so any such line is a failure);
the report's inline script writes the page errors it saw, the sections it found and how
many of its images decoded into ``<body data-errors= data-sections= data-figures=>``,
which ``--dump-dom`` returns after the page has loaded; and ``--log-net-log`` records
every network request, of which those made for the page (network isolation key of the
``file://`` page) must be none (the browser's own background requests are ignored).
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
    netlog = tmp_path / "netlog.json"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing could be fetched anyway
        f"--log-net-log={netlog}", "--v=0", "--dump-dom", path.resolve().as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    return proc, _page_requests(netlog)


def _page_requests(netlog):
    """URLs the page itself asked for (not file: or data:), from Chromium's net log."""
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for e in log["events"]:
        p = e.get("params", {})
        if e["type"] == start and "file://" in p.get("network_isolation_key", ""):
            if not p["url"].startswith(("file:", "data:")):
                urls.append(p["url"])
    return urls


def _body_attr(dom, name):
    m = re.search(rf'<body[^>]*\b{name}="([^"]*)"', dom)
    assert m, f"<body> has no {name} attribute; the report script did not run"
    return unescape(m.group(1))


def test_report_opens_without_console_errors_or_requests(tmp_path):
    run = write_synthetic_run(tmp_path / "run", n_per_arm=20, weeks=5, replicates=3, seed=4)
    report = build_report(run, tmp_path / "report.html")
    proc, requests = _open(report, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert json.loads(_body_attr(proc.stdout, "data-errors")) == []
    # Every section, the new ones included (sensitivity and subgroup forest plots, ...).
    assert _body_attr(proc.stdout, "data-sections").split() == list(SECTIONS)
    decoded, total = map(int, _body_attr(proc.stdout, "data-figures").split("/"))
    # urine, sensitivity, subgroups, >= 1 endpoint forest, KM, ratings, power, power curve
    assert total >= 8 and decoded == total
    assert requests == []


def test_detector_catches_a_broken_page(tmp_path):
    # The checks above can fail: a script error and an external image are both caught.
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><script>window.__e=[];"
        "window.addEventListener('error',function(e){window.__e.push(e.message)});</script>"
        "</head><body><img src='http://example.invalid/x.png'>"
        "<script>undefinedFunction();</script><script>"
        "document.body.setAttribute('data-errors', JSON.stringify(window.__e));</script>"
        "</body></html>"
    )
    proc, requests = _open(bad, tmp_path)
    assert any("CONSOLE" in line for line in proc.stderr.splitlines())
    assert "undefinedFunction" in _body_attr(proc.stdout, "data-errors")
    assert requests == ["http://example.invalid/x.png"]
