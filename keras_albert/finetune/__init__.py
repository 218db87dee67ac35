"""Fine-tuning on users' files: readers, task specs, the training loop."""

from keras_albert.finetune.held_out import read_texts
from keras_albert.finetune.run import TASKS, evaluate, finetune, predict

__all__ = ["TASKS", "evaluate", "finetune", "predict", "read_texts"]
