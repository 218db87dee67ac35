"""Pretraining data at corpus scale: `keras-albert prepare` against TF Model
Garden's `create_pretraining_data.py`, on the same corpus and SentencePiece model.

The corpus is `tools/build_pretraining_corpus.py`'s (English text the machine
carries, one sentence a line, a blank line between documents), built once per
size under `--out` and reused; the vocabulary (SentencePiece unigram, ALBERT's
special pieces, `VOCAB_SIZE`) is trained on its first part. Each tool runs as
its own process. Model Garden's, with ALBERT's settings (SentencePiece, lower
case, n-gram masking up to 3, static masks of 15%, at most 20 a sequence, one
duplicate), runs in a virtual environment of its own, as it needs tensorflow
2.20 beside our 2.21:

    python3.11 -m venv bench/.venv-garden
    bench/.venv-garden/bin/pip install tf-models-official==2.20.0

(resolved to tensorflow 2.20.0, tensorflow-text 2.20.1, tf-keras 2.20.1,
sentencepiece 0.2.3, protobuf 7.36.2). Ours runs with `--workers 2`; it writes
no masks (masking is dynamic, at training time), and its pairs are
sentence-order pairs where Model Garden's are next-sentence pairs.

Wall clock includes each process's start (imports). Peak memory is sampled
every `SAMPLE_SECONDS` over the whole process tree (workers included): the sum
of resident sets (RSS, shared pages counted in each process) and of
proportional sets (PSS, shared pages split among the processes sharing them).

    python bench/prepare_compare.py --megabytes 100
    python bench/prepare_compare.py --megabytes 100 --runner DirectRunner
    python bench/prepare_compare.py --memory-sizes 100,1000    # ours only

Without `keras-albert prepare` (an older checkout), or with `--garden-only`, it
prints Model Garden's figures alone.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from keras_albert.text import train_vocabulary

ROOT = Path(__file__).resolve().parents[1]
CORPUS_TOOL = ROOT / "tools" / "build_pretraining_corpus.py"
GARDEN_PYTHON = ROOT / "bench" / ".venv-garden" / "bin" / "python"
VOCAB_SIZE = 8000  # SentencePiece pieces, trained on the corpus's first part
SEQUENCE_LENGTH = 128  # tokens a pair, [CLS] and [SEP]s included
MAX_PREDICTIONS = 20  # masked positions a sequence (Model Garden's static masks)
MASKED_LM_PROB = 0.15  # share of tokens masked (Model Garden's)
MAX_NGRAM = 3  # longest masked n-gram, as ALBERT's
DUPE_FACTOR = 1  # passes over the corpus
WORKERS = 2  # our local worker processes
SEED = 0  # both tools' random seed
# Beam's DirectRunner on as many processes as our local workers.
DIRECT_RUNNER_OPTIONS = [f"--direct_num_workers={WORKERS}",
                         "--direct_running_mode=multi_processing"]
SAMPLE_SECONDS = 0.2  # interval of the memory samples


def _memory_kb(pid):
    """(RSS, PSS) of one process in kB, zeros once it is gone."""
    sizes = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, value, *_ = line.split()
            if name in sizes:
                sizes[name] = int(value)
    except (OSError, ValueError):
        pass
    return sizes["Rss:"], sizes["Pss:"]


def _process_tree(root):
    """`root` and its descendants' process ids."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def timed(command, log):
    """Run `command` (its output to `log`): seconds, and the peak sums of RSS and
    PSS over its process tree in MB (10^6 bytes, as the text's)."""
    started = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        peak_rss = peak_pss = 0
        while process.poll() is None:
            sizes = [_memory_kb(pid) for pid in _process_tree(process.pid)]
            peak_rss = max(peak_rss, sum(rss for rss, _ in sizes))
            peak_pss = max(peak_pss, sum(pss for _, pss in sizes))
            time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = Path(log).read_text(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"{command[0]} ... failed ({process.returncode}); see {log}: "
                         + "".join(tail))
    return {"seconds": seconds, "rss_mb": peak_rss * 1024 / 1e6, "pss_mb": peak_pss * 1024 / 1e6}


def corpus(out, megabytes):
    """The corpus directory of `megabytes`, built unless it is there."""
    directory = out / f"corpus-{megabytes:g}mb"
    summary = directory / "corpus.json"
    if not (summary.exists() and json.loads(summary.read_text())["megabytes"] == megabytes):
        subprocess.run([sys.executable, str(CORPUS_TOOL), "--out", str(directory),
                        "--megabytes", str(megabytes)], check=True)
    return directory, json.loads(summary.read_text())


def vocabulary(out, corpus_directory):
    directory = out / f"vocab-{VOCAB_SIZE}"
    if not (directory / "spiece.model").exists():
        train_vocabulary(corpus_directory / "part-00000.txt", VOCAB_SIZE, directory)
    return directory


def garden_command(corpus_directory, vocab, output):
    return [str(GARDEN_PYTHON), "-m", "official.nlp.data.create_pretraining_data",
            f"--input_file={corpus_directory}/part-*.txt", f"--output_file={output}",
            "--tokenization=SentencePiece", f"--sp_model_file={vocab}/spiece.model",
            "--do_lower_case=true", f"--max_seq_length={SEQUENCE_LENGTH}",
            f"--max_predictions_per_seq={MAX_PREDICTIONS}",
            # Model Garden joins only WordPiece's "##" pieces into words, so with
            # SentencePiece this is n-gram masking over pieces.
            f"--masked_lm_prob={MASKED_LM_PROB}", "--do_whole_word_mask=true",
            f"--max_ngram_size={MAX_NGRAM}", f"--dupe_factor={DUPE_FACTOR}",
            f"--random_seed={SEED}"]


def ours_command(corpus_directory, vocab, output, runner=None):
    command = [sys.executable, "-m", "keras_albert.cli", "prepare", "--vocab", str(vocab),
               "--input", f"{corpus_directory}/part-*.txt", "--out", str(output),
               "--input-format", "sentences", "--sequence-length", str(SEQUENCE_LENGTH),
               "--dupe-factor", str(DUPE_FACTOR), "--workers", str(WORKERS),
               "--seed", str(SEED)]
    return command + (["--runner", runner, *DIRECT_RUNNER_OPTIONS] if runner else [])


def prepare_exists():
    return subprocess.run([sys.executable, "-m", "keras_albert.cli", "prepare", "--help"],
                          capture_output=True, check=False).returncode == 0


def run(name, command, output, text_mb, log):
    """`timed(command)` with the sizes of the text read and the output written."""
    shutil.rmtree(output, ignore_errors=True)  # our directory of shards
    output.unlink(missing_ok=True)  # Model Garden's file
    result = timed(command, log)
    files = output.rglob("*") if output.is_dir() else [output]
    result.update(name=name, text_mb=text_mb, mb_per_s=text_mb / result["seconds"],
                  output_mb=sum(path.stat().st_size for path in files) / 1e6)
    print(json.dumps(result), flush=True)
    return result


def print_table(results):
    print("\n| | text MB | seconds | MB/s | peak RSS MB (tree) | peak PSS MB (tree) "
          "| output MB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['text_mb']:.1f} | {r['seconds']:.1f} | "
              f"{r['mb_per_s']:.3f} | {r['rss_mb']:.0f} | {r['pss_mb']:.0f} | "
              f"{r['output_mb']:.1f} |")


def positive_megabytes(text):
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = 0
    if megabytes <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number. Received: {text}")
    return megabytes


def two_sizes(text):
    sizes = [positive_megabytes(size) for size in text.split(",")]
    if len(sizes) != 2:
        raise argparse.ArgumentTypeError(f"takes two sizes, e.g. 100,1000. Received: {text}")
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "prepare"))
    parser.add_argument("--megabytes", type=positive_megabytes, default=100.0,
                        help="corpus size (10^6 bytes)")
    parser.add_argument("--runner", help="also run ours on Apache Beam with this runner")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--garden-only", action="store_true", help="Model Garden's run alone")
    only.add_argument("--memory-sizes", type=two_sizes, default=[],
                        help="two corpus sizes in MB (e.g. 100,1000): ours at each, and "
                        "the ratio of their peak memory")
    args = parser.parse_args()
    sizes = args.memory_sizes
    has_prepare = not args.garden_only and prepare_exists()
    if sizes and not has_prepare:
        parser.error("--memory-sizes measures keras-albert prepare, which this checkout lacks")
    if not sizes and not GARDEN_PYTHON.exists():
        parser.error(f"Model Garden's environment is missing: {GARDEN_PYTHON} (see the "
                     "docstring for the two commands that make it)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for megabytes in sizes or [args.megabytes]:
        directory, summary = corpus(out, megabytes)
        vocab = vocabulary(out, directory)
        text_mb = summary["bytes"] / 1e6
        print(f"corpus {directory}: {text_mb:.1f} MB, {summary['unique_bytes'] / 1e6:.1f} MB "
              f"unique; vocabulary {vocab}", flush=True)
        garden, ours, beam = out / "garden.tfrecord", out / "ours", out / "ours-beam"
        runs = [] if sizes else [("Model Garden create_pretraining_data.py", garden,
                                  garden_command(directory, vocab, garden))]
        if has_prepare:
            runs.append((f"keras-albert prepare --workers {WORKERS}", ours,
                         ours_command(directory, vocab, ours)))
        if has_prepare and args.runner and not sizes:
            runs.append((f"keras-albert prepare --runner {args.runner}", beam,
                         ours_command(directory, vocab, beam, args.runner)))
        for name, output, command in runs:
            log = out / f"{output.stem}-{megabytes:g}mb.log"
            results.append(run(name, command, output, text_mb, log))
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    if sizes:
        print(f"\npeak memory at {sizes[1]:g} MB / at {sizes[0]:g} MB: "
              f"RSS {results[1]['rss_mb'] / results[0]['rss_mb']:.2f}x, "
              f"PSS {results[1]['pss_mb'] / results[0]['pss_mb']:.2f}x")
    elif len(results) > 1:
        garden = results[0]["mb_per_s"]
        print("\n" + "; ".join(f"{r['name']}: {r['mb_per_s'] / garden:.2f}x Model Garden's "
                                "MB/s" for r in results[1:]))
    elif not args.garden_only:
        print("\nkeras-albert prepare is missing from this checkout: Model Garden's "
              "figures only")


if __name__ == "__main__":
    main()
