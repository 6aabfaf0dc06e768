from __future__ import annotations

import torch

from helpers import tiny_config
from persnews.features import CONTEXT_SLOTS
from persnews.modeling import PersnewsTagger, bag_sum, conjoined


def _inputs(batch: int = 2, length: int = 6) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    word_mask = torch.zeros(batch, length, dtype=torch.bool)
    word_mask[:, 1:-1] = True
    return {"input_ids": torch.randint(5, 40, (batch, length), generator=generator),
            "attention_mask": torch.ones(batch, length, dtype=torch.long), "word_mask": word_mask,
            "affix_ids": torch.randint(1, 97, (batch, length, 10), generator=generator),
            "context_ids": torch.randint(0, 211, (batch, length, CONTEXT_SLOTS), generator=generator)}


def test_conjoined_features_move_with_the_convention_and_keep_padding() -> None:
    ids = torch.tensor([[[0, 5, 7, 210]], [[0, 5, 7, 210]]])
    mixed = conjoined(ids, torch.tensor([0, 1]), buckets=211)
    assert (mixed[:, :, 0] == 0).all() and ((mixed[:, :, 1:] >= 1) & (mixed[:, :, 1:] < 211)).all()
    assert not torch.equal(mixed[0], mixed[1])  # the same features, another convention: other buckets
    assert torch.equal(mixed, conjoined(ids, torch.tensor([0, 1]), buckets=211))


def test_a_new_convention_changes_nothing_until_trained() -> None:
    torch.manual_seed(0)
    model = PersnewsTagger(tiny_config(40, conventions=("persnews", "peyma"), context_buckets=211)).eval()
    inputs = _inputs()
    with torch.no_grad():
        default = model(**inputs).logits
        peyma = model(**inputs, convention_ids=torch.tensor([1, 1])).logits
        assert torch.allclose(default, peyma)
        model.convention_bias.weight[1, 3] = 5.0
        shifted = model(**inputs, convention_ids=torch.tensor([0, 1])).logits
    assert torch.allclose(shifted[0], default[0])
    assert torch.allclose(shifted[1, :, 3], default[1, :, 3] + 5.0)


def test_without_conventions_the_ids_are_ignored() -> None:
    torch.manual_seed(0)
    model = PersnewsTagger(tiny_config(40)).eval()
    assert not hasattr(model, "convention_bias")
    inputs = {k: v for k, v in _inputs().items() if k != "context_ids"}
    with torch.no_grad():
        assert torch.equal(model(**inputs).logits, model(**inputs, convention_ids=torch.tensor([3, 4])).logits)


def test_bag_sum_matches_padding_idx_in_value_and_gradient() -> None:
    torch.manual_seed(0)
    bag = torch.nn.EmbeddingBag(50, 3, mode="sum", padding_idx=0)
    ids = torch.tensor([[4, 0, 7], [0, 0, 0], [9, 9, 1]])
    expected = bag(ids)
    expected.pow(2).sum().backward()
    reference = bag.weight.grad.clone()
    bag.weight.grad = None
    found = bag_sum(bag, ids)
    found.pow(2).sum().backward()
    assert torch.allclose(found, expected) and torch.allclose(bag.weight.grad, reference)
    assert not bag.weight.grad[0].any()  # padding gets no update
