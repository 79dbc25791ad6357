from tools.corpus.generate import main

raise SystemExit(main())
