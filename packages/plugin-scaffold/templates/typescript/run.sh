#!/bin/sh
# Installs (once), builds and runs the starter; main.js reads .env when it exists.
set -e
cd "$(dirname "$0")"
[ -d node_modules ] || npm install
npm run build
npm start
