from shiplint.cli import main

raise SystemExit(main())
