from __future__ import annotations

from persnews.features import AFFIX_SLOTS, CONTEXT_SLOTS, WordFeaturizer, is_role_head, word_key


def test_word_key_ignores_zwnj_and_arabic_letters() -> None:
    assert word_key("می‌شود") == word_key("میشود") == "میشود"
    assert word_key("شهرداري") == word_key("شهرداری")


def test_role_heads_with_and_without_ezafe() -> None:
    assert is_role_head("سخنگوی") and is_role_head("معاون") and is_role_head("قائم‌مقام")
    assert not is_role_head("تهران")


def test_affix_ids_are_stable_and_in_range() -> None:
    featurizer = WordFeaturizer({"تهران": 1}, buckets=50)
    ids = featurizer.affix_ids("تهران")
    assert len(ids) == AFFIX_SLOTS and all(1 <= i < 50 for i in ids)
    assert ids == WordFeaturizer({}, buckets=50).affix_ids("تهران")


def test_batch_features_follow_sub_token_owners() -> None:
    featurizer = WordFeaturizer({"تهران": 1, "قم": 2}, buckets=50)
    batch = featurizer.batch_features([["تهران", "قم"]], [[-1, 0, 0, 1, -1]], width=6)
    assert batch["vector_ids"].tolist() == [[0, 1, 1, 2, 0, 0]]
    assert batch["affix_ids"].shape == (1, 6, AFFIX_SLOTS)
    assert batch["affix_ids"][0, 0].sum() == 0 and batch["affix_ids"][0, 5].sum() == 0


def test_context_ids_see_the_neighbours() -> None:
    featurizer = WordFeaturizer({}, buckets=50, context_buckets=1000)
    first = featurizer.context_ids(["معاون", "شهردار", "تهران", "گفت"])
    second = featurizer.context_ids(["معاون", "شهردار", "شیراز", "گفت"])
    assert first.shape == (4, CONTEXT_SLOTS) and first.min() >= 0 and first.max() < 1000
    assert (first[0] != second[0]).any()  # «تهران» is two words after the first word
    assert (featurizer.context_ids(["معاون", "شهردار", "تهران", "گفت"]) == first).all()
    left_edge = first[0, :AFFIX_SLOTS]  # offset -2 of the first word
    assert (left_edge == first[1, :AFFIX_SLOTS]).all() and (left_edge == second[0, :AFFIX_SLOTS]).all()
    assert left_edge[0] > 0 and not left_edge[1:].any()
    assert (first[3, -AFFIX_SLOTS:] == first[2, -AFFIX_SLOTS:]).all()  # both see the right edge at +2


def test_batch_features_carry_context_ids_only_when_asked() -> None:
    owners = [[-1, 0, 1, 1, -1]]
    assert "context_ids" not in WordFeaturizer({}, buckets=50).batch_features([["تهران", "قم"]], owners, width=5)
    batch = WordFeaturizer({}, buckets=50, context_buckets=1000).batch_features([["تهران", "قم"]], owners, width=6)
    assert batch["context_ids"].shape == (1, 6, CONTEXT_SLOTS)
    assert batch["context_ids"][0, 0].sum() == 0 and batch["context_ids"][0, 2].equal(batch["context_ids"][0, 3])
