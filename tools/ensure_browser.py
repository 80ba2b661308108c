"""Make sure Debian's Chromium is present for the browser tests.

The end-to-end suite drives /usr/bin/chromium (never a downloaded browser).
On a fresh Debian machine where we are root, install it with apt; otherwise
fail loudly with what to do, rather than letting the suite skip.
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def main():
    if os.path.exists(CHROMIUM):
        return 0
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing Debian's chromium for the browser tests...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    if os.path.exists(CHROMIUM):
        return 0
    print(
        f"error: {CHROMIUM} not found. The browser tests need Debian's chromium: "
        "run `sudo apt-get install chromium` and try again.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
