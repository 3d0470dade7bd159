"""Open a Snakemake HTML report in headless Chromium and list the figures it really shows.

The report is a single page whose results are embedded as data URIs in a global `results`
(with `categories` for the menu). We append a small script (assets/report_probe.js) that decodes
each one in the browser after the page has loaded, and read its findings from the DOM that
Chromium dumps: a figure counts as there when Chromium decodes it to a non-empty image.

  python -m workflow_lib.workflow.report_check report.html [--screenshot report.png]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PROBE = Path(__file__).parent / "assets" / "report_probe.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def chromium() -> str:
    """The Chromium binary (Debian's `chromium` package), or a clear error."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    raise FileNotFoundError("headless Chromium not found: apt-get install chromium")


def inspect_report(report: str | Path, timeout: float = 120) -> dict:
    """{'results': {path: {width, height, mime, caption}}, 'categories': {...}} as Chromium saw them."""
    page = Path(report).read_text(encoding="utf-8")
    end = page.rfind("</body>")  # the last one: the embedded scripts contain the string too
    if end < 0:
        raise ValueError(f"{report}: not an HTML report (no </body>)")
    probed = page[:end] + "<script>" + PROBE.read_text() + "</script>" + page[end:]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        path.write_text(probed, encoding="utf-8")
        out = subprocess.run([chromium(), *FLAGS, "--virtual-time-budget=30000", "--dump-dom", path.as_uri()],
                             capture_output=True, text=True, timeout=timeout)
    matches = re.findall(r'<pre id="report-probe">(.*?)</pre>', out.stdout, re.S)
    if not matches:
        raise RuntimeError(f"{report}: Chromium did not run the report's page (exit {out.returncode}): {out.stderr[-500:]}")
    return json.loads(html.unescape(matches[-1]))


def screenshot(report: str | Path, png: str | Path, size: str = "1400,1000", timeout: float = 120) -> Path:
    """A PNG of the report's first page as Chromium renders it."""
    png = Path(png).resolve()
    subprocess.run([chromium(), *FLAGS, "--virtual-time-budget=10000", f"--window-size={size}",
                    f"--screenshot={png}", Path(report).resolve().as_uri()],
                   capture_output=True, timeout=timeout, check=True)
    return png


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report")
    p.add_argument("--screenshot")
    args = p.parse_args()
    found = inspect_report(args.report)
    for path, r in found["results"].items():
        print(f"{path}: {r['width']}x{r['height']} {r['mime']}  {r['caption'][:80]!r}")
    if args.screenshot:
        print("screenshot:", screenshot(args.report, args.screenshot))


if __name__ == "__main__":
    main()
