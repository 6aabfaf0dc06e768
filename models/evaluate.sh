#!/usr/bin/env bash
# Score a model folder on every test set and write the reports its card quotes into OUTPUT (default: the folder).
#   models/evaluate.sh models/persnews-fa-base [OUTPUT]
# The model's default precision (bfloat16 for persnews-fa-base on a CPU with bfloat16 arithmetic), then float32
# and int8, each corpus in our convention and in its own, and with
# every ZWNJ removed.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1
out=${2:-$1}
L=layer:data/layers/roles-v1.jsonl
all=(peyma:test arman:fold3 data/releases/v1:test "$L:test" "$L:test:news-raw" docs:data/layers/news-docs-v1.jsonl:test)
persnews evaluate "$model" "${all[@]}" --report "$out/evaluation.json"
persnews evaluate "$model" peyma:test arman:fold3 --convention source --report "$out/evaluation-source.json"
persnews evaluate "$model" data/releases/v1:test "$L:test" --strip-zwnj --report "$out/evaluation-zwnj-stripped.json"
for precision in fp32 int8; do
  persnews evaluate "$model" "${all[@]}" --$precision --report "$out/evaluation-$precision.json"
  persnews evaluate "$model" peyma:test arman:fold3 --convention source --$precision \
    --report "$out/evaluation-source-$precision.json"
done
