"""Which pages of a Hugo site are episodes, read as a whole folder and one page at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import SiteOptions, load_page, load_site
from bot.models import Episode
from paths import FIXTURES_DIR

SITE = FIXTURES_DIR / "content" / "site"
OPTIONS = SiteOptions(base_url="https://example.com/show/")


@pytest.fixture(scope="module")
def episodes() -> dict[str, Episode]:
    return {e.path: e for e in load_site(SITE, OPTIONS).episodes}


def test_fixture_site_loads_every_episode_without_warnings() -> None:
    result = load_site(SITE, OPTIONS)
    assert result.warnings == ()
    assert sorted(e.path for e in result.episodes) == [
        "podcast/0001/index.md",
        "podcast/0002/index.md",
        "podcast/0003/index.md",
        "podcast/0004/index.md",
        "podcast/0005/index.md",
        "podcast/0006/index.md",
        "podcast/0007/index.md",
        "podcast/0008/index.md",
        "podcast/0009/index.md",
        "podcast/0010/index.md",
        "podcast/0011/index.md",
        "podcast/0012/index.md",
        "podcast/0013/index.md",
        "podcast/0034/index.md",
        "podcast/bom.md",
        "post/advent.md",
        "talk/hello.md",
    ]


def test_pages_seen_counts_pages_but_not_bundle_resources() -> None:
    # 22 Markdown pages; podcast/0013/notes.md and home/podcast.md are bundle resources
    assert load_site(SITE, OPTIONS).pages_seen == 22


def test_section_index_page_is_never_an_episode_even_with_a_player(
    episodes: dict[str, Episode],
) -> None:
    assert "podcast/_index.md" not in episodes


def test_headless_page_in_podcast_section_is_not_an_episode(episodes: dict[str, Episode]) -> None:
    assert "podcast/0014/index.md" not in episodes


def test_other_files_in_a_page_bundle_are_resources_not_episodes(
    episodes: dict[str, Episode],
) -> None:
    assert "podcast/0013/notes.md" not in episodes
    assert all(e.number != 99 for e in episodes.values())


def test_headless_home_bundle_widgets_are_not_episodes(episodes: dict[str, Episode]) -> None:
    assert not any(path.startswith("home/") for path in episodes)


def test_page_in_podcast_section_without_player_is_an_episode(
    episodes: dict[str, Episode],
) -> None:
    assert episodes["podcast/0007/index.md"].player_url is None
    assert episodes["talk/hello.md"].player_url is None


def test_blog_post_with_its_own_player_is_a_special_episode(episodes: dict[str, Episode]) -> None:
    advent = episodes["post/advent.md"]
    assert advent.number is None
    assert advent.player_url == "https://anchor.fm/testshow/episodes/advent-e1kkk0"


def test_blog_post_embedding_only_existing_episodes_is_not_an_episode(
    episodes: dict[str, Episode],
) -> None:
    assert "post/gear/index.md" not in episodes


def test_blog_post_without_player_is_not_an_episode(episodes: dict[str, Episode]) -> None:
    assert "post/plain.md" not in episodes


def test_drafts_future_and_expired_pages_are_kept_with_their_state(
    episodes: dict[str, Episode],
) -> None:
    assert episodes["podcast/0008/index.md"].draft is True
    assert episodes["podcast/0009/index.md"].publish_date is not None
    assert episodes["podcast/0009/index.md"].publish_date.year == 2099
    assert episodes["podcast/0010/index.md"].expiry_date is not None


def test_podcast_sections_are_configurable(tmp_path: Path) -> None:
    result = load_site(SITE, SiteOptions(podcast_sections=("talk",)))
    paths = {e.path for e in result.episodes}
    assert "talk/hello.md" in paths
    assert "podcast/0007/index.md" not in paths  # no player, and no longer a podcast section
    assert "podcast/0001/index.md" in paths  # has a player


def test_load_page_matches_load_site_for_every_episode(episodes: dict[str, Episode]) -> None:
    for path, episode in episodes.items():
        single, warnings = load_page(SITE, path, OPTIONS)
        assert warnings == []
        assert single == episode


def test_load_page_applies_the_blog_post_rule() -> None:
    assert load_page(SITE, "post/gear/index.md", OPTIONS) == (None, [])
    advent, _ = load_page(SITE, "post/advent.md", OPTIONS)
    assert advent is not None


def test_load_page_returns_none_for_missing_and_non_episode_pages() -> None:
    for rel in (
        "podcast/0999/index.md",
        "podcast/_index.md",
        "podcast/0013/notes.md",
        "podcast/0014/index.md",
        "post/plain.md",
        "podcast/0001/featured.jpg",
    ):
        assert load_page(SITE, rel, OPTIONS) == (None, []), rel


def test_load_page_sees_a_blog_post_become_a_copy_once_the_episode_page_exists(
    tmp_path: Path,
) -> None:
    player = '<iframe src="https://anchor.fm/testshow/embed/episodes/early-e9"></iframe>'
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "early.md").write_text(
        f"---\ntitle: 先行公開\n---\n{player}\n", encoding="utf-8"
    )
    assert load_page(tmp_path, "post/early.md", OPTIONS)[0] is not None
    (tmp_path / "podcast" / "0009").mkdir(parents=True)
    (tmp_path / "podcast" / "0009" / "index.md").write_text(
        f'---\ntitle: "#9 本編"\n---\n{player}\n', encoding="utf-8"
    )
    assert load_page(tmp_path, "post/early.md", OPTIONS) == (None, [])


def test_blog_post_with_a_second_unique_player_uses_that_one(
    episodes: dict[str, Episode],
) -> None:
    advent = episodes["post/advent.md"]
    assert advent.embed_url == "https://anchor.fm/testshow/embed/episodes/advent-e1kkk0"


def test_missing_content_folder_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="content folder not found"):
        load_site(tmp_path / "nope", OPTIONS)


def test_content_folder_that_is_a_file_raises_not_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "file.md"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        load_site(target, OPTIONS)


def test_empty_content_folder_has_no_episodes(tmp_path: Path) -> None:
    result = load_site(tmp_path, OPTIONS)
    assert (result.episodes, result.warnings, result.pages_seen) == ((), (), 0)


def test_hidden_folders_and_editor_backups_are_ignored(tmp_path: Path) -> None:
    page = '---\ntitle: "#1 x"\n---\n'
    for rel in (".git/podcast/index.md", "podcast/.draft.md", "podcast/0001/index.md~"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(page, encoding="utf-8")
    assert load_site(tmp_path, OPTIONS).pages_seen == 0
