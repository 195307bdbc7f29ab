"""Local fake servers standing in for live APIs in tests (127.0.0.1 only, never the real hosts)."""
