#!/bin/sh
# Builds and runs the starter; main.rs reads .env when it exists.
set -e
cd "$(dirname "$0")"
exec cargo run --quiet
