from __future__ import annotations

from pathlib import Path

import pytest

from bot.search.synonyms import MAX_TERMS, MAX_VARIANTS, Synonyms, expand_query, load_synonyms

EXAMPLE = """\
# synonyms.yaml
synonyms:                 # multi-way: every term finds the others
  - [k8s, kubernetes, クバネティス]
  - [森田, もりた, morita]
one_way:                  # the key also finds the values, not the reverse
  やまちゃん: [山田]
  ニュース回: [ピックアップニュース, アップデート情報]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def example(tmp_path: Path) -> Synonyms:
    synonyms, warnings = load_synonyms(write(tmp_path, EXAMPLE))
    assert warnings == []
    return synonyms


# --------------------------------------------------------------------------- expand / names


def test_multi_way_terms_find_each_other(example: Synonyms) -> None:
    assert example.expand("k8s") == ("kubernetes", "クバネティス")
    assert example.expand("クバネティス") == ("k8s", "kubernetes")
    assert example.expand("morita") == ("森田", "もりた")


def test_one_way_key_finds_values_but_not_the_reverse(example: Synonyms) -> None:
    assert example.expand("やまちゃん") == ("山田",)
    assert example.expand("山田") == ()
    assert example.expand("ニュース回") == ("ピックアップニュース", "アップデート情報")
    assert example.expand("アップデート情報") == ()


def test_expand_matches_after_nfkc_and_casefold(example: Synonyms) -> None:
    assert example.expand("K8S") == ("kubernetes", "クバネティス")
    assert example.expand("ＫＵＢＥＲＮＥＴＥＳ") == ("k8s", "クバネティス")
    assert example.expand("ﾆｭｰｽ回") == ("ピックアップニュース", "アップデート情報")
    assert example.expand("unknown") == ()


def test_expand_never_returns_the_term_itself() -> None:
    synonyms = Synonyms(groups=(("AWS", "aws", "Amazon Web Services"),))
    assert synonyms.expand("aws") == ("Amazon Web Services",)


def test_a_term_in_several_rules_expands_to_all_of_them() -> None:
    synonyms = Synonyms(groups=(("k8s", "kubernetes"),), one_way=(("k8s", ("EKS", "GKE")),))
    assert synonyms.expand("k8s") == ("kubernetes", "EKS", "GKE")
    assert synonyms.expand("kubernetes") == ("k8s",)


def test_names_lists_every_term_once(example: Synonyms) -> None:
    assert example.names() == (
        "k8s", "kubernetes", "クバネティス", "森田", "もりた", "morita",
        "やまちゃん", "山田", "ニュース回", "ピックアップニュース", "アップデート情報",
    )  # fmt: skip


# --------------------------------------------------------------------------- loading


def test_missing_file_is_empty_without_warning(tmp_path: Path) -> None:
    synonyms, warnings = load_synonyms(tmp_path / "nope.yaml")
    assert synonyms == Synonyms()
    assert warnings == []


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "synonyms:\none_way:\n"])
def test_empty_file_is_empty_without_warning(tmp_path: Path, text: str) -> None:
    synonyms, warnings = load_synonyms(write(tmp_path, text))
    assert not synonyms
    assert warnings == []


def test_malformed_yaml_gives_one_warning_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "synonyms: [k8s, kubernetes\none_way: {")
    synonyms, warnings = load_synonyms(path)
    assert not synonyms
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "invalid YAML" in warnings[0]


def test_undecodable_file_gives_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_bytes(b"synonyms:\n  - [\xff\xfe, x]\n")
    synonyms, warnings = load_synonyms(path)
    assert not synonyms
    assert len(warnings) == 1
    assert str(path) in warnings[0]


def test_a_list_instead_of_a_mapping_is_rejected_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "- [k8s, kubernetes]\n- [森田, もりた]\n")
    synonyms, warnings = load_synonyms(path)
    assert not synonyms
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "mapping" in warnings[0]


def test_wrong_section_shapes_keep_the_good_section(tmp_path: Path) -> None:
    path = write(tmp_path, "synonyms: {k8s: kubernetes}\none_way:\n  やまちゃん: [山田]\n")
    synonyms, warnings = load_synonyms(path)
    assert synonyms.expand("やまちゃん") == ("山田",)
    assert synonyms.expand("k8s") == ()
    assert len(warnings) == 1
    assert "'synonyms' must be a list" in warnings[0]

    path = write(tmp_path, "synonyms:\n  - [a1, b1]\none_way: [x, y]\nextra: 1\n")
    synonyms, warnings = load_synonyms(path)
    assert synonyms.expand("a1") == ("b1",)
    assert len(warnings) == 2  # one_way is a list; unknown section


def test_non_string_entries_are_skipped_with_warnings(tmp_path: Path) -> None:
    text = """\
synonyms:
  - [k8s, {a: b}, kubernetes, null, true, 1.5]
  - [404, notfound]
  - [only-one, [nested]]
  - just a string
one_way:
  やまちゃん: 山田
  ニュース回: {x: y}
"""
    synonyms, warnings = load_synonyms(write(tmp_path, text))
    assert synonyms.expand("k8s") == ("kubernetes",)
    assert synonyms.expand("notfound") == ("404",)  # integers are read as text
    assert synonyms.expand("only-one") == ()
    assert synonyms.expand("やまちゃん") == ("山田",)  # a single value is a one-item list
    assert synonyms.expand("ニュース回") == ()
    assert all("synonyms.yaml" in w for w in warnings)
    assert len(warnings) >= 6


def test_unhashable_mapping_key_is_a_yaml_warning_not_a_crash(tmp_path: Path) -> None:
    synonyms, warnings = load_synonyms(write(tmp_path, "one_way:\n  ? [a, b]\n  : [c]\n"))
    assert not synonyms
    assert len(warnings) == 1


def test_huge_groups_and_long_terms_are_skipped(tmp_path: Path) -> None:
    big = ", ".join(f"t{i}" for i in range(51))
    long = "長" * 101
    text = f"synonyms:\n  - [{big}]\n  - [ok1, ok2, {long}]\none_way:\n  {long}: [x]\n"
    synonyms, warnings = load_synonyms(write(tmp_path, text))
    assert synonyms.expand("t0") == ()
    assert synonyms.expand("ok1") == ("ok2",)
    assert synonyms.expand(long) == ()
    assert len(warnings) == 3
    assert any("51 terms" in w for w in warnings)


def test_loading_stops_after_the_term_limit(tmp_path: Path) -> None:
    lines = [f"  - [a{i}, b{i}]" for i in range(MAX_TERMS // 2 + 10)]
    path = write(tmp_path, "synonyms:\n" + "\n".join(lines) + "\n")
    synonyms, warnings = load_synonyms(path)
    assert synonyms.expand("a0") == ("b0",)
    assert synonyms.expand(f"a{MAX_TERMS // 2 - 1}") != ()
    assert synonyms.expand(f"a{MAX_TERMS // 2}") == ()
    assert sum(len(g) for g in synonyms.groups) == MAX_TERMS
    assert len(warnings) == 1
    assert str(MAX_TERMS) in warnings[0]


def test_warnings_are_capped(tmp_path: Path) -> None:
    lines = [f"  - [lonely{i}]" for i in range(100)]
    _, warnings = load_synonyms(write(tmp_path, "synonyms:\n" + "\n".join(lines) + "\n"))
    assert len(warnings) == 21
    assert "80 more problems" in warnings[-1]


def test_loading_never_raises_on_hostile_yaml(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for text in ["[" * 10_000, bomb + "synonyms: *i\n", "!!python/object:os.system x\n"]:
        synonyms, warnings = load_synonyms(write(tmp_path, text))
        assert not synonyms
        assert warnings


# --------------------------------------------------------------------------- expand_query


def test_expand_query_replaces_the_phrase_with_each_alternative(example: Synonyms) -> None:
    assert expand_query("k8s入門", example) == ("kubernetes入門", "クバネティス入門")
    assert expand_query("山田", example) == ()  # one-way: no reverse expansion
    assert expand_query("やまちゃんの話", example) == ("山田の話",)


def test_expand_query_latin_terms_respect_word_boundaries(example: Synonyms) -> None:
    assert expand_query("k8sx入門", example) == ()
    assert expand_query("xk8s", example) == ()
    assert expand_query("k8s2", example) == ()
    assert expand_query("EKSとk8sの違い", example) == (
        "EKSとkubernetesの違い",
        "EKSとクバネティスの違い",
    )
    assert expand_query("k8s-cluster", example) == ("kubernetes-cluster", "クバネティス-cluster")


def test_expand_query_matches_japanese_as_a_substring(example: Synonyms) -> None:
    assert expand_query("森田さんの回", example) == ("もりたさんの回", "moritaさんの回")
    assert expand_query("先週のニュース回まとめ", example) == (
        "先週のピックアップニュースまとめ",
        "先週のアップデート情報まとめ",
    )


def test_expand_query_is_case_and_width_insensitive(example: Synonyms) -> None:
    assert expand_query("ＫＵＢＥＲＮＥＴＥＳ  の話", example) == ("k8s の話", "クバネティス の話")
    assert expand_query("Kubernetes Deep Dive", example) == (
        "k8s Deep Dive",
        "クバネティス Deep Dive",
    )


def test_expand_query_prefers_the_longest_phrase() -> None:
    synonyms = Synonyms(groups=(("AWS", "アマゾンウェブサービス"), ("AWS Lambda", "ラムダ")))
    assert expand_query("AWS Lambdaの料金", synonyms) == ("ラムダの料金",)
    assert expand_query("AWSとAWS Lambda", synonyms) == (
        "AWSとラムダ",
        "アマゾンウェブサービスとAWS Lambda",
    )


def test_expand_query_replaces_every_occurrence_of_a_phrase(example: Synonyms) -> None:
    assert expand_query("k8s と k8s", example)[0] == "kubernetes と kubernetes"


def test_expand_query_gives_at_most_eight_variants() -> None:
    synonyms = Synonyms(groups=(tuple(f"w{i}" for i in range(20)), ("犬", "いぬ", "イヌ")))
    variants = expand_query("w0 と 犬", synonyms)
    assert len(variants) == MAX_VARIANTS == 8
    assert len(set(variants)) == 8
    assert "w0 と 犬" not in variants


def test_expand_query_without_matches_or_synonyms_is_empty(example: Synonyms) -> None:
    assert expand_query("", example) == ()
    assert expand_query("関係ない話", example) == ()
    assert expand_query("k8s", Synonyms()) == ()
