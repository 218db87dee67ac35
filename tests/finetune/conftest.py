import json

# A quick albert_tiny run, for the command-line tests.
TINY = ["--model", "albert_tiny", "--epochs", "1", "--batch-size", "8",
        "--sequence-length", "32", "--learning-rate", "1e-3"]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
