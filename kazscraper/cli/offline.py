"""The offline replica's commands: ``demo`` crawls it, ``replica serve`` serves it."""

from __future__ import annotations

import sys
from typing import Any

import click

from kazscraper.cli.crawling import run_and_exit, run_arguments
from kazscraper.cli.default_archive import DEFAULT_SITE, DEMO_DB
from kazscraper.cli.options import MAX_REPLICA_ARTICLES, crawl_options, db_option

DEMO_PORT = 8470  # kazscraper demo: the replica on 8470, its mirror on 8471


@click.command()
@click.option(
    "--articles",
    type=click.IntRange(min=6, max=MAX_REPLICA_ARTICLES),
    default=300,
    show_default=True,
    help="How many articles the replica has (as in `replica serve`).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65534),
    default=DEMO_PORT,
    show_default=True,
    help="The replica's port (the mirror: the next one). The same port on every run keeps"
    " the demo's URLs, so a second demo is an incremental crawl of the same site.",
)
@db_option(DEMO_DB, exists=False)
@crawl_options
def demo(articles: int, port: int, db_path: str, **kwargs: Any) -> None:
    """Serve the offline replica on loopback and crawl it into an archive.

    Needs no network: this is how to see kazscraper work on a new machine.
    The replica has exactly ARTICLES articles, the real seed article among them.
    Every crawl option works here too. Run it again and it crawls the same site
    incrementally (nothing new, nothing changed), as a scheduled crawl would.

    \b
    Examples:
      kazscraper demo --articles 300 --db /tmp/a.sqlite
      kazscraper demo --articles 2000 --max-articles 100 --workers 2
    """
    from kazscraper.crawler.runner import CrawlOptions
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    site = ReplicaSite(articles)
    try:
        server = ReplicaServer(site, port=port, mirror_port=port + 1)
    except OSError:
        server = ReplicaServer(site)
        click.echo(
            f"kazscraper demo: ports {port} and {port + 1} are busy; serving on other ports,"
            f" so the archive gets these URLs beside any earlier demo's (use another --db or"
            f" --port)",
            err=True,
        )
    with server:
        click.echo(
            f"Replica of {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
            err=True,
        )
        options = CrawlOptions(
            db_path=db_path,
            command="demo",
            site=DEFAULT_SITE,
            start_url=server.origin + "/",
            mirrors=(server.mirror_origin,),
            **kwargs,
        )
        options.arguments = run_arguments(options) | {"articles": articles}
        run_and_exit(options)


@click.group()
def replica() -> None:
    """The offline replica of qazdauiri.kz (for tests, benchmarks and demos)."""


@replica.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--mirror-port", type=click.IntRange(0, 65535), default=0, help="[default: any free port]"
)
@click.option(
    "--articles",
    type=click.IntRange(min=6, max=MAX_REPLICA_ARTICLES),
    default=300,
    show_default=True,
)
@click.option("--seed", type=int, default=1, show_default=True, help="Content seed.")
def replica_serve(port: int, mirror_port: int, articles: int, seed: int) -> None:
    """Serve the replica on 127.0.0.1 until interrupted.

    The second port plays the site's image. mirror host.

    \b
    Example:
      kazscraper replica serve --port 8000 --articles 1000
      kazscraper crawl --start-url http://127.0.0.1:8000/ --mirror http://127.0.0.1:<mirror port>
    """
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    try:
        server = ReplicaServer(ReplicaSite(articles, seed=seed), port=port, mirror_port=mirror_port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    click.echo(
        f"Serving {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
        err=True,
    )
    click.echo(f"{server.origin} {server.mirror_origin}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
