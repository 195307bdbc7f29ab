"""Reliability suite: fetch faults, bad input files and secrets, each recorded for docs/reliability.md."""
