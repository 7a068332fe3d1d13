import pytest

from bot.notify.template import CONTENT_MAX, TemplateError, Values, check, render


def test_every_placeholder_is_filled():
    values = Values(
        title="#3 Cloud Run", number="3", summary="概要", url="https://x/3", player="https://p/3",
        role="<@&9>", date="2026-01-01",
    )  # fmt: skip
    text = "{role} {title} {number} {summary} {url} {player} {date} {{braces}}"
    check(text)
    assert render(text, values) == (
        "<@&9> #3 Cloud Run 3 概要 https://x/3 https://p/3 2026-01-01 {braces}"
    )


@pytest.mark.parametrize("bad", ["{titel}", "{title.__class__}", "{0}", "{}"])
def test_unknown_placeholder_is_named(bad):
    with pytest.raises(TemplateError) as caught:
        check(f"new: {bad}")
    assert bad in str(caught.value)


@pytest.mark.parametrize("bad", ["{title", "title}", "", "   "])
def test_stray_braces_and_empty_templates_are_refused(bad):
    with pytest.raises(TemplateError):
        check(bad)


def test_values_cannot_ping_or_link_but_the_role_can():
    values = Values(title="@everyone <@123> <@&5> <#7> @here", role="<@&9>")
    out = render("{role} {title}", values)
    assert out.startswith("<@&9> ")
    for raw in ("@everyone", "<@123>", "<@&5>", "<#7>", "@here"):
        assert raw not in out


def test_a_long_summary_is_shortened_to_fit_discords_limit():
    values = Values(title="t", summary="長" * 5000)
    out = render("{title}\n{summary}\nend", values)
    assert len(out) <= CONTENT_MAX
    assert out.endswith("…\nend")
    assert len(render("{summary}{summary}", values)) <= CONTENT_MAX
