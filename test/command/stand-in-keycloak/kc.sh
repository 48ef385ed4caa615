#!/bin/sh
# Stand-in kc.sh for tests (see stand-in.mjs).
exec node "$(dirname "$0")/stand-in.mjs" "$@"
