"""Fine-tuning on users' files: readers, task specs, the training loop."""

from keras_albert.finetune.config import FinetuneConfig
from keras_albert.finetune.evaluation import evaluate, predict, saved_spec
from keras_albert.finetune.held_out import read_texts
from keras_albert.finetune.registry import TASKS, make_spec
from keras_albert.finetune.run import finetune
from keras_albert.finetune.spec import TaskSpec

__all__ = ["TASKS", "FinetuneConfig", "TaskSpec", "evaluate", "finetune", "make_spec",
           "predict", "read_texts", "saved_spec"]
