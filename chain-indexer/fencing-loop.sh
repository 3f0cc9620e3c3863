#!/usr/bin/env bash
# Runs the two fencing ITs (the indexer's and the gateway's twin) N times in a row (default 20)
# and stops at the first failure: a fence that is not final shows up as a rare race, so one green
# run proves little. Not part of `mvn verify`. Usage: chain-indexer/fencing-loop.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
mvn -B -q -o -DskipTests install -pl chain-indexer -am >/dev/null
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  if ! mvn -B -q -o -pl chain-indexer failsafe:integration-test failsafe:verify \
      -Dit.test='IndexerFencingIT,ChainGatewayIT#shouldFenceTheFirstGatewayWhenASecondStartsForTheSameAccount' \
      >"chain-indexer/target/fencing-loop-$i.log" 2>&1; then
    echo "run $i of $runs FAILED after $(($(date +%s) - started)) s: chain-indexer/target/fencing-loop-$i.log"
    exit 1
  fi
  echo "run $i of $runs passed in $(($(date +%s) - started)) s"
done
echo "fencing: $runs of $runs runs passed"
