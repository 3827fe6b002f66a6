#!/bin/sh
# Exit non-zero if the workspace holds work that patches/ does not have.
. "$(dirname "$0")/common.sh"
if out=$(workspace_clean); then
	echo "workspace $WS: nothing unexported"
else
	echo "$out"
	echo "=> run 'make export' and commit patches/"
	exit 1
fi
