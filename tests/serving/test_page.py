"""The page at GET /: self-contained, and in a real headless Chromium it draws a pasted article's officials."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import persnews
from persnews.render import _FORMER, to_html

from .conftest import needs_serve_extra, running

needs_serve_extra()

from fastapi.testclient import TestClient  # noqa: E402

from persnews.serving import create_app  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tiny_extractor: persnews.Extractor) -> TestClient:
    with TestClient(create_app(tiny_extractor, "tiny", max_chars=100)) as test_client:
        yield test_client


def test_page_is_rtl_and_self_contained(client: TestClient) -> None:
    page = client.get("/").text
    assert '<html lang=fa dir=rtl>' in page and "<textarea name=text" in page
    assert "<script" not in page and not re.search(r"(src|href)=\"?(https?:)?//", page)


def test_form_post_draws_the_result_like_format_html(client: TestClient, tiny_extractor: persnews.Extractor) -> None:
    text = "علی رضایی <b>معاون</b> گفت"
    page = client.post("/", data={"text": text}).text
    assert "علی رضایی &lt;b&gt;معاون&lt;/b&gt; گفت</textarea>" in page  # refilled, escaped
    expected = to_html([tiny_extractor.extract(text)])
    section = expected[expected.index("<section>"):expected.index("</body>")]
    assert section in page


def test_form_errors_are_shown_on_the_page(client: TestClient) -> None:
    response = client.post("/", data={"text": "x" * 101})
    assert response.status_code == 413 and "id=error" in response.text and "101" in response.text
    assert "id=error" in client.post("/", data={"text": "   "}).text


def test_page_in_a_headless_browser_shows_entities_and_officials(tmp_path: Path) -> None:
    """Paste the sample article with the shipped model behind the page; check marks and the officials table."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them in CI)")
    article = (REPO / "data" / "samples" / "article.txt").read_text(encoding="utf-8")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1600"):
        options.add_argument(flag)
    with running(create_app(persnews.load())) as url:
        browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
        try:
            browser.get(url + "/")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
            browser.find_element(By.ID, "text").send_keys(article)
            browser.find_element(By.ID, "submit").click()
            WebDriverWait(browser, 120).until(expected_conditions.presence_of_element_located((By.TAG_NAME, "section")))
            marks = {tuple(pair) for pair in browser.execute_script(
                "return [...document.querySelectorAll('section mark')]"
                ".map(m => [m.className.split(' ')[0], m.firstChild.textContent])")}
            tables = browser.find_elements(By.CSS_SELECTOR, "section table")
            officials = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                         for row in tables[-1].find_elements(By.TAG_NAME, "tr")[1:]]
            screenshot = Path(os.environ.get("PERSNEWS_ARTIFACTS", tmp_path)) / "serve-page.png"
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(screenshot))
        finally:
            browser.quit()
    expected = persnews.extract(article)
    assert marks == {(e.label, e.text) for e in expected.entities}
    assert {("PER", "مهدی کاویانی"), ("ROLE", "سخنگوی")} <= marks
    assert officials == [[o.name, p.role, p.institution or "—", _FORMER if p.former else ""]
                         for o in expected.officials for p in o.positions]
    assert "مهدی کاویانی" in [row[0] for row in officials]
    assert screenshot.stat().st_size > 10_000
