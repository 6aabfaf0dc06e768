#!/usr/bin/env bash
# Retrain the shipped default model, models/persnews-fa-small, from the corpora in ../shared/corpora.
# On 2 CPU cores: ~15 minutes of vocabulary and word vectors, then ~45-60 minutes of tagger training (release,
# stand-off ROLE layer and the four labelled corpora, from random weights), then a minute for the relation
# scorer. The tagger is written beside the old one and swapped in only when training finished.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PERSNEWS_WORK:-runs}
mkdir -p "$work"
[ -s "$work/words.txt" ] || persnews pretrain corpus --output "$work/words.txt"
[ -d "$work/tokenizer" ] || persnews pretrain vocab --words "$work/words.txt" --output "$work/tokenizer"
[ -d "$work/vectors" ] || persnews pretrain vectors --words "$work/words.txt" --output "$work/vectors"
persnews train --output_dir models/persnews-fa-small --from_scratch true \
  --tokenizer "$work/tokenizer" --word_vectors "$work/vectors" --context_buckets 524288 --context_lr_scale 10 \
  --train data/releases/v1:train layer:data/layers/roles-v1.jsonl:train peyma:train arman:fold1 arman:fold2 \
          nsurl:train-600k parstwiner:train \
  --dev data/releases/v1:dev layer:data/layers/roles-v1.jsonl:dev peyma:dev parstwiner:dev \
  --num_train_epochs 6 --learning_rate 1.5e-3 --per_device_train_batch_size 32 --patience 2 --seed 13
persnews train-relations --data data/releases/v1 --layers data/layers/roles-v1.jsonl --docs data/layers/news-docs-v1.jsonl \
  --output_dir models/persnews-fa-small
