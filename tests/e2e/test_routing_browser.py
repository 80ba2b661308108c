"""A fresh server with sign-in configured: a deep link must not show a page.

Streamlit runs an app with a ``pages/`` folder in its version-1 mode until
``st.navigation`` has run once in the process, so the very first visitor's
deep link would run the page file directly, skipping sign-in. This starts a
new server for each case to test exactly that first request.
"""

import os
import subprocess
import sys
import urllib.request
import time

import pytest

from e2e_support import ROOT, shots

pytestmark = pytest.mark.e2e

AUTH = """[auth]
redirect_uri = "http://127.0.0.1:9/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef"
client_id = "netdash"
client_secret = "not-a-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


@pytest.fixture
def fresh_server(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    port = shots.free_port()
    env = dict(os.environ, NETDASH_WORKSPACE=str(tmp_path / "ws"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.headless", "true", "--secrets.files", str(secrets)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("path", ["/overview", "/network_map"])
def test_first_request_to_a_deep_link_gets_the_sign_in_page(browser, fresh_server, path):
    page = browser.new_page()
    try:
        page.goto(fresh_server + path)
        page.get_by_text("Sign in to continue").wait_for(timeout=60000)
        page.wait_for_timeout(2000)
        text = page.inner_text("body")
    finally:
        page.close()
    assert "Sign in" in text
    for leaked in ("Practitioners", "Contacts", "Dataset", "Network map", "Overview"):
        assert leaked not in text
