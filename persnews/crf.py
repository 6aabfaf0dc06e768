"""A linear-chain CRF over word positions, with partial labels and BIO-legal transitions.

Partial labels let one model learn from corpora that never annotated ROLE:
where a corpus says ``O`` for a word that may be part of a title, the word is
allowed any of ``O``/``B-ROLE``/``I-ROLE`` and the loss sums over all of them
(the "constrained forward" of Tsuboi et al., 2008). Transitions that BIO
forbids (``O`` → ``I-X``, ``B-X`` → ``I-Y``) are masked, so Viterbi never
produces an ``I-`` without its ``B-``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

_NEG = -1e4


def bio_transition_mask(tags: list[str]) -> torch.Tensor:
    """``mask[i, j]`` is True where tag ``j`` may follow tag ``i``; row ``len(tags)`` is the start."""
    n = len(tags)
    mask = torch.ones(n + 1, n, dtype=torch.bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            for i in range(n + 1):
                previous = tags[i] if i < n else "O"
                mask[i, j] = previous[2:] == tag[2:] and previous != "O"
    return mask


class CRF(nn.Module):
    """Emission scores (batch, words, tags) → loss and best paths, over a word mask."""

    def __init__(self, tags: list[str]):
        super().__init__()
        self.num_tags = len(tags)
        self.transitions = nn.Parameter(torch.zeros(self.num_tags, self.num_tags))
        self.start = nn.Parameter(torch.zeros(self.num_tags))
        self.end = nn.Parameter(torch.zeros(self.num_tags))
        legal = bio_transition_mask(tags)
        self.register_buffer("illegal_transitions", ~legal[:-1], persistent=False)
        self.register_buffer("illegal_starts", ~legal[-1], persistent=False)

    def _scores(self) -> tuple[torch.Tensor, torch.Tensor]:
        transitions = self.transitions.masked_fill(self.illegal_transitions, _NEG)
        return self.start.masked_fill(self.illegal_starts, _NEG), transitions

    def _alphas(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        """Forward log-scores of every prefix: ``alphas[t][b, j]`` sums the paths ending in tag j at word t."""
        start, transitions = self._scores()
        alphas = [start + emissions[:, 0]]
        for t in range(1, emissions.size(1)):
            step = torch.logsumexp(alphas[-1].unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
            alphas.append(torch.where(mask[:, t].unsqueeze(1), step, alphas[-1]))
        return alphas

    def _forward(self, emissions: torch.Tensor, mask: torch.Tensor, allowed: torch.Tensor | None) -> torch.Tensor:
        """log of the summed score of all paths (through ``allowed`` tags only, when given)."""
        if allowed is not None:
            emissions = emissions.masked_fill(~allowed, _NEG)
        return torch.logsumexp(self._alphas(emissions, mask)[-1] + self.end, dim=1)

    def loss(self, emissions: torch.Tensor, mask: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the allowed paths; ``allowed`` is (batch, words, tags) bool."""
        allowed = allowed | ~mask.unsqueeze(2)
        gold = self._forward(emissions, mask, allowed)
        total = self._forward(emissions, mask, None)
        return (total - gold).mean()

    def log_marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """log P(tag at word | sentence) by forward-backward in torch, so a loss can differentiate through
        it (:meth:`marginals` is the faster numpy version for inference)."""
        start, transitions = self._scores()
        alphas = self._alphas(emissions, mask)
        betas = [self.end.expand_as(alphas[-1])]
        for t in range(emissions.size(1) - 1, 0, -1):
            step = torch.logsumexp(transitions + (emissions[:, t] + betas[0]).unsqueeze(1), dim=2)
            betas.insert(0, torch.where(mask[:, t].unsqueeze(1), step, betas[0]))
        log_z = torch.logsumexp(alphas[-1] + self.end, dim=1)
        return torch.stack(alphas, dim=1) + torch.stack(betas, dim=1) - log_z[:, None, None]

    def soft_loss(self, emissions: torch.Tensor, mask: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean KL divergence from target tag distributions (batch, words, tags; a teacher's marginals) to
        this CRF's marginals, over the masked words whose targets are not all zero (0 when there are none)."""
        keep = mask & (targets.sum(-1) > 0)
        if not keep.any():
            return emissions.sum() * 0.0  # keeps the graph: every parameter still gets a (zero) gradient
        targets = targets[keep] / targets[keep].sum(-1, keepdim=True)  # float16 storage sums to 1 ± 1e-3
        log_p = self.log_marginals(emissions, mask)[keep]
        return (torch.xlogy(targets, targets) - targets * log_p).sum(-1).mean()

    def _numpy_scores(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        start, transitions = self._scores()
        return start.detach().cpu().double().numpy(), transitions.detach().cpu().double().numpy(), \
            self.end.detach().cpu().double().numpy()

    # Inference runs in numpy: the per-word loops below are a few hundred tiny operations per batch,
    # where torch's per-call overhead costs more than the arithmetic; each step is a handful of (batch, tags)
    # operations, and nothing walks the words one row at a time.

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Viterbi: the best legal tag sequence of each row, as long as its mask (at least one tag)."""
        start, transitions, end = self._numpy_scores()
        emissions, mask = emissions.detach().cpu().double().numpy(), mask.cpu().numpy()
        batch, length = emissions.shape[:2]
        score = start + emissions[:, 0]
        history = np.empty((max(length - 1, 0), batch, self.num_tags), dtype=np.intp)
        for t in range(1, length):
            candidates = score[:, :, None] + transitions
            history[t - 1] = index = candidates.argmax(axis=1)
            best = np.take_along_axis(candidates, index[:, None, :], axis=1)[:, 0]
            score = np.where(mask[:, t, None], best + emissions[:, t], score)
        # backtrack all rows at once; past a row's end its last tag repeats, and is cut off below
        lengths = mask.sum(axis=1)
        rows = np.arange(batch)
        tags = (score + end).argmax(axis=1)
        best = np.empty((batch, length), dtype=np.intp)
        best[:, length - 1] = tags
        for t in range(length - 1, 0, -1):
            tags = np.where(t < lengths, history[t - 1][rows, tags], tags)
            best[:, t - 1] = tags
        return [best[row, : max(int(lengths[row]), 1)].tolist() for row in range(batch)]

    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """P(tag at word | sentence) by forward-backward; confidence of each predicted tag.

        Computed in probability space, each step's forward and backward vectors rescaled to sum to one:
        a word's marginals are its forward times backward vector normalised, so the scales cancel and
        each step is one small matrix product instead of a log-sum-exp over (batch, tags, tags).
        Past a row's mask the vectors stay as they were, as in :meth:`log_marginals`. Should a step
        underflow (emissions some 700 nats apart, which no trained tagger here produces), the batch is
        recomputed in log space by :meth:`log_marginals`.
        """
        start, transitions, end = self._numpy_scores()
        with np.errstate(divide="ignore", invalid="ignore"):
            marginals = _scaled_marginals(start, transitions, end, emissions.detach().cpu().double().numpy(),
                                          mask.cpu().numpy())
        if not np.isfinite(marginals).all():
            with torch.no_grad():
                return self.log_marginals(emissions.detach().float(), mask.bool()).exp()
        return torch.from_numpy(marginals).float()


def _scaled_marginals(start: np.ndarray, transitions: np.ndarray, end: np.ndarray, emissions: np.ndarray,
                      mask: np.ndarray) -> np.ndarray:
    """:meth:`CRF.marginals` in probability space, each step's vectors rescaled to sum to one."""
    length = emissions.shape[1]
    steps = np.exp(transitions)  # forbidden transitions (-1e4) become exactly 0
    # each word's emissions shifted by their maximum: a per-word factor, which the rescaling removes
    scores = np.exp(emissions - emissions.max(axis=2, keepdims=True))
    alphas = np.empty_like(scores)
    alpha = np.exp(start + emissions[:, 0] - (start + emissions[:, 0]).max(axis=1, keepdims=True))
    alphas[:, 0] = alpha = alpha / alpha.sum(axis=1, keepdims=True)
    for t in range(1, length):
        step = (alpha @ steps) * scores[:, t]
        alphas[:, t] = alpha = np.where(mask[:, t, None], step / step.sum(axis=1, keepdims=True), alpha)
    betas = np.empty_like(scores)
    betas[:, length - 1] = beta = np.broadcast_to(np.exp(end - end.max()), alpha.shape)
    for t in range(length - 1, 0, -1):
        step = (scores[:, t] * beta) @ steps.T
        betas[:, t - 1] = beta = np.where(mask[:, t, None], step / step.sum(axis=1, keepdims=True), beta)
    products = alphas * betas
    return products / products.sum(axis=2, keepdims=True)
