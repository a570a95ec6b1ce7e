#!/bin/sh
# Runs the starter straight from source with the JDK alone (Java 17+); Main reads .env when it exists.
set -e
cd "$(dirname "$0")"
exec java src/main/java/Main.java
