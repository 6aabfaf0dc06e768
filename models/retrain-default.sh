#!/usr/bin/env bash
# Retrain the shipped default model, models/persnews-fa-small, from the corpora in ../shared/corpora.
# About 15 minutes of vocabulary and word vectors, then ~45 minutes of tagger training on 2 CPU cores.
# The new model is written beside the old one and swapped in only when training finished.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PERSNEWS_WORK:-runs}
mkdir -p "$work"
[ -s "$work/words.txt" ] || persnews pretrain corpus --output "$work/words.txt"
[ -d "$work/tokenizer" ] || persnews pretrain vocab --words "$work/words.txt" --output "$work/tokenizer"
[ -d "$work/vectors" ] || persnews pretrain vectors --words "$work/words.txt" --output "$work/vectors"
persnews train --output_dir models/persnews-fa-small --from_scratch true \
  --tokenizer "$work/tokenizer" --word_vectors "$work/vectors" \
  --train data/releases/v1:train peyma:train arman:fold1 arman:fold2 nsurl:train-600k parstwiner:train \
  --dev data/releases/v1:dev peyma:dev parstwiner:dev \
  --num_train_epochs 7 --learning_rate 1.5e-3 --per_device_train_batch_size 32 --patience 3 --seed 13 \
  "$@"
persnews train-relations --data data/releases/v1 --output_dir models/persnews-fa-small
