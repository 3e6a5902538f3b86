"""Learning a profile (learn/profile.py): candidate paths, their generalisation over pages,
the best rule against the generic layer, URL patterns. In-process, on small pages."""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html

from kazscraper.learn.paths import (
    article_pattern,
    candidate_paths,
    generalised,
    pagination,
    steps,
)
from kazscraper.learn.profile import (
    check_rules,
    learn_profile,
    newest_pages,
    read_pages,
    same_names,
)
from kazscraper.sites import generic_site

ORIGIN = "http://127.0.0.1:8123"


def element(markup: str, xpath: str) -> Any:
    return lxml_html.fromstring(markup).xpath(xpath)[0]


def test_steps_name_stable_classes_and_ids_not_numbers() -> None:
    el = element(
        '<div><p id="post-1091" class="entry-date  col-8 x123456 published">d</p></div>', "//p"
    )
    assert steps(el) == ["p", "p.entry-date", "p.col-8", "p.published"]


def test_candidate_paths_go_up_through_named_ancestors_only() -> None:
    el = element(
        '<div class="page"><div><article class="post"><h1 class="title">T</h1></article>'
        "</div></div>",
        "//h1",
    )
    paths = candidate_paths(el)
    assert paths[:2] == ["h1", "h1.title"]
    assert "article.post h1.title" in paths and "div.page h1.title" in paths
    assert not any(p.startswith("div h1") for p in paths)  # an unnamed ancestor adds nothing


def test_generalised_keeps_what_most_pages_share() -> None:
    per_page = [
        ["h1", "h1.title", "h1.post-77"],
        ["h1", "h1.title", "h1.post-78"],
        ["h1", "h1.title"],
    ]
    assert generalised(per_page)[:2] == ["h1.title", "h1"]  # named first on a tie
    assert generalised(per_page, limit=1) == ["h1.title"]


def page(n: int) -> tuple[str, str, str]:

    paragraphs = "".join(
        f"<p>Бұл {n}-жаңалықтың {i}-абзацы, онда біраз сөз бар: ауыл, қала, жол.</p>"
        for i in range(1, 6)
    )
    body = (
        f'<html lang="kk"><head><title>Тақырып {n}</title></head><body>'
        '<div class="header"><a href="/">Сайт</a></div>'
        f'<div class="news-detail"><h1 class="news-title">Жаңалық нөмір {n} туралы хабар</h1>'
        f'<span class="news-date">1{n % 9}.03.2025</span>'
        f'<div class="news-text">{paragraphs}</div>'
        f'<div class="news-author"><a class="author-name">Асқар Иманғалиев</a></div></div>'
        "</body></html>"
    )
    return f"{ORIGIN}/news/zhanalyq-nomir-{n}-turaly", body, "2025-04-01T00:00:00+00:00"


def test_learned_rules_agree_with_the_generic_layer_on_most_pages() -> None:
    base = generic_site(ORIGIN)
    pages = read_pages([page(n) for n in range(1, 13)], base)
    assert len(pages) == 12
    learned, outcomes = learn_profile(pages, base)
    rules = learned.rules
    assert rules["title"].path == "h1.news-title" and rules["title"].support == (12, 12)
    assert rules["body"].path == "div.news-text" and rules["body"].extra == {"paragraphs": "p"}
    assert rules["date"].path == "span.news-date"
    assert rules["date"].extra["format"] == "99.99.9999"
    assert rules["authors"].path.endswith("a.author-name")
    assert learned.health["body:profile"] >= 0.5
    assert {o.name for o in outcomes if o.rule is None} >= {"similar", "top"}  # no blocks
    again = check_rules(pages, rules, base)
    assert all(o.agreeing == rules[o.name].support[0] for o in again)  # type: ignore[index]


def test_a_rule_under_the_threshold_is_left_out() -> None:
    base = generic_site(ORIGIN)
    pages = read_pages([page(n) for n in range(1, 5)], base)
    learned, outcomes = learn_profile(pages, base, min_support=1.01)
    assert learned.rules == {}
    assert all(o.rule is None for o in outcomes)
    assert next(o for o in outcomes if o.name == "title").best == "h1.news-title"


def test_article_pattern_generalises_segments() -> None:
    urls = [f"{ORIGIN}/2025/0{m}/1{m}/astanada-jana-mektep-{m}/" for m in range(1, 6)]
    pattern, matched = article_pattern(urls)
    assert matched == 5
    assert pattern.startswith("^/(?:2025/[0-9]+/[0-9]+/")
    assert "[0-9]+" in pattern


def test_pagination_form() -> None:
    urls = [f"{ORIGIN}/news/?PAGEN_1={n}" for n in range(2, 5)] + [f"{ORIGIN}/"]
    assert pagination(urls) == ("?PAGEN_1=N", 3)
    assert pagination([f"{ORIGIN}/page/3/"]) == ("/page/N/", 1)


def test_same_names_ignores_order_and_punctuation() -> None:
    assert same_names(
        ["Анар Садықова, Мадина Бекмұхамбетова"], ["Садықова Анар", "Бекмұхамбетова Мадина"]
    )
    assert not same_names(["Анар Садықова"], [])


def test_learning_holds_only_the_newest_pages_however_many_the_archive_has() -> None:
    """An archive of any size is read in bounded memory: the pages are a stream, and only
    the newest capture of the last ``limit`` article URLs is kept (a URL captured again
    counts as new)."""
    base = generic_site(ORIGIN)
    captures = (page(n) for n in [*range(1, 9), 2])  # a stream; 2 is captured again, last
    pages = read_pages(captures, base, limit=3)
    assert [p.url for p in pages] == [page(n)[0] for n in (7, 8, 2)]
    kept = newest_pages(((page(n)[0], n) for n in [*range(1, 9), 2]), 3)
    assert kept == [(page(7)[0], 7), (page(8)[0], 8), (page(2)[0], 2)]


def redesigned(n: int) -> tuple[str, str, str]:
    """``page(n)`` after a redesign: the same article in other markup."""
    url, html, at = page(n)
    html = (
        html.replace('class="news-detail"', 'class="post"')
        .replace('class="news-title"', 'class="post__heading"')
        .replace('class="news-date"', 'class="post__time"')
        .replace('class="news-text"', 'class="post__body"')
        .replace('class="news-author"', 'class="post__people"')
    )
    return url, html, at


def test_after_a_redesign_the_new_layout_is_learned_with_the_old_paths_kept() -> None:
    """With a kept profile, the pages it no longer reads are learned from (when there are
    enough of them); a changed rule keeps the old path as ``earlier`` (the pages archived
    before the redesign are still read by it), and the profile reads both layouts."""
    from kazscraper.learn.profile import MIN_NEW_LAYOUT, new_layout_pages, with_earlier, with_rules

    base = generic_site(ORIGIN)
    old = read_pages([page(n) for n in range(1, 13)], base)
    kept, _ = learn_profile(old, base)
    new = read_pages([redesigned(n) for n in range(13, 13 + MIN_NEW_LAYOUT)], base)
    chosen, unread = new_layout_pages([*old, *new], kept, base)
    assert unread == MIN_NEW_LAYOUT and [p.url for p in chosen] == [p.url for p in new]
    few, unread = new_layout_pages([*old, *new[:3]], kept, base)
    assert unread == 3 and len(few) == 15  # too few to learn a layout from: all pages

    learned, _ = learn_profile(chosen, base)
    proposal = with_earlier(learned, kept, chosen)
    assert proposal.rules["body"].path == "div.post__body"
    assert proposal.rules["body"].earlier == ("div.news-text",)
    assert proposal.rules["body"].selector == "div.post__body, div.news-text"
    assert proposal.rules["title"].earlier == ("h1.news-title",)
    both = with_rules(base, proposal.rules)
    for pages in (old, new):  # the body rule reads either layout
        assert all(o.agreeing == o.seen for o in check_rules(pages, proposal.rules, base))
        assert both.selectors.body == "div.post__body, div.news-text"
    # a kept path that selects something on the new layout is not kept (it would read it)
    same, _ = learn_profile(old, base)
    assert with_earlier(same, kept, old).rules["body"].earlier == ()


def test_a_proposal_keeps_the_kept_article_pattern_beside_the_new_one() -> None:
    """The new layout's pages may be one language's only: a proposal whose article pattern
    were learned from them alone would call the other language's archived articles nothing,
    and the reparse after ``profile accept`` would lose them (it refuses: exit 1). The kept
    pattern stays as an alternative; the listing patterns are kept too."""
    import re

    from kazscraper.learn.profile import with_earlier
    from kazscraper.sites.profile_file import ProfileFile

    kept = ProfileFile(
        {}, {}, urls={"article": r"^/(?:[^/]+/news/[0-9]+)/?$", "listing": ["^/a/?$"]}
    )
    learned = ProfileFile(
        {}, {}, urls={"article": r"^/(?:kk/news/[0-9]+)/?$", "listing": ["^/b/?$"]}
    )
    proposal = with_earlier(learned, kept, [])
    article = re.compile(proposal.urls["article"])
    for path in ("/kk/news/1007", "/ru/news/2003"):
        assert article.match(path), path
    assert not article.match("/kk/about")
    assert proposal.urls["listing"] == ["^/b/?$", "^/a/?$"]
    assert with_earlier(kept, kept, []).urls == kept.urls  # nothing changed: nothing added


def test_rules_changed_names_the_url_rules_a_proposal_changes() -> None:
    """``profile learn``'s "rules changed" line named the fields only: a proposal that
    changed only ``[urls]`` (its article pattern, its pagination) said "none", and the
    change was in the diff alone."""
    from kazscraper.cli.profiles import changed_rules
    from kazscraper.sites.profile_file import ProfileFile, Rule

    fields = {"title": Rule("h1", (5, 5))}
    kept = ProfileFile({}, fields, urls={"article": "^/news/[0-9]+/?$", "pagination": "/page/N/"})
    learned = ProfileFile(
        {}, fields, urls={"article": "^/kk/news/[0-9]+/?$", "pagination": "/page/N/"}
    )
    assert changed_rules(learned, kept) == ["urls.article"]
    both = ProfileFile({}, {"title": Rule("h1.new", (5, 5))}, urls={"listing": ["^/a/?$"]})
    assert changed_rules(both, kept) == ["title", "urls.article", "urls.listing", "urls.pagination"]
    assert changed_rules(kept, kept) == []
