import sys

from keras_albert.cli import main

sys.exit(main())
