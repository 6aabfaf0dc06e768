"""The data layer: annotated releases, validation, importers, stand-off layers and ``datasets`` conversion.

One job per module, nothing imported here (``datasets`` and the corpora are
loaded only when asked for):

* :mod:`~persnews.data.labels` – the BIO tag set and BIO ↔ span conversions
* :mod:`~persnews.data.jsonl` – Document JSONL with line numbers; atomic writes
* :mod:`~persnews.data.validation` – schema checks as ``file:line: reason``; ``check_release``
* :mod:`~persnews.data.splits` – deterministic train/dev/test assignment by id hash
* :mod:`~persnews.data.release` – release folders, manifests, stats, build, merge
* :mod:`~persnews.data.corpora` – PEYMA, ARMAN, NSURL-2019 and ParsTwiNER importers
* :mod:`~persnews.data.annotation_tools` – Label Studio and Doccano in, Label Studio out
* :mod:`~persnews.data.standoff` – ROLE layers over corpus sentences, stored by reference
* :mod:`~persnews.data.hf` – ``datasets.DatasetDict`` building and sub-word label alignment
* :mod:`~persnews.data.sources` – named sources for training and evaluation (``peyma:test``, release splits, layers)
* :mod:`~persnews.data.authoring` – the inline markup of authored news
* :mod:`~persnews.data.cli` – the ``persnews data`` commands
"""
