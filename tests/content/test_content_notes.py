"""Show notes: references in document order with their heading, and the section tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import SiteOptions, load_page
from bot.content.notes import parse_notes, resolve_url
from bot.models import Episode
from paths import FIXTURES_DIR

SITE = FIXTURES_DIR / "content" / "site"
OPTIONS = SiteOptions(base_url="https://example.com/show/")
BASE = "https://example.com/show/"
PAGE = "https://example.com/show/podcast/0002/"


@pytest.fixture(scope="module")
def news() -> Episode:
    episode, warnings = load_page(SITE, "podcast/0002/index.md", OPTIONS)
    assert episode is not None and warnings == []
    return episode


def test_references_in_document_order_with_their_heading(news: Episode) -> None:
    assert [(r.section, r.text, r.url) for r in news.references] == [
        ("", "前回", "https://example.com/show/podcast/0001/"),
        (
            "Lambdaの新機能（InfoQ）",
            "Lambdaの新機能（InfoQ）",
            "https://www.infoq.com/news/lambda-feature/",
        ),
        ("Lambdaの新機能（InfoQ）", "公式ブログ", "https://aws.amazon.com/blogs/aws/lambda-urls/"),
        (
            "Lambdaの新機能（InfoQ）",
            "https://docs.aws.amazon.com/lambda/latest/dg/urls.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/urls.html",
        ),
        ("Lambdaの新機能（InfoQ）", "https://example.com/autolink", "https://example.com/autolink"),
        ("Kubernetesの話", "Kubeflowのドキュメント", "https://kubeflow.org/docs/started/"),
        ("Kubernetesの話", "日本語サイト", "https://kubernetes.io/ja/"),
        (
            "Kubernetesの話",
            "www.example.org/www-link",
            "https://www.example.org/www-link",
        ),
        ("Kubernetesの話", "引用リンク", "https://quote.example.com/"),
        ("Kubernetesの話", "リンク", "https://html-block.example.com/page"),
        ("同じ見出し", "下の回", "https://example.com/show/podcast/0003/"),
    ]


def test_duplicate_urls_keep_the_first_text(news: Episode) -> None:
    texts = [r.text for r in news.references if r.url.endswith("lambda-urls/")]
    assert texts == ["公式ブログ"]


def test_player_images_shortcodes_and_empty_links_are_not_references(news: Episode) -> None:
    urls = {r.url for r in news.references}
    assert not any("anchor.fm" in u for u in urls)
    assert "https://example.com/diagram.png" not in urls
    assert "https://example.com/figure.png" not in urls
    assert all(r.text != "空のリンク" for r in news.references)


def test_bare_url_stops_where_japanese_text_runs_on(news: Episode) -> None:
    lead_of_lambda = next(s for s in news.sections if s.heading == "Lambdaの新機能（InfoQ）")
    assert "詳しくは 。です" in lead_of_lambda.text
    assert "https://docs.aws.amazon.com" not in lead_of_lambda.text


def test_words_with_dots_are_not_links(news: Episode) -> None:
    urls = " ".join(r.url for r in news.references)
    assert "ASP.NET" not in urls and "rebuild.fm" not in urls


def test_sections_form_a_heading_tree(news: Episode) -> None:
    assert [(s.level, s.heading, s.path, s.anchor) for s in news.sections] == [
        (0, "", (), ""),
        (1, "ピックアップニュース", ("ピックアップニュース",), "ピックアップニュース"),
        (
            3,
            "Lambdaの新機能（InfoQ）",
            ("ピックアップニュース", "Lambdaの新機能（InfoQ）"),
            "lambdaの新機能infoq",
        ),
        (3, "Kubernetesの話", ("ピックアップニュース", "Kubernetesの話"), "kubernetesの話"),
        (2, "同じ見出し", ("ピックアップニュース", "同じ見出し"), "同じ見出し"),
        (2, "同じ見出し", ("ピックアップニュース", "同じ見出し"), "同じ見出し-1"),
    ]


def test_section_text_keeps_link_text_code_and_quotes_but_not_urls(news: Episode) -> None:
    kube = next(s for s in news.sections if s.heading == "Kubernetesの話")
    assert "Kubeflowのドキュメントと日本語サイトを見た。" in kube.text
    assert "key: value # コードブロックの中身も本文" in kube.text
    assert "引用の中の 引用リンク" in kube.text
    assert "HTMLブロックのリンクです。" in kube.text
    assert "kubeflow.org" not in kube.text
    assert "{{<" not in kube.text and "図1" not in kube.text


def test_section_text_excludes_subsections(news: Episode) -> None:
    top = news.sections[1]
    assert top.text == ""
    assert news.sections[0].text == "今回はニュース回です。前回の続きもあります。"


def test_note_with_only_a_player_has_one_empty_lead_section() -> None:
    episode, _ = load_page(SITE, "podcast/0001/index.md", OPTIONS)
    assert episode is not None
    assert [(s.level, s.heading, s.text) for s in episode.sections] == [(0, "", "")]
    assert episode.references == ()


def test_links_inside_headings_belong_to_that_heading() -> None:
    notes = parse_notes(
        "# 前置き\n\n## [記事（InfoQ）](https://infoq.example/a)\n\n本文\n", BASE, PAGE
    )
    assert [(r.section, r.text) for r in notes.references] == [("記事（InfoQ）", "記事（InfoQ）")]
    assert notes.sections[2].path == ("前置き", "記事（InfoQ）")


def test_inline_reference_lines_and_autolinks() -> None:
    notes = parse_notes("参考: [資料A](https://a.example/) / <https://b.example/x>\n", BASE, PAGE)
    assert [r.url for r in notes.references] == ["https://a.example/", "https://b.example/x"]


def test_shortcode_spanning_lines_hides_its_urls() -> None:
    notes = parse_notes(
        '{{< figure\n  src="https://img.example/a.png"\n  title="図" >}}\n\nあと https://c.example/\n',
        BASE,
        PAGE,
    )
    assert [r.url for r in notes.references] == ["https://c.example/"]
    assert notes.sections[0].text == "あと"


def test_image_inside_link_uses_alt_text() -> None:
    notes = parse_notes("[![ロゴ](https://img.example/l.png)](https://site.example/)\n", BASE, PAGE)
    assert [(r.text, r.url) for r in notes.references] == [("ロゴ", "https://site.example/")]


@pytest.mark.parametrize(
    ("href", "url"),
    [
        (
            "kubeflow.org/docs/gke/deploy/deploy-cli/",
            "https://kubeflow.org/docs/gke/deploy/deploy-cli/",
        ),
        ("www.example.com", "https://www.example.com"),
        ("/post/x/", "https://example.com/show/post/x/"),
        ("../0001/", "https://example.com/show/podcast/0001/"),
        ("image.png", "https://example.com/show/podcast/0002/image.png"),
        ("//cdn.example.com/a.js", "https://cdn.example.com/a.js"),
        ("(https://status.example.com/i/1)", "https://status.example.com/i/1"),
        ("mailto:show@example.com", "mailto:show@example.com"),
        ("#section", None),
        ("", None),
        ("javascript:alert(1)", None),
    ],
)
def test_link_targets_are_made_absolute(href: str, url: str | None) -> None:
    assert resolve_url(href, BASE, PAGE) == url


def test_first_paragraph_skips_the_player_and_shortcodes() -> None:
    notes = parse_notes(
        '<iframe src="https://anchor.fm/s/embed/episodes/x-e1"></iframe>\n\n'
        '{{< figure src="a.png" >}}\n\n本当の**最初**の段落。\n\n次。\n',
        BASE,
        PAGE,
    )
    assert notes.first_paragraph == "本当の最初の段落。"
    assert [p.player_url for p in notes.players] == ["https://anchor.fm/s/episodes/x-e1"]
