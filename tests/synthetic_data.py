"""Random-token masked-LM + sentence-order batches, for the optimizer and training-step tests.

Real pretraining data (SentencePiece, n-gram masking, sentence pairs) lives in
`keras_albert.text`; these batches only have the right shapes and dtypes.
"""

import numpy as np

# Special ids in the original vocabulary layout: <pad> 0, <unk> 1, [CLS] 2,
# [SEP] 3, [MASK] 4.
CLS_ID, SEP_ID, MASK_ID = 2, 3, 4
FIRST_WORD_ID = 5


def random_pretraining_batch(vocabulary_size, batch_size, sequence_length,
                             num_masks, seed=0):
    """One `(x, y, sample_weight)` batch for `AlbertPretrainer.fit`.

    Each row packs `[CLS] A [SEP] B [SEP]` from random word ids, with a random
    real length (the last row of a batch is left all padding, which training
    must survive), `num_masks` positions replaced by `[MASK]`, and a random
    sentence-order label.
    """
    if sequence_length < 5:
        raise ValueError(
            f"`sequence_length` must be at least 5. Received: {sequence_length}"
        )
    rng = np.random.default_rng(seed)
    token_ids = np.zeros((batch_size, sequence_length), "int32")
    segment_ids = np.zeros_like(token_ids)
    mask_positions = np.zeros((batch_size, num_masks), "int32")
    mask_ids = np.zeros_like(mask_positions)
    mask_weights = np.zeros((batch_size, num_masks), "float32")
    for row in range(batch_size - 1 if batch_size > 1 else batch_size):
        length = int(rng.integers(5, sequence_length + 1))
        split = int(rng.integers(2, length - 2))
        words = rng.integers(FIRST_WORD_ID, vocabulary_size, length).astype("int32")
        words[[0, split, length - 1]] = CLS_ID, SEP_ID, SEP_ID
        token_ids[row, :length] = words
        segment_ids[row, split + 1:length] = 1
        candidates = [i for i in range(1, length - 1) if i != split]
        chosen = np.sort(rng.choice(candidates, min(num_masks, len(candidates)),
                                    replace=False))
        mask_positions[row, :len(chosen)] = chosen
        mask_ids[row, :len(chosen)] = words[chosen]
        mask_weights[row, :len(chosen)] = 1.0
        token_ids[row, chosen] = MASK_ID
    padding_mask = (token_ids != 0).astype("int32")
    x = {"token_ids": token_ids, "segment_ids": segment_ids,
         "padding_mask": padding_mask, "mask_positions": mask_positions}
    y = {"mlm_logits": mask_ids,
         "sop_logits": rng.integers(0, 2, batch_size).astype("int32")}
    sample_weight = {"mlm_logits": mask_weights,
                     "sop_logits": np.ones(batch_size, "float32")}
    return x, y, sample_weight
