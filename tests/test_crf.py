from __future__ import annotations

import itertools

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from persnews.crf import CRF, _scaled_marginals, bio_transition_mask
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


# The log-space inference the vectorised decode and probability-space marginals replaced, step by step as it
# was: the reference they must agree with.

def _logsumexp(values: np.ndarray, axis: int) -> np.ndarray:
    top = values.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.exp(values - top).sum(axis=axis))


def _reference_decode(crf: CRF, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
    start, transitions, end = crf._numpy_scores()
    emissions, mask = emissions.double().numpy(), mask.numpy()
    rows = np.arange(len(emissions))
    score = start + emissions[:, 0]
    history = []
    for t in range(1, emissions.shape[1]):
        candidates = score[:, :, None] + transitions
        index = candidates.argmax(axis=1)
        history.append(index)
        best = np.take_along_axis(candidates, index[:, None, :], axis=1)[:, 0]
        score = np.where(mask[:, t, None], best + emissions[:, t], score)
    tags = (score + end).argmax(axis=1)
    lengths = mask.sum(axis=1)
    paths = [[int(tag)] for tag in tags]
    for t in range(emissions.shape[1] - 1, 0, -1):
        tags = np.where(t < lengths, history[t - 1][rows, tags], tags)
        for row in np.flatnonzero(t < lengths):
            paths[row].append(int(tags[row]))
    return [path[::-1] for path in paths]


def _reference_marginals(crf: CRF, emissions: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    start, transitions, end = crf._numpy_scores()
    emissions, mask = emissions.double().numpy(), mask.numpy()
    alphas = [start + emissions[:, 0]]
    for t in range(1, emissions.shape[1]):
        step = _logsumexp(alphas[-1][:, :, None] + transitions + emissions[:, t, None, :], axis=1)
        alphas.append(np.where(mask[:, t, None], step, alphas[-1]))
    betas = [np.broadcast_to(end, alphas[-1].shape)]
    for t in range(emissions.shape[1] - 1, 0, -1):
        step = _logsumexp(transitions + (emissions[:, t] + betas[0])[:, None, :], axis=2)
        betas.insert(0, np.where(mask[:, t, None], step, betas[0]))
    log_z = _logsumexp(alphas[-1] + end, axis=1)[:, None]
    return np.exp(np.stack(alphas, axis=1) + np.stack(betas, axis=1) - log_z[:, None])


@st.composite
def _batches(draw) -> tuple[CRF, torch.Tensor, torch.Tensor]:
    """A CRF over the full BIO tag set with random scores, and a batch of emissions with prefix masks."""
    crf = CRF(list(BIO_TAGS))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**31)))
    spread = draw(st.sampled_from([0.1, 3.0, 20.0]))  # near-ties, trained-model scale, sharp
    for parameter in crf.parameters():
        parameter.data = torch.randn(parameter.shape, generator=generator) * spread
    rows, width = draw(st.integers(1, 5)), draw(st.integers(1, 14))
    emissions = torch.randn(rows, width, len(BIO_TAGS), generator=generator) * spread
    if draw(st.booleans()):  # exact ties between tags, as float16/int8 emissions give
        emissions = emissions.round()
    lengths = torch.tensor(draw(st.lists(st.integers(1, width), min_size=rows, max_size=rows)))
    return crf, emissions, torch.arange(width) < lengths[:, None]


@settings(max_examples=300, deadline=None)
@given(_batches())
def test_vectorised_decode_gives_the_reference_paths(batch: tuple[CRF, torch.Tensor, torch.Tensor]) -> None:
    crf, emissions, mask = batch
    assert crf.decode(emissions, mask) == _reference_decode(crf, emissions, mask)


@settings(max_examples=300, deadline=None)
@given(_batches())
def test_probability_space_marginals_match_the_log_space_reference(
        batch: tuple[CRF, torch.Tensor, torch.Tensor]) -> None:
    crf, emissions, mask = batch
    expected = _reference_marginals(crf, emissions, mask)
    got = crf.marginals(emissions, mask).numpy()
    assert np.allclose(got[mask.numpy()], expected[mask.numpy()], rtol=0, atol=1e-6)  # float32 output


def test_marginals_fall_back_to_log_space_where_probability_space_underflows() -> None:
    crf = CRF(list(BIO_TAGS))
    emissions = torch.zeros(1, 3, len(BIO_TAGS))
    emissions[0, 0, BIO_TAGS.index("B-PER")] = 2000.0  # then only I-LOC scores, and I-LOC may not follow B-PER
    emissions[0, 1, BIO_TAGS.index("I-LOC")] = 2000.0
    mask = torch.ones(1, 3, dtype=torch.bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = _scaled_marginals(*crf._numpy_scores(), emissions.double().numpy(), mask.numpy())
    assert not np.isfinite(scaled).all()  # what the fallback is for
    marginals = crf.marginals(emissions, mask)
    assert torch.isfinite(marginals).all()
    assert torch.allclose(marginals, crf.log_marginals(emissions, mask).exp(), atol=1e-5)
    assert torch.allclose(marginals.sum(dim=2), torch.ones(1, 3), atol=1e-3)
