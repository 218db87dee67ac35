"""SQuAD 2.0 evaluation check: our `finetune --task qa` metrics against the
official SQuAD 2.0 evaluation script's, on the same predictions.

A SQuAD 2.0 file from the embedded WordNet glosses ("what is <its longest
word>?", answered by the gloss's last two words, and "what is <the next
gloss's longest word>?", unanswerable, on each gloss), albert_tiny from random weights on a vocabulary of the glosses,
`keras-albert finetune` (which tunes the null-answer threshold on the eval
file), `keras-albert predict --n-best 1`, then the official script's scoring
of those predictions with their null score differences as its `na_probs`
(`get_raw_scores`, `apply_no_ans_threshold`, `find_all_best_thresh`), read from
Google's ALBERT `squad_utils.py` ("from official SQuAD v2.0 evaluation
scripts"; `pip install albert-tensorflow==1.1`, the `fixtures` extra; the
functions are taken from its source, which does not import on TensorFlow 2).

    cd bench && python squad2_check.py --out out/squad2
"""

import argparse
import ast
import collections
import importlib.util
import json
import re
import string
from pathlib import Path

from keras_albert.cli import main
from keras_albert.datasets import write_wordnet_corpus
from keras_albert.text import train_vocabulary

TRAIN_GLOSSES, EVAL_GLOSSES = 1000, 200  # questions: twice as many (half unanswerable)
VOCAB_SIZE = 1000
SETTINGS = ["--sequence-length", "64", "--batch-size", "32", "--epochs", "10",
            "--learning-rate", "1e-3", "--no-xla", "--seed", "0"]
OFFICIAL = ("make_qid_to_has_ans", "normalize_answer_v2", "get_tokens", "compute_exact",
            "compute_f1", "get_raw_scores", "apply_no_ans_threshold", "make_eval_dict",
            "find_best_thresh", "find_all_best_thresh")


def official_functions():
    """The official script's functions, from Google's ALBERT `squad_utils.py`."""
    spec = importlib.util.find_spec("albert")
    source = Path(spec.submodule_search_locations[0], "squad_utils.py").read_text()
    tree = ast.parse(source)
    tree.body = [node for node in tree.body
                 if isinstance(node, ast.FunctionDef) and node.name in OFFICIAL]
    namespace = {"collections": collections, "re": re, "string": string}
    exec(compile(tree, "squad_utils.py", "exec"), namespace)  # noqa: S102
    return namespace


def squad_file(path, glosses):
    paragraphs = []
    for number, context in enumerate(glosses):
        answer = " ".join(context.split()[-2:])
        other = max(glosses[(number + 1) % len(glosses)].split(), key=len)
        paragraphs.append({"context": context, "qas": [
            {"id": f"a{number}", "question": f"what is {max(context.split(), key=len)}?",
             "answers": [{"text": answer, "answer_start": context.rindex(answer)}],
             "is_impossible": False},
            {"id": f"n{number}", "question": f"what is {other}?", "answers": [],
             "is_impossible": True}]})
    path.write_text(json.dumps({"version": "v2.0", "data": [
        {"title": "glosses", "paragraphs": paragraphs}]}))
    return path


def main_check(out):
    out.mkdir(parents=True, exist_ok=True)
    lines = write_wordnet_corpus(out / "corpus.txt", limit=4000).read_text().splitlines()
    glosses = [line for line in lines if len(line.split()) >= 4]
    train_vocabulary(out / "corpus.txt", VOCAB_SIZE, out / "vocab")
    train = squad_file(out / "train.json", glosses[:TRAIN_GLOSSES])
    eval_path = squad_file(out / "eval.json",
                           glosses[TRAIN_GLOSSES:TRAIN_GLOSSES + EVAL_GLOSSES])
    main(["finetune", "--task", "qa", "--model", "albert_tiny", "--vocab",
          str(out / "vocab"), "--train", str(train), "--eval", str(eval_path),
          "--out", str(out / "run"), *SETTINGS])
    ours = json.loads((out / "run" / "metrics.json").read_text())["eval_metrics"]
    main(["predict", str(out / "run" / "model"), "--input", str(eval_path), "--n-best",
          "1", "--out", str(out / "predictions.jsonl")])
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    preds = {row["id"]: row["n_best"][0]["text"] if row["n_best"] else "" for row in rows}
    na_probs = {row["id"]: row["null_score"] - row["n_best"][0]["score"]
                if row["n_best"] else float("inf") for row in rows}
    official = official_functions()
    dataset = json.loads(eval_path.read_text())["data"]
    has_answer = official["make_qid_to_has_ans"](dataset)
    exact_raw, f1_raw = official["get_raw_scores"](dataset, preds)
    def at(threshold):
        return official["make_eval_dict"](*(
            official["apply_no_ans_threshold"](raw, na_probs, has_answer, threshold)
            for raw in (exact_raw, f1_raw)))

    reference = at(ours["null_score_threshold"])
    official["find_all_best_thresh"](reference, preds, exact_raw, f1_raw, na_probs,
                                     has_answer)
    print("| metric | keras-albert (finetune's eval) | official script (predict's output) |")
    print("|---|---|---|")
    for name in ("exact", "f1", "total", "best_exact", "best_exact_thresh", "best_f1",
                 "best_f1_thresh"):
        print(f"| {name} | {ours[name]:.6f} | {reference[name]:.6f} |")
    untuned = at(0.0)
    print(f"\nnull_score_threshold {ours['null_score_threshold']:.6f} (saved, applied to "
          f"both); the official script at threshold 0.0: exact {untuned['exact']:.4f}, "
          f"f1 {untuned['f1']:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/squad2"))
    main_check(parser.parse_args().out)
