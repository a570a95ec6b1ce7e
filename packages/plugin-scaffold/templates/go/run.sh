#!/bin/sh
# Builds and runs the starter; main.go reads .env when it exists.
set -e
cd "$(dirname "$0")"
go build -o starter .
exec ./starter
