"""Task names (`--task`) -> their `TaskSpec`."""

import functools
import inspect

from keras_albert.checks import check_choice
from keras_albert.finetune.choice import MultipleChoice
from keras_albert.finetune.classification import TextClassification
from keras_albert.finetune.similarity import SentenceSimilarity
from keras_albert.finetune.squad import QuestionAnswering
from keras_albert.finetune.tagging import TokenTagging

SPECS = {
    "classify": functools.partial(TextClassification, "classify"),
    "pair": functools.partial(TextClassification, "pair"),
    "regress": functools.partial(TextClassification, "regress"),
    "tag": TokenTagging,
    "qa": QuestionAnswering,
    "choice": MultipleChoice,
    "similarity": SentenceSimilarity,
}
TASKS = tuple(SPECS)


def make_spec(task, tokenizer, sequence_length, text_columns=None, label_column=None,
              **options):
    """The spec of the task named `task` (one of `TASKS`); `options` are the
    task's own settings (qa: `max_answer_length`, ...), None for its default."""
    check_choice("task", task, TASKS)
    options = {name: value for name, value in options.items() if value is not None}
    for name, value in options.items():
        if name not in inspect.signature(SPECS[task]).parameters:
            raise ValueError(f"`{name}` is not a setting of the {task!r} task. "
                             f"Received: {name}={value!r}")
    return SPECS[task](text_columns, label_column, tokenizer=tokenizer,
                       sequence_length=sequence_length, **options)


# The keys of a recorded spec that are not task options: `make_spec`'s own
# arguments, and `from` (the model `finetune` started from).
_RECORDED = ("task", "sequence_length", "text_columns", "label_column", "from")


def spec_from_config(config, tokenizer):
    """The spec `TaskSpec.get_config()` described, on `tokenizer`."""
    options = {name: value for name, value in config.items() if name not in _RECORDED}
    return make_spec(config["task"], tokenizer, config["sequence_length"],
                     config.get("text_columns"), config.get("label_column"), **options)
