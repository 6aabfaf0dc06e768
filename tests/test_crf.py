from __future__ import annotations

import itertools

import torch

from persnews.crf import CRF, bio_transition_mask
from persnews.data.labels import BIO_TAGS

TAGS = ["O", "B-PER", "I-PER"]


def _legal(path: tuple[int, ...]) -> bool:
    tags = [TAGS[t] for t in path]
    return all(not t.startswith("I-") or (p != "O" and p[2:] == t[2:]) for p, t in zip(["O"] + tags, tags))


def _path_score(crf: CRF, emissions: torch.Tensor, path: tuple[int, ...]) -> torch.Tensor:
    score = crf.start[path[0]] + emissions[0, path[0]]
    for a, b in zip(path, path[1:]):
        score = score + crf.transitions[a, b]
    for k, t in enumerate(path[1:], 1):
        score = score + emissions[k, t]
    return score + crf.end[path[-1]]


def _crf(seed: int = 0) -> tuple[CRF, torch.Tensor]:
    torch.manual_seed(seed)
    crf = CRF(TAGS)
    for p in crf.parameters():
        p.data.normal_()
    return crf, torch.randn(1, 4, len(TAGS))


def test_transition_mask_forbids_i_without_b() -> None:
    mask = bio_transition_mask(list(BIO_TAGS))
    o, b_per, i_per, i_org = (BIO_TAGS.index(t) for t in ("O", "B-PER", "I-PER", "I-ORG"))
    assert not mask[o, i_per] and mask[b_per, i_per] and not mask[b_per, i_org] and mask[i_per, o]
    assert not mask[len(BIO_TAGS), i_per]  # no sentence starts with I-


def test_forward_matches_brute_force_over_legal_paths() -> None:
    crf, emissions = _crf()
    mask = torch.ones(1, 4, dtype=torch.bool)
    paths = [p for p in itertools.product(range(3), repeat=4) if _legal(p)]
    brute = torch.logsumexp(torch.stack([_path_score(crf, emissions[0], p) for p in paths]), 0)
    assert torch.allclose(crf._forward(emissions, mask, None)[0], brute, atol=1e-4)


def test_viterbi_finds_the_best_legal_path() -> None:
    crf, emissions = _crf(1)
    mask = torch.ones(1, 4, dtype=torch.bool)
    paths = [p for p in itertools.product(range(3), repeat=4) if _legal(p)]
    best = max(paths, key=lambda p: float(_path_score(crf, emissions[0], p)))
    assert tuple(crf.decode(emissions, mask)[0]) == best


def test_marginals_sum_to_one_and_match_brute_force() -> None:
    crf, emissions = _crf(2)
    mask = torch.tensor([[True, True, True, False]])
    marginals = crf.marginals(emissions, mask)
    assert torch.allclose(marginals[0, :3].sum(-1), torch.ones(3), atol=1e-4)
    paths = [p for p in itertools.product(range(3), repeat=3) if _legal(p)]
    weights = torch.stack([_path_score(crf, emissions[0, :3], p) for p in paths]).softmax(0)
    expected = sum(w for w, p in zip(weights, paths) if p[1] == 1)
    assert torch.allclose(marginals[0, 1, 1], expected, atol=1e-4)


def test_partial_labels_loss_is_zero_when_everything_is_allowed() -> None:
    crf, emissions = _crf(3)
    mask = torch.ones(1, 4, dtype=torch.bool)
    allowed = torch.ones(1, 4, 3, dtype=torch.bool)
    assert abs(float(crf.loss(emissions, mask, allowed))) < 1e-4
    gold = torch.zeros(1, 4, 3, dtype=torch.bool)
    gold[0, :, 0] = True
    assert float(crf.loss(emissions, mask, gold)) > 0


def test_differentiable_log_marginals_match_the_numpy_marginals() -> None:
    crf, _ = _crf(4)
    emissions = torch.randn(2, 5, len(TAGS))
    mask = torch.tensor([[True] * 5, [True, True, False, False, False]])
    log_marginals = crf.log_marginals(emissions, mask)
    assert torch.allclose(log_marginals.exp()[mask], crf.marginals(emissions, mask)[mask], atol=1e-5)


def test_soft_loss_is_zero_at_the_targets_and_its_gradient_moves_towards_them() -> None:
    crf, _ = _crf(5)
    mask = torch.ones(1, 4, dtype=torch.bool)
    emissions = torch.randn(1, 4, len(TAGS), requires_grad=True)
    assert abs(float(crf.soft_loss(emissions, mask, crf.marginals(emissions, mask)))) < 1e-5
    targets = torch.zeros(1, 4, len(TAGS))
    targets[0, :, 0] = 1.0  # the teacher says O everywhere
    before = crf.soft_loss(emissions, mask, targets)
    before.backward()
    after = crf.soft_loss(emissions.detach() - 0.5 * emissions.grad, mask, targets)
    assert float(after) < float(before) and float(crf.soft_loss(emissions, mask, torch.zeros_like(targets))) == 0
