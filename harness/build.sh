#!/bin/sh
# Build the UML KUnit kernel with every .kunitconfig the series adds;
# with --run, also run the suites and summarise them (last line: N passed, N failed).
. "$(dirname "$0")/common.sh"
action=build
[ "${1:-}" = --run ] && action=run
for t in python3 flex bison bc gcc make; do
	command -v $t >/dev/null || die "'$t' not found: apt-get install flex bison bc gcc make python3 libelf-dev"
done

configs=$(wsgit diff --name-only "$BASE_TAG" HEAD -- '*.kunitconfig')
[ -n "$configs" ] || die "the series adds no .kunitconfig: nothing to build"
set --
for c in $configs; do set -- "$@" "--kunitconfig=$WS/$c"; done

version=$(cat "$BUILD/base-version" 2>/dev/null || make -s -C "$WS" kernelversion)
napplied=$(wsgit rev-list --count "$BASE_TAG..HEAD")
mkdir -p "$RESULTS"
log=$RESULTS/kunit-$action.log
start=$(date +%s)

if [ $action = build ]; then
	echo ">> building the UML KUnit kernel ($(echo "$configs" | tr '\n' ' '))"
	if python3 "$WS/tools/testing/kunit/kunit.py" build --build_dir="$KUNIT_DIR" --jobs="$JOBS" "$@" >"$log" 2>&1; then
		result="ok in $(($(date +%s) - start)) s"
	else
		tail -n 30 "$log" >&2
		result="FAILED (full log: $log)"
	fi
	echo "== base:    $BASE_PKG $version"
	echo "== patches: $napplied applied from patches/series"
	echo "== build:   $result"
	echo "== tree:    $WS (UML build in $KUNIT_DIR)"
	case $result in ok*) exit 0 ;; *) exit 1 ;; esac
fi

rm -f "$RESULTS/kunit.json" "$RESULTS/ktap.log"
echo ">> building and running the KUnit suites under UML (log: $log)"
rc=0
python3 "$WS/tools/testing/kunit/kunit.py" run --build_dir="$KUNIT_DIR" --jobs="$JOBS" \
	--json="$RESULTS/kunit.json" "$@" >"$log" 2>&1 || rc=$?
[ -f "$KUNIT_DIR/test.log" ] && cp "$KUNIT_DIR/test.log" "$RESULTS/ktap.log"
grep -E '^\[..:..:..\] (=|\[|Testing complete)|ERROR|error:' "$log" | grep -v 'Elapsed' | tail -n 80 || true
echo "== base $BASE_PKG $version, $napplied patches, $(($(date +%s) - start)) s; results in $RESULTS"
python3 "$TOP/harness/summarize.py" "$RESULTS/kunit.json" $(test_topics) && [ $rc -eq 0 ]
