#!/usr/bin/env bash
# On a machine with many cores: how the training step and the whole default experiment scale with
# threads, and whether every thread count gives the same numbers. Usage:
#   benchmarks/manycore.sh OUTDIR [THREAD-LIST]      (after npm run build; NODE names another node)
# Writes OUTDIR/bench.json (featpure bench --only steps,contrastive,peers), OUTDIR/run-tN.json per thread count,
# and prints the wall time of each run and whether its results equal the one-thread run's.
set -euo pipefail
out=${1:?usage: benchmarks/manycore.sh OUTDIR [THREAD-LIST]}
list=${2:-1,2,4,8,16}
node=${NODE:-node}
cd "$(dirname "$0")/.."
mkdir -p "$out"
"$node" dist/bin/featpure.js bench --only steps,contrastive,peers --threads "$list" --json "$out/bench.json"
for t in ${list//,/ }; do
  s=$(date +%s%N)
  "$node" dist/bin/featpure.js run --quiet --threads "$t" --json "$out/run-t$t.json"
  echo "featpure run --threads $t: $(( ($(date +%s%N) - s) / 1000000 )) ms"
done
# Results without the timings and the thread count itself must match the one-thread run's.
"$node" -e '
  const fs = require("fs"), [dir, ...ts] = process.argv.slice(1);
  const strip = (f) => { const j = JSON.parse(fs.readFileSync(`${dir}/run-t${f}.json`, "utf8"));
    delete j.timingsMs; delete j.config.threads; for (const a of j.arms) delete a.timingsMs; return JSON.stringify(j); };
  const base = strip(ts[0]);
  for (const t of ts.slice(1)) console.log(`results on ${t} threads ${strip(t) === base ? "equal" : "DIFFER FROM"} those on ${ts[0]}`);
' "$out" ${list//,/ }
