#!/bin/sh
# Runs the starter; main.py reads .env when it exists.
set -e
cd "$(dirname "$0")"
exec python3 main.py
