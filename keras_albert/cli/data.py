"""`data` and `vocab`: the embedded data set and vocabularies."""

from keras_albert.datasets import write_wordnet, write_wordnet_corpus
from keras_albert.datasets.wordnet_similarity import write_wordnet_similarity
from keras_albert.text import train_vocabulary
from keras_albert.text.wordpiece_vocab import train_wordpiece_vocabulary


def _vocab(args):
    if args.type == "wordpiece":
        tokenizer = train_wordpiece_vocabulary(
            args.input, args.vocab_size, args.out, lowercase=not args.cased,
            strip_accents=False if args.keep_accents else None)
        print(f"Wrote {args.out}/{tokenizer.vocabulary_file} "
              f"({tokenizer.vocabulary_size()} tokens)")
        return
    model = train_vocabulary(args.input, args.vocab_size, args.out,
                             lowercase=not args.cased, keep_accents=args.keep_accents)
    print(f"Wrote {model} ({args.vocab_size} pieces)")


def _data(args):
    if args.name == "wordnet-similarity":  # gloss pairs for --task similarity
        paths = write_wordnet_similarity(args.out, limit=args.limit)
        print("Wrote " + ", ".join(map(str, paths)))
        return
    paths = write_wordnet(args.out, limit=args.limit)
    paths.append(write_wordnet_corpus(f"{args.out}/corpus.txt", limit=args.limit))
    print("Wrote " + ", ".join(map(str, paths)))


def add_parsers(commands):
    data = commands.add_parser(
        "data", help="write the embedded WordNet task (train/validation/test.jsonl) "
        "and its pretraining corpus (corpus.txt), or its gloss pairs scored by "
        "similarity (wordnet-similarity)"
    )
    data.add_argument("name", choices=["wordnet", "wordnet-similarity"])
    data.add_argument("--out", required=True, help="directory to write")
    data.add_argument("--limit", type=int,
                      help="about this many examples a split (spread evenly)")
    data.set_defaults(run=_data)
    vocab = commands.add_parser(
        "vocab", help="train a vocabulary with ALBERT's special tokens: SentencePiece "
        "(the English ALBERTs') or WordPiece (the Chinese ALBERTs', BERT's)"
    )
    vocab.add_argument("--type", choices=["sentencepiece", "wordpiece"],
                       default="sentencepiece",
                       help="wordpiece: BERT's basic tokenizer first (each CJK "
                       "character a word), then WordPiece")
    vocab.add_argument("--input", nargs="+", required=True,
                       help="UTF-8 text files, one sentence a line")
    vocab.add_argument("--vocab-size", type=int, default=30000)
    vocab.add_argument("--out", required=True, help="vocabulary directory to write")
    vocab.add_argument("--cased", action="store_true", help="do not lower-case")
    vocab.add_argument("--keep-accents", action="store_true",
                       help="do not strip accents")
    vocab.set_defaults(run=_vocab)
