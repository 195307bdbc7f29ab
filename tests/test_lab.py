"""``make lab ARGS=...`` serves JupyterLab (as root too) with the project's ``modelrace`` kernel listed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

from modelrace import paths


def test_make_lab_serves_the_modelrace_kernel(tmp_path):
    # the README's command (tests/test_readme_commands.py), with the token fixed so the API can be asked
    log = tmp_path / "lab.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab",
                                 'ARGS=--no-browser --port 8899 --ServerApp.token=t'],
                                cwd=paths.ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and url is None:
            assert proc.poll() is None, log.read_text()[-3000:]
            m = re.search(r"http://(?:localhost|127\.0\.0\.1):(\d+)/", log.read_text(errors="replace"))
            url = f"http://127.0.0.1:{m.group(1)}" if m else None
            time.sleep(0.5)
        assert url, log.read_text()[-3000:]
        with urllib.request.urlopen(f"{url}/api/kernelspecs?token=t", timeout=30) as resp:
            specs = json.load(resp)
        assert "modelrace" in specs["kernelspecs"], specs["kernelspecs"].keys()
        spec = specs["kernelspecs"]["modelrace"]["spec"]
        assert spec["display_name"] == "Python 3 (modelrace)"
        assert str(paths.ROOT / ".venv") in spec["argv"][0] or spec["argv"][0].startswith(str(paths.ROOT))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
