"""Task names (`--task`) -> their `TaskSpec`."""

import functools

from keras_albert.checks import check_choice
from keras_albert.finetune.choice import MultipleChoice
from keras_albert.finetune.classification import TextClassification
from keras_albert.finetune.squad import QuestionAnswering
from keras_albert.finetune.tagging import TokenTagging

SPECS = {
    "classify": functools.partial(TextClassification, "classify"),
    "pair": functools.partial(TextClassification, "pair"),
    "regress": functools.partial(TextClassification, "regress"),
    "tag": TokenTagging,
    "qa": QuestionAnswering,
    "choice": MultipleChoice,
}
TASKS = tuple(SPECS)


def make_spec(task, tokenizer, sequence_length, text_columns=None, label_column=None):
    """The spec of the task named `task` (one of `TASKS`)."""
    check_choice("task", task, TASKS)
    return SPECS[task](text_columns, label_column, tokenizer=tokenizer,
                       sequence_length=sequence_length)


def spec_from_config(config, tokenizer):
    """The spec `TaskSpec.get_config()` described, on `tokenizer`."""
    return make_spec(config["task"], tokenizer, config["sequence_length"],
                     config.get("text_columns"), config.get("label_column"))
