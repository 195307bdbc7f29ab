"""One fetch in a child process, so a test can SIGKILL it mid-way or capture its logs.

Credentials come from the environment the test sets (never from arguments). Logs go to
stderr at DEBUG (requests/urllib3/httpx included) so a secrets test can search them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from modelrace import hub, openrouter


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("fetcher", choices=["openrouter", "hub"])
    ap.add_argument("--url", required=True)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--end", default="2025-01-30")
    ap.add_argument("--window", type=int, default=1)
    ap.add_argument("--n", type=int, default=25)
    ap.add_argument("--page-size", type=int, default=3)
    ap.add_argument("--max-attempts", type=int, default=3)
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.fetcher == "openrouter":
            snap = openrouter.fetch_rankings_daily(
                args.start, args.end, base_url=args.url, snapshots_root=args.root, max_window_days=args.window,
                max_per_minute=100_000, max_attempts=args.max_attempts, timeout=10, sleep=lambda s: None)
        else:
            snap = hub.fetch_top_models(args.n, endpoint=args.url, snapshots_root=args.root, page_size=args.page_size,
                                        max_attempts=args.max_attempts, timeout=10, sleep=lambda s: None)
    except (openrouter.OpenRouterError, hub.HubFetchError) as exc:
        logging.getLogger("fetch_child").error("fetch failed: %s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(snap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
