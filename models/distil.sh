#!/usr/bin/env bash
# Distil the accurate model into the fast one (issue #15): models/persnews-fa-base (teacher, e5-small + CRF) labels
# 8M words of ../shared/corpora news-raw and raw-extra, and the compact network (student) continues from the
# gold-trained compact model (PERSNEWS_STUDENT_INIT, default models/persnews-fa-small, as models/retrain-default.sh
# makes it) on the gold data plus these silver sentences, then the relation scorer is retrained.
#
#   bash models/distil.sh                               # confident tags, partial labels (hard:0.9, the A/B's winner)
#   PERSNEWS_SILVER_MODE=soft bash models/distil.sh     # the A/B's other arm: the teacher's marginals
#
# On 2 CPU cores: labelling 37 minutes (3,565 words/s in bfloat16 on this VM, 2026-12-07; about half that on a CPU
# without bfloat16 arithmetic; resumable: rerun after an interruption and finished shards are skipped), then the
# student: PERSNEWS_EPOCHS (default 1) over the gold data plus the first PERSNEWS_SILVER_SENTENCES silver
# sentences of the 8M words' 308,815 (default 200,000; ~7,500 steps; PERSNEWS_MAX_STEPS stops it earlier). The
# student is written beside the old model (models/.persnews-fa-small.distilled, not shipped) and swapped in only
# when training and the relation scorer
# finished; the old model moves to $PERSNEWS_WORK/persnews-fa-small.previous. Then rescore it:
# bash models/evaluate.sh models/persnews-fa-small.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PERSNEWS_WORK:-runs}
silver=${PERSNEWS_SILVER:-$work/silver}
mode=${PERSNEWS_SILVER_MODE:-hard:0.9}
epochs=${PERSNEWS_EPOCHS:-1}
student=models/.persnews-fa-small.distilled
init=${PERSNEWS_STUDENT_INIT:-models/persnews-fa-small}
sentences=${PERSNEWS_SILVER_SENTENCES:-200000}
mkdir -p "$work"
persnews distil label --teacher models/persnews-fa-base --output "$silver" --words 8000000 --shard-words 200000
persnews train --output_dir "$student" --from_scratch true --init_tagger "$init" --tokenizer "$init" \
  --word_vectors "$init" --context_lr_scale 10 \
  --train data/releases/v1:train layer:data/layers/roles-v1.jsonl:train peyma:train arman:fold1 arman:fold2 \
          nsurl:train-600k parstwiner:train docs:data/layers/news-docs-v1.jsonl:train "silver:$silver:$mode" \
  --max_silver_sentences "$sentences" \
  --dev data/releases/v1:dev layer:data/layers/roles-v1.jsonl:dev peyma:dev parstwiner:dev \
        docs:data/layers/news-docs-v1.jsonl:dev \
  --num_train_epochs "$epochs" ${PERSNEWS_MAX_STEPS:+--max_steps "$PERSNEWS_MAX_STEPS"} --learning_rate 5e-4 \
  --per_device_train_batch_size 32 --patience 2 --seed 13
persnews train-relations --data data/releases/v1 --layers data/layers/roles-v1.jsonl --docs data/layers/news-docs-v1.jsonl \
  --output_dir "$student"
rm -rf "$work/persnews-fa-small.previous"
mv models/persnews-fa-small "$work/persnews-fa-small.previous"
mv "$student" models/persnews-fa-small
echo "models/persnews-fa-small is the distilled student; the previous model is in $work/persnews-fa-small.previous"
