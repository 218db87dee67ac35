"""Fine-tuning on users' files: readers, task specs, metrics, the training loop."""

from keras_albert.finetune.run import TASKS, evaluate, finetune, predict

__all__ = ["TASKS", "evaluate", "finetune", "predict"]
