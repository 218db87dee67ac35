"""SQuAD 2.0 as users score it: the official evaluation script's numbers, the
null-answer threshold tuned after fine-tuning and saved with the model, and
`predict --n-best`.

The reference below is the official `evaluate-v2.0.py`'s scoring, as Google's
ALBERT repository carries it (google-research/albert `squad_utils.py`, Apache
2.0, "from official SQuAD v2.0 evaluation scripts"), re-indented, not changed:
that package does not import on TensorFlow 2, and transformers 5 no longer
ships its copy (`transformers.data.metrics.squad_metrics`).
"""

import collections
import json
import random
import re
import string

import pytest

from keras_albert.cli import main
from keras_albert.datasets import write_wordnet_corpus
from keras_albert.finetune import finetune
from keras_albert.metrics import best_null_threshold, squad_v2_metrics
from tests.finetune.conftest import TINY


# ---- The reference: the official SQuAD 2.0 evaluation script's functions ----
def make_qid_to_has_ans(dataset):
    qid_to_has_ans = {}
    for article in dataset:
        for p in article['paragraphs']:
            for qa in p['qas']:
                qid_to_has_ans[qa['id']] = bool(qa['answers'])
    return qid_to_has_ans


def normalize_answer_v2(s):
    """Lower text and remove punctuation, articles and extra whitespace."""
    def remove_articles(text):
        regex = re.compile(r'\b(a|an|the)\b', re.UNICODE)
        return re.sub(regex, ' ', text)
    def white_space_fix(text):
        return ' '.join(text.split())
    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)
    def lower(text):
        return text.lower()
    return white_space_fix(remove_articles(remove_punc(lower(s))))


def get_tokens(s):
    if not s: return []
    return normalize_answer_v2(s).split()


def compute_exact(a_gold, a_pred):
    return int(normalize_answer_v2(a_gold) == normalize_answer_v2(a_pred))


def compute_f1(a_gold, a_pred):
    gold_toks = get_tokens(a_gold)
    pred_toks = get_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        # If either is no-answer, then F1 is 1 if they agree, 0 otherwise
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def get_raw_scores(dataset, preds):
    exact_scores = {}
    f1_scores = {}
    for article in dataset:
        for p in article['paragraphs']:
            for qa in p['qas']:
                qid = qa['id']
                gold_answers = [a['text'] for a in qa['answers']
                                if normalize_answer_v2(a['text'])]
                if not gold_answers:
                    # For unanswerable questions, only correct answer is empty string
                    gold_answers = ['']
                if qid not in preds:
                    print('Missing prediction for %s' % qid)  # noqa: UP031
                    continue
                a_pred = preds[qid]
                # Take max over all gold answers
                exact_scores[qid] = max(compute_exact(a, a_pred) for a in gold_answers)
                f1_scores[qid] = max(compute_f1(a, a_pred) for a in gold_answers)
    return exact_scores, f1_scores


def apply_no_ans_threshold(scores, na_probs, qid_to_has_ans, na_prob_thresh):
    new_scores = {}
    for qid, s in scores.items():
        pred_na = na_probs[qid] > na_prob_thresh
        if pred_na:
            new_scores[qid] = float(not qid_to_has_ans[qid])
        else:
            new_scores[qid] = s
    return new_scores


def make_eval_dict(exact_scores, f1_scores, qid_list=None):
    if not qid_list:
        total = len(exact_scores)
        return collections.OrderedDict([
            ('exact', 100.0 * sum(exact_scores.values()) / total),
            ('f1', 100.0 * sum(f1_scores.values()) / total),
            ('total', total),
        ])
    else:
        total = len(qid_list)
        return collections.OrderedDict([
            ('exact', 100.0 * sum(exact_scores[k] for k in qid_list) / total),
            ('f1', 100.0 * sum(f1_scores[k] for k in qid_list) / total),
            ('total', total),
        ])


def merge_eval(main_eval, new_eval, prefix):
    for k in new_eval:
        main_eval['%s_%s' % (prefix, k)] = new_eval[k]  # noqa: UP031


def find_best_thresh(preds, scores, na_probs, qid_to_has_ans):
    num_no_ans = sum(1 for k in qid_to_has_ans if not qid_to_has_ans[k])
    cur_score = num_no_ans
    best_score = cur_score
    best_thresh = 0.0
    qid_list = sorted(na_probs, key=lambda k: na_probs[k])
    for i, qid in enumerate(qid_list):
        if qid not in scores: continue
        if qid_to_has_ans[qid]:
            diff = scores[qid]
        else:
            if preds[qid]:
                diff = -1
            else:
                diff = 0
        cur_score += diff
        if cur_score > best_score:
            best_score = cur_score
            best_thresh = na_probs[qid]
    return 100.0 * best_score / len(scores), best_thresh


def find_all_best_thresh(main_eval, preds, exact_raw, f1_raw, na_probs, qid_to_has_ans):
    best_exact, exact_thresh = find_best_thresh(preds, exact_raw, na_probs, qid_to_has_ans)
    best_f1, f1_thresh = find_best_thresh(preds, f1_raw, na_probs, qid_to_has_ans)
    main_eval['best_exact'] = best_exact
    main_eval['best_exact_thresh'] = exact_thresh
    main_eval['best_f1'] = best_f1
    main_eval['best_f1_thresh'] = f1_thresh


def official_evaluation(dataset, preds, na_probs, na_prob_thresh):
    """The official script's `main()` on a dataset, predictions, na_probs."""
    qid_to_has_ans = make_qid_to_has_ans(dataset)
    has_ans_qids = [k for k, v in qid_to_has_ans.items() if v]
    no_ans_qids = [k for k, v in qid_to_has_ans.items() if not v]
    exact_raw, f1_raw = get_raw_scores(dataset, preds)
    exact_thresh = apply_no_ans_threshold(exact_raw, na_probs, qid_to_has_ans,
                                          na_prob_thresh)
    f1_thresh = apply_no_ans_threshold(f1_raw, na_probs, qid_to_has_ans, na_prob_thresh)
    out_eval = make_eval_dict(exact_thresh, f1_thresh)
    if has_ans_qids:
        merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, qid_list=has_ans_qids),
                   'HasAns')
    if no_ans_qids:
        merge_eval(out_eval, make_eval_dict(exact_thresh, f1_thresh, qid_list=no_ans_qids),
                   'NoAns')
    find_all_best_thresh(out_eval, preds, exact_raw, f1_raw, na_probs, qid_to_has_ans)
    return out_eval
# ---- end of the reference ----


def glosses(tmp_path, limit=300):
    text = write_wordnet_corpus(tmp_path / "corpus.txt", limit=limit).read_text()
    return [line for line in text.splitlines() if len(line.split()) >= 4]


def test_squad2_metrics_match_the_official_script(tmp_path):
    """Gold answers, predictions and null score differences drawn from WordNet
    glosses (articles, punctuation, several golds, unanswerable questions,
    tied differences): our numbers are the script's, at a fixed threshold
    and at the tuned one."""
    rng = random.Random(0)
    qas, texts, diffs = [], [], []
    for number, gloss in enumerate(glosses(tmp_path)):
        words = gloss.split()
        start = rng.randrange(len(words) - 1)
        gold = " ".join(words[start:start + rng.randint(1, 4)])
        answers = [] if rng.random() < 0.4 else [gold, *(["the"] if number % 7 == 0 else [])]
        shift = rng.choice([0, 0, 1, -1, 2])
        predicted = " ".join(words[max(0, start + shift):start + shift + rng.randint(1, 4)])
        qas.append({"id": f"q{number}", "answers": [{"text": t} for t in answers]})
        texts.append("" if number % 11 == 0 else predicted)
        diffs.append(round(rng.uniform(-4, 4), 1))  # rounded: some differences tie
    dataset = [{"paragraphs": [{"qas": qas}]}]
    preds = {qa["id"]: text for qa, text in zip(qas, texts, strict=True)}
    na_probs = {qa["id"]: diff for qa, diff in zip(qas, diffs, strict=True)}
    answers = [[a["text"] for a in qa["answers"]] for qa in qas]
    for threshold in (0.0, -1.5, None):
        ours = squad_v2_metrics(texts, answers, diffs, threshold)
        applied = ours.pop("null_score_threshold")
        reference = official_evaluation(dataset, preds, na_probs, applied)
        assert ours == pytest.approx(dict(reference)), threshold
    assert applied == reference["best_f1_thresh"]  # None: tuned for the best F1
    assert 0 < reference["HasAns_total"] and 0 < reference["NoAns_total"]


def test_threshold_is_where_answering_stops_paying():
    """Questions answered in order of rising difference: q1 right (+1), q2
    wrong (-1, unanswerable), q3 and q5 right (+1 each), q4 wrong: the best
    is to answer all but q4, i.e. a threshold of q5's difference, 1.0."""
    scores = [1.0, 0.0, 1.0, 0.0, 1.0]
    diffs = [-2.0, -1.0, 0.5, 3.0, 1.0]
    has_answer = [True, False, True, False, True]
    answered = [True, True, True, True, True]
    assert best_null_threshold(scores, diffs, has_answer, answered) == (80.0, 1.0)
    texts = ["paris", "london", "rome", "oslo", "bern"]
    answers = [["Paris"], [], ["Rome"], [], ["Bern"]]
    tuned = squad_v2_metrics(texts, answers, diffs)
    assert (tuned["exact"], tuned["HasAns_exact"], tuned["NoAns_exact"]) == (80, 100, 50)
    assert squad_v2_metrics(texts, answers, diffs, 0.0)["exact"] == 40.0  # q1 and q4


def squad_file(path, contexts, impossible=True):
    """A SQuAD 2.0 file from glosses: "what is ...?" answered by its last two
    words, and (with `impossible`) an unanswerable question on each."""
    paragraphs = []
    for number, context in enumerate(contexts):
        answer = " ".join(context.split()[-2:])
        qas = [{"id": f"a{number}", "question": f"what is {context.split()[0]}?",
                "answers": [{"text": answer, "answer_start": context.rindex(answer)}],
                "is_impossible": False}]
        if impossible:
            qas.append({"id": f"n{number}", "question": "who won the war?",
                        "answers": [], "is_impossible": True})
        paragraphs.append({"context": context, "qas": qas})
    path.write_text(json.dumps({"version": "v2.0", "data": [
        {"title": "glosses", "paragraphs": paragraphs}]}))
    return path


def test_eval_without_unanswerable_questions_is_refused(tmp_path, wordnet_vocab):
    contexts = glosses(tmp_path, 60)[:8]
    train = squad_file(tmp_path / "train.json", contexts)
    eval_path = squad_file(tmp_path / "eval.json", contexts, impossible=False)
    with pytest.raises(ValueError, match=rf"^{re.escape(str(eval_path))} has no "
                       r"unanswerable questions, but 8 training questions are"):
        finetune("qa", "albert_tiny", train, tmp_path / "run", eval=eval_path,
                 vocab=str(wordnet_vocab), epochs=1)
    assert not (tmp_path / "run").exists()  # refused before training


def test_threshold_saved_and_predict_n_best(tmp_path, capsys, wordnet_vocab):
    train = squad_file(tmp_path / "train.json", glosses(tmp_path, 80)[:12])
    out = tmp_path / "run"
    assert main(["finetune", "--task", "qa", "--vocab", str(wordnet_vocab), "--train",
                 str(train), "--eval", str(train), "--out", str(out), *TINY,
                 "--max-answer-length", "5", "--no-xla"]) == 0
    scores = json.loads((out / "metrics.json").read_text())["eval_metrics"]
    saved = json.loads((out / "model/config.json").read_text())["source"]["finetune"]
    assert saved["max_answer_length"] == 5
    assert saved["null_score_threshold"] == scores["null_score_threshold"]
    assert scores["null_score_threshold"] == scores["best_f1_thresh"]
    assert (scores["total"], scores["HasAns_total"], scores["NoAns_total"]) == (24, 12, 12)
    capsys.readouterr()
    # The saved threshold is applied, not tuned again: the same numbers.
    assert main(["evaluate", str(out / "model"), "--data", str(train)]) == 0
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {name: evaluated[name] for name in scores} == pytest.approx(scores)

    assert main(["predict", str(out / "model"), "--input", str(train), "--n-best", "3",
                 "--out", str(tmp_path / "n_best.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "n_best.jsonl").read_text().splitlines()]
    assert len(rows) == 24
    for row in rows:
        best = row["n_best"]
        assert 1 <= len(best) <= 3 and len({entry["text"] for entry in best}) == len(best)
        assert [entry["score"] for entry in best] == sorted(
            (entry["score"] for entry in best), reverse=True)
        for entry in best:
            assert entry["score"] == pytest.approx(entry["start_logit"] + entry["end_logit"])
        assert sum(entry["probability"] for entry in best) == pytest.approx(1.0)
        answered = row["null_score"] - best[0]["score"] <= saved["null_score_threshold"]
        assert row["answer"] == (best[0]["text"] if answered else "")
    assert main(["predict", str(out / "model"), "--input", str(train),
                 "--max-answer-length", "1", "--out", str(tmp_path / "one.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "one.jsonl").read_text().splitlines()]
    assert all(set(row) == {"row", "id", "answer"} for row in rows)  # today's shape
    assert all(" " not in row["answer"] for row in rows)  # one piece: within a word
