"""Make the README's screenshot of the demo report (1366x768, headless Debian Chromium).

Run from the repository root: ``.venv/bin/python data_samples/make_screenshot.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from chronology.config import load_config
from chronology.pipeline import run_case
from chronology.views.report import write_report

ROOT = Path(__file__).resolve().parent
SHOT = ROOT / "child_h_timeline.png"


def main() -> None:
    """Render the demo report and save the top of the page as PNG."""
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "timeline.html"
        write_report(run_case(load_config(ROOT / "child_h" / "case.toml")), page_path)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(page_path.as_uri())
            page.wait_for_function("window.__plotReady !== null")
            page.screenshot(path=str(SHOT), clip={"x": 0, "y": 0, "width": 1366, "height": 720})
            browser.close()
    print(f"Wrote {SHOT}")


if __name__ == "__main__":
    main()
