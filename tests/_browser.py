"""Headless Chromium through Selenium and the system chromedriver, shared by the browser tests.

No driver is downloaded at run time (an explicit chromedriver path, so Selenium
Manager is never asked), and host-name resolution is switched off, so a page
can only load local files. Skips the test when Chromium, chromedriver or
Selenium is missing; ``.ci/run`` installs ``chromium chromium-driver`` (Debian).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def headless_chromium(window: str = "1400,1600") -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip(
            "headless Chromium is not installed (Debian: apt-get install chromium "
            "chromium-driver; .ci/run installs it)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={window}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # a reader with no network
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(chromedriver))
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
