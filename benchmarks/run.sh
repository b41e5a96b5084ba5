#!/usr/bin/env bash
# Runs one benchmark pass of the idempotency filter against a no-filter baseline: JMH in-process benchmarks, then
# an end-to-end load run on loopback, then writes benchmarks/results/<pass>.{json,md,png}.
#
# Usage: benchmarks/run.sh [--long] [--stores=none,memory,redis] [--skip-jmh] [--skip-load] [--conditions=TEXT]
#   (no flag)  quick pass: about 3 minutes on 2 cores without Redis and 6 with it, build included
#   --long     long pass: more iterations, forks, body sizes and requests; about 30 minutes on 2 cores, an estimate
#
# The library is installed from this checkout first, so the figures belong to the code in this work tree. The run
# starts its own redis-server and services on 127.0.0.1 and stops them when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

wants_redis=true
for arg in "$@"; do
	case "$arg" in
		--stores=*) [[ "${arg#--stores=}" == *redis* ]] || wants_redis=false ;;
	esac
done
if $wants_redis && ! command -v redis-server >/dev/null 2>&1; then
	echo "redis-server was not found on PATH. Install it (on Debian: apt-get install redis-server redis-tools)," \
		"or run without Redis: benchmarks/run.sh --stores=none,memory" >&2
	exit 1
fi
if $wants_redis && ! command -v redis-cli >/dev/null 2>&1; then
	echo "redis-cli was not found on PATH. Install it (on Debian: apt-get install redis-tools)." >&2
	exit 1
fi

echo "[run.sh] installing the library from $(pwd)"
./mvnw -q -B install -DskipTests
library_revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- src pom.xml 2>/dev/null)" ]]; then
	library_revision="${library_revision} with uncommitted changes"
fi

echo "[run.sh] building the benchmarks"
./mvnw -q -B -f benchmarks/pom.xml clean package -DskipTests

# Another checkout may install the same snapshot version between the two builds above: check that the benchmarks
# took the library that this checkout built.
built="target/idempotency-webflux-0.1.0-SNAPSHOT.jar"
copied="benchmarks/target/lib/idempotency-webflux-0.1.0-SNAPSHOT.jar"
if ! cmp -s "$built" "$copied"; then
	echo "The library in $copied differs from $built: another checkout installed idempotency-webflux" \
		"0.1.0-SNAPSHOT during the build. Run benchmarks/run.sh again." >&2
	exit 1
fi

cd benchmarks
exec java -Xms1g -Xmx1g -Dbenchmarks.library-revision="$library_revision" \
	-cp "target/classes:target/lib/*" io.idempotency.benchmarks.BenchmarkRun "$@"
