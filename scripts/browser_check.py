"""The search page in a real browser (headless Chromium through Selenium), against a live server
that serves the embedded demo bundle with its gallery seeded. Called by scripts/browser-check.

Every expectation comes from the server's own API answer for the same request, or from the demo
gallery's captions file: the page must show what /v1/search answers, in its order, with the
gallery's captions, and its thumbnails must load.
"""
import argparse
import base64
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

QUERY = "两个红色的圆形"  # "two red circles"
K = 24
SEEDED = 400  # GallerySeeder.maximumImages: the first lines of captions.jsonl are in the collection


# The server runs with this key in auth.api_keys: the page must send it on every user request
# (thumbnails included), and the expectations are read from the API with it.
API_KEY = os.environ.get("BROWSER_CHECK_API_KEY", "")


def api(base, path, body=None, token=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if API_KEY and path.startswith("/v1/"):
        headers["X-API-Key"] = API_KEY
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("  ✓ " + message)


class Page:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base
        self.wait = WebDriverWait(driver, 60)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def tab(self, name):
        self.driver.find_element(By.CSS_SELECTOR, f'[data-tab="{name}"]').click()

    def wait_state(self, element_id, previous_token):
        """Waits until the status element reports done or failed for a new request."""
        def finished(_):
            state = self.js(f"return document.getElementById('{element_id}').dataset.state")
            token = self.js(f"return document.getElementById('{element_id}').textContent")
            return state in ("done", "failed") and (state, token) != previous_token and state
        self.wait.until(finished)
        state = self.js(f"return document.getElementById('{element_id}').dataset.state")
        text = self.js(f"return document.getElementById('{element_id}').textContent")
        check(state == "done", f"#{element_id} reports done ({text})")

    def status_token(self, element_id):
        return (self.js(f"return document.getElementById('{element_id}').dataset.state"),
                self.js(f"return document.getElementById('{element_id}').textContent"))

    def cards(self, grid="results"):
        return self.js(f"""return Array.from(document.querySelectorAll('#{grid} .hit')).map(card => ({{
            id: Number(card.dataset.id),
            caption: (card.querySelector('.caption') || {{}}).textContent || '',
            zh: (card.querySelector('.caption-zh') || {{}}).textContent || '',
            score: (card.querySelector('.score') || {{}}).textContent || '' }}))""")

    def wait_thumbnails(self, grid="results"):
        self.wait.until(lambda _: self.js(f"""const images = Array.from(document.querySelectorAll('#{grid} .hit img'));
            return images.length > 0 && images.every(img => img.dataset.loaded)"""))
        sizes = self.js(f"""return Array.from(document.querySelectorAll('#{grid} .hit img'))
            .map(img => [img.dataset.loaded, img.naturalWidth, img.naturalHeight])""")
        check(all(state == "true" and 0 < w <= 256 and 0 < h <= 256 for state, w, h in sizes),
              f"all {len(sizes)} thumbnails in #{grid} loaded from /v1/images/{{id}}/thumbnail (at most 256 px)")

    def search_text(self, query):
        before = self.status_token("search-status")
        field = self.driver.find_element(By.ID, "query")
        field.clear()
        field.send_keys(query)
        self.driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
        self.wait_state("search-status", before)

    def search_image(self, path):
        before = self.status_token("search-status")
        self.driver.find_element(By.ID, "search-file").send_keys(os.path.abspath(path))
        self.wait_state("search-status", before)


def two_red_circles(captions):
    return {c["en"]: c["zh"] for c in captions
            if (c["labels"]["shape"], c["labels"]["colour"], c["labels"]["count"]) == ("circle", "red", 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--gallery", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    captions = [json.loads(line) for line in open(os.path.join(args.gallery, "captions.jsonl"), encoding="utf-8")]
    known = two_red_circles(captions[:SEEDED])

    options = Options()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                 "--lang=zh-CN", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    try:
        run(Page(driver, args.base), args, captions, known)
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not errors, "no errors in the browser console (a Content-Security-Policy violation would be one)"
              + ("" if not errors else f": {errors}"))
    finally:
        driver.quit()


def run(page, args, captions, known):
    driver, base = page.driver, args.base
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    driver.get(base + "/")
    page.wait.until(lambda _: driver.find_element(By.ID, "query"))
    check("AdaptCLIP" in driver.title, f"the page loads ({driver.title})")

    if API_KEY:
        print("== API keys: refused without the key, served with it")
        before = page.status_token("search-status")
        driver.find_element(By.ID, "query").send_keys(QUERY)
        driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
        page.wait.until(lambda _: page.status_token("search-status") != before
                        and page.status_token("search-status")[0] in ("done", "failed"))
        state, text = page.status_token("search-status")
        check(state == "failed" and "401" in text, f"without the key the page shows the refusal ({text.strip()[:80]})")
        # Chromium logs the refused fetch as a console error; reading the log empties it, so the
        # final no-errors check covers everything after this expected refusal.
        refused = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(all("401" in e["message"] for e in refused), f"the console shows only the expected 401 ({len(refused)} line(s))")
        page.js("localStorage.setItem('adaptclip.apiKey', arguments[0])", API_KEY)
        driver.refresh()
        page.wait.until(lambda _: driver.find_element(By.ID, "query"))
        check(driver.find_element(By.ID, "api-key").get_attribute("value") == API_KEY,
              "the key typed once is kept in this browser and shown in its field")

    print(f"== a Chinese search: {QUERY}")
    expected = api(base, "/v1/search", {"query": QUERY, "k": K})
    page.search_text(QUERY)
    shown = page.cards()
    check([c["id"] for c in shown] == [h["id"] for h in expected["hits"]],
          f"the grid shows /v1/search's {len(expected['hits'])} hits in its order")
    lang = driver.execute_script("return document.getElementById('search-status').dataset.lang")
    check(lang == expected["lang"] == "zh", f"the status shows the language path the server used ({lang})")
    check(expected["lang"] in driver.find_element(By.ID, "search-status").text, "the path is visible in the status line")
    top = shown[:5]
    right = [c for c in top if c["caption"] in known and c["zh"] == known[c["caption"]]]
    check(len(right) >= 3, f"{len(right)} of the top 5 show a demo-gallery caption of two red circles, "
          f"English and Chinese (e.g. “{right[0]['caption'] if right else '-'}” / “{right[0]['zh'] if right else '-'}”)")
    check(all(c["score"].startswith(f"{h['score']:.3f}") for c, h in zip(shown, expected["hits"])),
          "each card shows its score")
    page.wait_thumbnails()
    driver.save_screenshot(os.path.join(args.out, "search-desktop.png"))

    print("== more like this")
    first = shown[0]["id"]
    like = api(base, "/v1/search", {"id": first, "k": K})
    before = page.status_token("search-status")
    driver.find_element(By.CSS_SELECTOR, f'#results .hit[data-id="{first}"]').click()
    page.wait_state("search-status", before)
    similar = page.cards()
    check([c["id"] for c in similar] == [h["id"] for h in like["hits"]],
          f"clicking #{first} shows /v1/search with \"id\": {first}, in its order")
    check(first not in [c["id"] for c in similar], f"#{first} itself is left out")
    check(driver.execute_script("return document.getElementById('search-status').dataset.lang") == "id",
          "the status names the query: more like this")
    page.wait_thumbnails()
    driver.save_screenshot(os.path.join(args.out, "more-like-this-desktop.png"))

    print("== upload an image, then find it")
    scene = captions[-1]
    assert captions.index(scene) >= SEEDED
    path = os.path.join(args.gallery, scene["file"])
    caption = f"browser-check upload {int(time.time())}: {scene['en']}"
    page.tab("upload")
    before = page.status_token("upload-status")
    driver.find_element(By.ID, "upload-file").send_keys(os.path.abspath(path))
    driver.find_element(By.ID, "upload-caption").send_keys(caption)
    driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    page.wait_state("upload-status", before)
    uploaded = int(driver.execute_script("return document.getElementById('upload-status').dataset.ids"))
    check(driver.execute_script("return document.getElementById('upload-progress').value") == 100, "the progress bar reached 100%")
    check(api(base, f"/v1/images/{uploaded}")["caption"] == caption, f"the server stored #{uploaded} with its caption")
    page.wait_thumbnails("uploaded")
    driver.save_screenshot(os.path.join(args.out, "upload-desktop.png"))
    page.tab("search")
    page.search_image(path)
    found = page.cards()
    check(found and found[0]["id"] == uploaded and found[0]["caption"] == caption,
          f"searching by the same image finds #{uploaded} first, with its caption")
    check(driver.execute_script("return document.getElementById('search-status').dataset.lang") == "image",
          "the status names the query: image")

    print("== classify")
    red = next(c for c in captions[:SEEDED] if c["en"] in known)
    labels = ["两个红色的圆形", "两个蓝色的三角形", "三个绿色的正方形", "一个黄色的五角星"]
    expected_classes = api(base, "/v1/classify", {
        "image": "data:image/png;base64," + base64.b64encode(open(os.path.join(args.gallery, red["file"]), "rb").read()).decode(),
        "labels": labels})
    page.tab("classify")
    driver.find_element(By.ID, "classify-file").send_keys(os.path.abspath(os.path.join(args.gallery, red["file"])))
    field = driver.find_element(By.ID, "classify-labels")
    field.clear()
    field.send_keys(", ".join(labels))
    driver.find_element(By.CSS_SELECTOR, "#classify-form button[type=submit]").click()
    page.wait.until(lambda _: len(driver.find_elements(By.CSS_SELECTOR, "#classify-bars .bar")) == len(labels))
    bars = [b.text.split("\n")[0] for b in driver.find_elements(By.CSS_SELECTOR, "#classify-bars .bar")]
    check(bars == [entry["label"] for entry in expected_classes["labels"]],
          f"one bar per label in /v1/classify's order (top: {bars[0]})")
    driver.save_screenshot(os.path.join(args.out, "classify-desktop.png"))

    print("== admin: adapters and re-index")
    token = os.environ["BROWSER_CHECK_ADMIN_TOKEN"]
    listing = api(base, "/admin/adapters", token=token)
    keys = [item["key"] for item in listing["adapters"] + listing["prompts"]]
    page.tab("admin")
    driver.find_element(By.ID, "admin-token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#admin-form button[type=submit]").click()
    page.wait.until(lambda _: len(driver.find_elements(By.CSS_SELECTOR, "#adapters tbody tr")) == len(keys))
    rows = [r.find_element(By.CSS_SELECTOR, "td").text for r in driver.find_elements(By.CSS_SELECTOR, "#adapters tbody tr")]
    check(rows == keys and rows,
          f"the admin panel lists /admin/adapters' {len(rows)} adapter(s) with the typed token ({', '.join(rows)})")
    driver.find_element(By.ID, "reindex-start").click()
    page.wait.until(lambda _: driver.find_element(By.ID, "reindex-status").text.strip())
    state = api(base, "/admin/reindex", token=token)["state"]
    check(state in driver.find_element(By.ID, "reindex-status").text,
          f"the re-index answer shows its state ({state}) and progress")
    driver.save_screenshot(os.path.join(args.out, "admin-desktop.png"))

    print("== phone width (390 × 844)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    driver.get(base + "/")
    page.wait.until(lambda _: driver.find_element(By.ID, "query"))
    page.search_text(QUERY)
    check([c["id"] for c in page.cards()] == [h["id"] for h in expected["hits"]], "the same hits at phone width")
    page.wait_thumbnails()
    columns = driver.execute_script(
        "return getComputedStyle(document.getElementById('results')).gridTemplateColumns.split(' ').length")
    overflow = driver.execute_script("return document.documentElement.scrollWidth")
    check(columns == 2 and overflow <= 390, f"two columns and nothing wider than the screen ({columns} columns, {overflow} px)")
    driver.save_screenshot(os.path.join(args.out, "search-phone.png"))
    print(f"screenshots in {args.out}: " + ", ".join(sorted(os.listdir(args.out))))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"browser-check FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
