"""Which model a checkpoint fills: the pretrainer when both heads are present."""

import warnings

from keras_albert.tasks import AlbertMaskedLM, AlbertPretrainer, AlbertSentenceOrder


def model_for_heads(backbone, has_mlm_head, has_sop_head, source):
    """The model holding exactly the backbone and the pretraining heads found.

    A missing head is reported with a warning: users converting a released
    checkpoint expect both, and a silent drop would surface much later.
    """
    if has_mlm_head and has_sop_head:
        return AlbertPretrainer(backbone=backbone)
    missing = [name for name, present in (("masked-LM", has_mlm_head),
                                          ("sentence-order", has_sop_head))
               if not present]
    warnings.warn(f"{source} has no {' and no '.join(missing)} head; converting "
                  "without it.", stacklevel=3)
    if has_mlm_head:
        return AlbertMaskedLM(backbone=backbone)
    if has_sop_head:
        return AlbertSentenceOrder(backbone=backbone)
    return backbone
