#!/usr/bin/env bash
# Distil the accurate model into the fast one (issue #15): models/persnews-fa-base (teacher, e5-small + CRF) labels
# 8M words of ../shared/corpora news-raw and raw-extra, and the compact network of models/retrain-default.sh
# (student) trains on the gold data plus these silver sentences, then the relation scorer.
#
#   bash models/distil.sh                                  # soft targets (the teacher's marginals)
#   PERSNEWS_SILVER_MODE=hard:0.9 bash models/distil.sh    # the A/B's other arm: confident tags, partial labels
#
# On 2 CPU cores: labelling ~51 minutes at the 2,620 words/s measured in bfloat16 on this VM (README; about twice that
# on a CPU without bfloat16 arithmetic; resumable: rerun after an interruption and finished shards are skipped),
# then the student (estimated, not yet run): gold
# (~1.4M words) plus 8M silver words is ~6-7x the retrain-default data, ~1 hour an epoch, 3 epochs by default
# (PERSNEWS_EPOCHS; PERSNEWS_SILVER_SENTENCES caps the silver sentences used). The student is written beside the
# old model (models/.persnews-fa-small.distilled, not shipped) and swapped in only when training and the relation
# scorer finished; the old model moves to $PERSNEWS_WORK/persnews-fa-small.previous. Then rescore it:
# bash models/evaluate.sh models/persnews-fa-small.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PERSNEWS_WORK:-runs}
silver=${PERSNEWS_SILVER:-$work/silver}
mode=${PERSNEWS_SILVER_MODE:-soft}
epochs=${PERSNEWS_EPOCHS:-3}
student=models/.persnews-fa-small.distilled
mkdir -p "$work"
[ -s "$work/words.txt" ] || persnews pretrain corpus --output "$work/words.txt"
[ -d "$work/tokenizer" ] || persnews pretrain vocab --words "$work/words.txt" --output "$work/tokenizer"
[ -d "$work/vectors" ] || persnews pretrain vectors --words "$work/words.txt" --output "$work/vectors"
persnews distil label --teacher models/persnews-fa-base --output "$silver" --words 8000000 --shard-words 200000
persnews train --output_dir "$student" --from_scratch true \
  --tokenizer "$work/tokenizer" --word_vectors "$work/vectors" --context_buckets 524288 --context_lr_scale 10 \
  --train data/releases/v1:train layer:data/layers/roles-v1.jsonl:train peyma:train arman:fold1 arman:fold2 \
          nsurl:train-600k parstwiner:train docs:data/layers/news-docs-v1.jsonl:train "silver:$silver:$mode" \
  ${PERSNEWS_SILVER_SENTENCES:+--max_silver_sentences "$PERSNEWS_SILVER_SENTENCES"} \
  --dev data/releases/v1:dev layer:data/layers/roles-v1.jsonl:dev peyma:dev parstwiner:dev \
        docs:data/layers/news-docs-v1.jsonl:dev \
  --num_train_epochs "$epochs" --learning_rate 1.5e-3 --per_device_train_batch_size 32 --patience 2 --seed 13
persnews train-relations --data data/releases/v1 --layers data/layers/roles-v1.jsonl --docs data/layers/news-docs-v1.jsonl \
  --output_dir "$student"
rm -rf "$work/persnews-fa-small.previous"
mv models/persnews-fa-small "$work/persnews-fa-small.previous"
mv "$student" models/persnews-fa-small
echo "models/persnews-fa-small is the distilled student; the previous model is in $work/persnews-fa-small.previous"
