"""Serve one themed site in the foreground, to crawl or browse it by hand.

python -m kazscraper.replica.themes wordpress --articles 120 --port 8000
kazscraper crawl --site http://127.0.0.1:8000/ --db /tmp/wp.sqlite
python -m kazscraper.replica.themes wordpress --port 8000 --layout 2   # the same site, redesigned
"""

from __future__ import annotations

import argparse
import contextlib
import json

from kazscraper.replica.themes import THEMES, ThemeServer, get_theme
from kazscraper.replica.themes.base import LAYOUTS


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m kazscraper.replica.themes")
    parser.add_argument("theme", choices=sorted(THEMES))
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--layout", choices=LAYOUTS, default="1", help="2: after a redesign")
    parser.add_argument("--truth", metavar="FILE", help="write the ground truth here (JSON)")
    args = parser.parse_args()
    theme = get_theme(args.theme, n_articles=args.articles, seed=args.seed, layout=args.layout)
    server = ThemeServer(theme, port=args.port)
    if args.truth:
        with open(args.truth, "w", encoding="utf-8") as out:
            json.dump(theme.truth(server.origin), out, ensure_ascii=False, indent=1)
    print(f"{theme.name} ({theme.imitates}) at {server.origin}/ — Ctrl-C stops", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
