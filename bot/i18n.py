"""Japanese and English texts of the bot: replies, announcements, and command names and
descriptions.

Pure core: no discord import. Replies pick a language with ``language_for(locale)``
(Japanese by default, English for English-speaking clients). Command names and
descriptions are written in English in the code and translated here for Japanese
clients (``command_text``); the Discord ``Translator`` in ``bot.app`` reads this table.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["ja", "en"]
DEFAULT_LANG: Lang = "ja"


def language_for(locale: object | None) -> Lang:
    """The reply language for a Discord locale ("en-US", "ja", a ``discord.Locale``...)."""
    value = str(getattr(locale, "value", locale) or "").lower()
    if value.startswith("en"):
        return "en"
    return DEFAULT_LANG


_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LATIN = re.compile("[A-Za-z]")


def language_of_text(text: str) -> Lang:
    """The reply language for a message with no locale (a DM): English for a question
    written in Latin letters only, else Japanese."""
    if _LATIN.search(text) and not _JAPANESE.search(text):
        return "en"
    return DEFAULT_LANG


STRINGS: dict[str, dict[Lang, str]] = {
    # episode embeds
    "date": {"ja": "配信日", "en": "Released"},
    "hosts": {"ja": "出演", "en": "Hosts"},
    "matched": {"ja": "該当箇所: {where}", "en": "Matched: {where}"},
    "matched_lead": {"ja": "冒頭", "en": "intro"},
    "links": {"ja": "リンク", "en": "Links"},
    "links_more": {"ja": "…ほか {count} 件 (/links)", "en": "…and {count} more (/links)"},
    "more_on_page": {"ja": "続きは番組ノートへ", "en": "More in the show notes"},
    "listen": {"ja": "聴く", "en": "Listen"},
    "show_notes": {"ja": "番組ノート", "en": "Show notes"},
    "footer_search": {
        "ja": "{count} 件中 {pos} 件目・下のメニューで他の回も見られます",
        "en": "Match {pos} of {count} · pick another below",
    },
    "footer_single": {"ja": "全リンク: /links", "en": "All links: /links"},
    "pick_placeholder": {"ja": "他の該当回を見る", "en": "See the other matches"},
    # links pages
    "links_title": {"ja": "{label} のリンク", "en": "Links of {label}"},
    "links_page": {"ja": "{page} / {pages} ページ", "en": "Page {page} of {pages}"},
    "links_none": {"ja": "この回にはリンクがありません。", "en": "This episode has no links."},
    "prev": {"ja": "前へ", "en": "Previous"},
    "next": {"ja": "次へ", "en": "Next"},
    "lead_section": {"ja": "はじめに", "en": "Intro"},
    "open_article": {"ja": "記事を開く", "en": "Open the article"},
    # latest
    "latest_title": {"ja": "最新のエピソード", "en": "Latest episodes"},
    "no_episodes": {
        "ja": "まだ公開済みのエピソードがありません。",
        "en": "No episode has been published yet.",
    },
    # no match / help
    "no_match": {
        "ja": "「{query}」に合うエピソードは見つかりませんでした。",
        "en": "No episode matched “{query}”.",
    },
    "did_you_mean": {"ja": "もしかして: {terms}", "en": "Did you mean: {terms}"},
    "try_latest": {
        "ja": "別の言葉で探すか、/latest で最新回を見てください。",
        "en": "Try other words, or see the newest episodes with /latest.",
    },
    "empty_query": {
        "ja": "話題を書いて呼んでください。例: @{bot} kubeflowの回ある？ (最新回は /latest)",
        "en": "Mention me with a topic, e.g. @{bot} kubeflow (newest episodes: /latest)",
    },
    "no_episode": {
        "ja": "「{query}」というエピソードは見つかりませんでした。/latest で最新回を見られます。",
        "en": "No episode “{query}” was found. See the newest ones with /latest.",
    },
    "query_cut": {
        "ja": "質問が長すぎたので先頭 {limit} 文字で探しました。",
        "en": "Your question was long, so I searched its first {limit} characters.",
    },
    # limits and errors
    "cooldown": {
        "ja": "少し待ってからもう一度どうぞ (あと {seconds} 秒)。",
        "en": "Please wait a moment before asking again ({seconds} s).",
    },
    "error": {
        "ja": "ごめんなさい、処理中にエラーが起きました。少し後でもう一度試してください。",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "expired": {
        "ja": "このメニューは期限切れです。もう一度コマンドを使ってください。",
        "en": "This menu has expired. Please run the command again.",
    },
    # owner commands
    "not_owner": {
        "ja": "このコマンドはボットの管理者だけが使えます。",
        "en": "Only the bot's owners can use this command.",
    },
    "synced": {
        "ja": "{count} 個のコマンドを同期しました ({scope})。",
        "en": "Synced {count} commands ({scope}).",
    },
    "reloaded": {
        "ja": (
            "再読み込みしました: {episodes} 件 "
            "(追加 {added} / 変更 {changed} / 削除 {removed}), 警告 {warnings} 件。"
        ),
        "en": (
            "Reloaded {episodes} episodes "
            "(added {added}, changed {changed}, removed {removed}), {warnings} warnings."
        ),
    },
    # new-episode announcements (/notify)
    "new_episode": {"ja": "新しいエピソードを公開しました！", "en": "A new episode is out!"},
    "notes_coming": {
        "ja": "番組ノートは準備中です。公開されたら /episode で見られます。",
        "en": "Show notes are on their way; /episode will show them once published.",
    },
    "sample": {"ja": "（通知のテストです）", "en": "(This is a test announcement.)"},
    "sample_title": {"ja": "通知のテスト", "en": "Test announcement"},
    "sample_body": {
        "ja": "エピソードが公開されると、ここにこの形でお知らせします。",
        "en": "New episodes will be announced here, like this.",
    },
    # /notify set
    "set_done": {
        "ja": "新しいエピソードを {channel} でお知らせします。",
        "en": "New episodes will be announced in {channel}.",
    },
    "no_history": {
        "ja": "ヒント: 「メッセージ履歴を読む」権限があると、"
        "障害時にも二重投稿をより確実に防げます。",
        "en": "Tip: with Read Message History I can better avoid double posts after an outage.",
    },
    "set_role": {"ja": "通知時に {role} をメンションします。", "en": "{role} will be mentioned."},
    "role_not_pingable": {
        "ja": "注意: {role} はメンション不可の設定で、ボットにも"
        "「全員宛メンション」権限がないため、通知は届きません。ロールの設定を確認してください。",
        "en": "Note: {role} is not mentionable and the bot cannot mention every role, "
        "so it will not be pinged. Check the role's settings.",
    },
    "role_everyone": {
        "ja": "@everyone はメンションに使えません。個別のロールを指定してください。",
        "en": "@everyone cannot be used; pick a specific role.",
    },
    "bot_cannot_post": {
        "ja": "{channel} に投稿できません。ボットに次の権限を付けてください: {missing}",
        "en": "I cannot post in {channel}. Please give me: {missing}",
    },
    # /notify off
    "off_done": {"ja": "このサーバーへの通知を止めました。", "en": "Announcements are off here."},
    "off_none": {
        "ja": "このサーバーには通知が設定されていません。",
        "en": "Announcements are not set up here.",
    },
    # /notify status
    "status_title": {"ja": "新着エピソード通知", "en": "New-episode announcements"},
    "status_off": {
        "ja": "未設定です。/notify set で通知先を選んでください。",
        "en": "Not set up. Use /notify set to pick a channel.",
    },
    "channel": {"ja": "通知先", "en": "Channel"},
    "role": {"ja": "メンション", "en": "Role"},
    "none": {"ja": "なし", "en": "none"},
    "never": {"ja": "まだありません", "en": "none yet"},
    "last_announced": {"ja": "最後の通知", "en": "Last announced"},
    "queue": {"ja": "送信待ち / 失敗", "en": "Pending / failed"},
    "broken": {
        "ja": "停止中: {reason}\n権限を直して /notify set をもう一度実行してください。",
        "en": "Stopped: {reason}\nFix the permissions, then run /notify set again.",
    },
    "errors": {"ja": "エラー", "en": "Errors"},
    "last_error": {"ja": "直近のエラー ({when}): {error}", "en": "Last error ({when}): {error}"},
    "no_errors": {"ja": "なし", "en": "none"},
    "sources": {"ja": "新着の検知", "en": "Sources"},
    "source_watch": {"ja": "ノートの監視: {mode}", "en": "Notes folder: {mode}"},
    "source_nowatch": {"ja": "ノートの監視: オフ", "en": "Notes folder: not watched"},
    "source_feed": {"ja": "RSS: {status}", "en": "RSS feed: {status}"},
    "source_git": {"ja": "git: {status}", "en": "git: {status}"},
    # /notify test
    "test_sent": {"ja": "{channel} にテスト通知を送りました。", "en": "Sent a test to {channel}."},
    "test_failed": {
        "ja": "{channel} に送れませんでした: {error}",
        "en": "Could not post in {channel}: {error}",
    },
    # permission
    "state_unwritable": {
        "ja": "状態ファイルに書き込めないため、変更できませんでした（{error}）。"
        "少し待ってからもう一度試してください。",
        "en": "The state file cannot be written right now ({error}); nothing was changed. "
        "Please try again shortly.",
    },
    "state_fault": {
        "ja": "状態ファイル {path} に書き込めません: {error}"
        "（書き込めるようになれば自動で再開します）",
        "en": "State file {path} cannot be written: {error} (announcing resumes by itself "
        "once it can)",
    },
    "need_manage_guild": {
        "ja": "このコマンドには「サーバー管理」権限が必要です。",
        "en": "You need the Manage Server permission for this command.",
    },
    # -- issue 11: help, discovery, compact cards, persistent components, settings --
    "help_title": {"ja": "使い方", "en": "How to use me"},
    "help_body": {
        "ja": (
            "番組ノートから話題の回を探します。\n"
            "`/search kubeflow` 話題で探す\n"
            "`/episode 16` 番号で見る\n"
            "`/random` ランダムに1回 (`topic:` で話題を絞れます)\n"
            "`/episodes 2024` 年ごとの一覧\n"
            "`/latest` 最新回\n"
            "`/links 16` その回の全リンク\n"
            "`@{bot} kubeflowの回ある？` メンションやDMでも質問できます"
        ),
        "en": (
            "I find the episode that talked about a topic, from the show notes.\n"
            "`/search kubeflow` find by topic\n"
            "`/episode 16` one episode by number\n"
            "`/random` a random episode (`topic:` narrows it)\n"
            "`/episodes 2024` the episodes of a year\n"
            "`/latest` the newest episodes\n"
            "`/links 16` every link of an episode\n"
            "`@{bot} kubeflow` mentions and DMs work too"
        ),
    },
    "card_footer": {"ja": "配信日 {date}", "en": "Released {date}"},
    "card_position": {"ja": "{count} 件中 {pos} 件目", "en": "match {pos} of {count}"},
    "links_count": {"ja": "リンク ({shown}/{total})", "en": "Links ({shown} of {total})"},
    "more_short": {"ja": "続き", "en": "more"},
    "all_links": {"ja": "全リンク ({count})", "en": "All links ({count})"},
    "related": {"ja": "関連する回", "en": "Related episodes"},
    "no_episode_near": {
        "ja": "#{number} という回はありません。近い回: {near} (最新回は /latest)",
        "en": "There is no episode #{number}. Nearest: {near} (newest: /latest)",
    },
    "archive_title": {"ja": "エピソード一覧", "en": "All episodes"},
    "archive_title_year": {"ja": "{year} 年のエピソード", "en": "Episodes of {year}"},
    "archive_footer": {
        "ja": "{page} / {pages} ページ・全 {count} 件・年: {years}",
        "en": "Page {page} of {pages} · {count} episodes · years: {years}",
    },
    "archive_empty": {
        "ja": "{year} 年のエピソードはありません。ある年: {years}",
        "en": "No episodes in {year}. Years with episodes: {years}",
    },
    "random_none": {
        "ja": "「{topic}」の回は見つかりませんでした。/random だけで全部の回から選びます。",
        "en": "No episode about “{topic}”. Plain /random picks from every episode.",
    },
    "language_set": {
        "ja": "このサーバーでのメンションへの返信とお知らせを日本語にします。",
        "en": "Mention replies and announcements in this server will be in English.",
    },
    "language_auto": {
        "ja": "言語の設定を消しました (日本語、お知らせは /notify set した人の言語)。",
        "en": "Language setting cleared (Japanese; announcements follow /notify set).",
    },
    # permission and watcher-mode names shown to users, never their API names
    "perm_view_channel": {"ja": "チャンネルを見る", "en": "View Channel"},
    "perm_send_messages": {"ja": "メッセージを送信", "en": "Send Messages"},
    "perm_embed_links": {"ja": "埋め込みリンク", "en": "Embed Links"},
    "watch_events": {"ja": "変更を即時検知", "en": "file events"},
    "watch_polling": {"ja": "定期チェック", "en": "polling"},
    "watch_stopped": {"ja": "停止中", "en": "stopped"},
    "server_only": {
        "ja": "このコマンドはサーバーの中でだけ使えます。",
        "en": "This command only works inside a server.",
    },
    # -- issue 12: subscriptions, destinations, templates, resend, alerts, live events --
    "perm_create_public_threads": {"ja": "公開スレッドの作成", "en": "Create Public Threads"},
    "perm_send_messages_in_threads": {
        "ja": "スレッドでメッセージを送信",
        "en": "Send Messages in Threads",
    },
    "not_subscribed": {
        "ja": "{channel} には通知が設定されていません。/notify set で追加してください。",
        "en": "{channel} is not subscribed. Add it with /notify set.",
    },
    "set_done_text": {
        "ja": "新しいエピソードを {channel} でお知らせします。",
        "en": "New episodes will be announced in {channel}.",
    },
    "set_done_news": {
        "ja": "新しいエピソードを {channel} でお知らせし、フォロー中のサーバーにも公開します。",
        "en": "New episodes will be announced in {channel} and published to following servers.",
    },
    "set_done_forum": {
        "ja": "新しいエピソードごとに {channel} に投稿を作ります。",
        "en": "Each new episode becomes a post in {channel}.",
    },
    "set_thread": {
        "ja": "お知らせごとに話し合い用のスレッドを作ります。",
        "en": "A discussion thread is started under each announcement.",
    },
    "no_manage_events": {
        "ja": "ヒント: 「イベントの管理」権限があると、ノートの live: から"
        "収録ライブのイベントを作れます。",
        "en": "Tip: with Manage Events I can create scheduled events from notes' live: times.",
    },
    "thread_text_only": {
        "ja": "スレッドはテキストチャンネルでだけ作れます。",
        "en": "Discussion threads work in text channels only.",
    },
    "tag_forum_only": {
        "ja": "タグはフォーラムチャンネルでだけ使えます。",
        "en": "Tags work in forum channels only.",
    },
    "tag_unknown": {
        "ja": "タグ「{tag}」はこのフォーラムにありません。使えるタグ: {tags}",
        "en": "This forum has no tag “{tag}”. Its tags: {tags}",
    },
    "bot_cannot_publish": {
        "ja": "{channel} に投稿・公開できません。ボットに次の権限を付けてください: {missing}",
        "en": "I cannot post and publish in {channel}. Please give me: {missing}",
    },
    "off_channel": {
        "ja": "{channel} への通知を止めました。",
        "en": "Announcements in {channel} are off.",
    },
    "kind_text": {"ja": "テキストチャンネル", "en": "Text channel"},
    "kind_news": {
        "ja": "アナウンスチャンネル (公開あり)",
        "en": "Announcement channel (published)",
    },
    "kind_forum": {"ja": "フォーラム (1回1投稿)", "en": "Forum (one post per episode)"},
    "has_template": {"ja": "独自メッセージ", "en": "custom message"},
    "has_thread": {"ja": "スレッドあり", "en": "discussion threads"},
    "has_tag": {"ja": "タグあり", "en": "tagged"},
    "alerts_title": {"ja": "障害のお知らせ先", "en": "Source alerts"},
    "alerts_after": {"ja": "({minutes} 分続いたら)", "en": "(after {minutes} min)"},
    "live_title": {"ja": "収録ライブのイベント", "en": "Live recording events"},
    "last_success": {"ja": "最後の成功", "en": "Last success"},
    "template_modal_title": {"ja": "お知らせのメッセージ", "en": "Announcement message"},
    "template_field": {"ja": "メッセージ (空欄で標準に戻す)", "en": "Message (empty: the default)"},
    "template_unknown": {
        "ja": "{{{name}}} という差し込み項目はありません。使えるもの: {known}",
        "en": "Unknown placeholder {{{name}}}. Available: {known}",
    },
    "template_invalid": {
        "ja": "このメッセージは使えません: {error}",
        "en": "This message cannot be used: {error}",
    },
    "template_saved": {
        "ja": "{channel} のお知らせメッセージを保存しました。",
        "en": "Saved the announcement message for {channel}.",
    },
    "template_reset": {
        "ja": "{channel} のお知らせメッセージを標準に戻しました。",
        "en": "The announcement message for {channel} is the default again.",
    },
    "save": {"ja": "保存する", "en": "Save"},
    "cancel": {"ja": "やめる", "en": "Cancel"},
    "cancelled": {"ja": "やめました。", "en": "Cancelled."},
    "post_it": {"ja": "チャンネルに投稿する", "en": "Post it in the channel"},
    "resend_done": {
        "ja": "{episode} を {channel} にもう一度お知らせしました。",
        "en": "Announced {episode} again in {channel}.",
    },
    "resend_queued": {
        "ja": "{episode} の再送を {channel} 向けに予約しました (送れ次第投稿します)。",
        "en": "Queued {episode} for {channel}; it goes out as soon as Discord takes it.",
    },
    "alerts_off": {
        "ja": "障害のお知らせを止めました。",
        "en": "Source alerts are off.",
    },
    "alerts_set": {
        "ja": "新着の検知が {minutes} 分以上失敗したら {channel} でお知らせします"
        " (1時間に1回まで)。",
        "en": "If a source fails for {minutes} min, {channel} is told (at most once an hour).",
    },
    "source_name_watch": {"ja": "ノートの監視", "en": "The notes folder watch"},
    "source_name_git": {"ja": "git の取得", "en": "The git pull"},
    "source_name_feed": {"ja": "RSS フィード", "en": "The RSS feed"},
    "alert_down": {
        "ja": "⚠️ {source} が {since} から失敗しています: {error}",
        "en": "⚠️ {source} has been failing since {since}: {error}",
    },
    "alert_up": {
        "ja": "✅ {source} は復旧しました。",
        "en": "✅ {source} works again.",
    },
}


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    texts = STRINGS[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text


# Command names, option names and descriptions: English as written in the code ->
# Japanese. Names must be lower case, at most 32 characters, without spaces.
COMMAND_TEXT_JA: dict[str, str] = {
    # /search
    "search": "検索",
    "Find the episode that talked about a topic": "話題からエピソードを探します",
    "query": "キーワード",
    "Topic, product or words to look for (Japanese or English)": (
        "探したい話題・製品名・言葉 (日本語/英語)"
    ),
    # /episode
    "episode": "エピソード",
    "Show one episode by its number or title": "番号かタイトルでエピソードを表示します",
    "number": "番号",
    "Episode number (or start typing a title)": "エピソード番号 (タイトルでも探せます)",
    # /latest
    "latest": "最新回",
    "Show the newest episodes": "最新のエピソードを表示します",
    "count": "件数",
    "How many episodes (1-10)": "表示する件数 (1〜10)",
    # /links
    "links": "リンク集",
    "List every link of an episode's show notes": "エピソードの番組ノートのリンクを全部表示します",
    "Episode number or title": "エピソード番号かタイトル",
    # /admin (owner only)
    "admin": "管理",
    "Owner-only maintenance commands": "管理者用のメンテナンスコマンド",
    "sync": "同期",
    "Publish the slash commands to Discord": "スラッシュコマンドを Discord に反映します",
    "scope": "範囲",
    "Where to publish the commands": "コマンドを反映する範囲",
    "global": "全体",
    "this server": "このサーバー",
    "reload": "再読み込み",
    "Re-read the show notes from disk": "番組ノートを読み込み直します",
    # /notify (Manage Server)
    "notify": "通知",
    "Announce new episodes in this server": "新しいエピソードをこのサーバーでお知らせします",
    "set": "設定",
    "Announce new episodes in a channel": "新しいエピソードをお知らせするチャンネルを設定します",
    "channel": "チャンネル",
    "Channel for the announcements": "お知らせを投稿するチャンネル",
    "role": "ロール",
    "Role to mention (optional)": "メンションするロール (任意)",
    "off": "停止",
    "Stop announcing new episodes here": "このサーバーへのお知らせを止めます",
    "status": "状態",
    "Show where and how new episodes are announced": "お知らせの設定と状態を表示します",
    "test": "テスト",
    "Post a sample announcement": "お知らせのサンプルを投稿します",
    # -- issue 11 --
    "help": "ヘルプ",
    "What the bot does and how to ask it": "このボットの使い方を表示します",
    "random": "ランダム",
    "A random episode, optionally about a topic": "ランダムに1回を選びます (話題で絞れます)",
    "topic": "話題",
    "Only episodes about this topic (optional)": "この話題の回から選ぶ (任意)",
    "episodes": "一覧",
    "Browse every episode, page by page": "エピソードを一覧でたどります",
    "year": "年",
    "Only the episodes of this year (optional)": "この年の回だけ (任意)",
    "settings": "サーバー設定",
    "Server settings of the bot": "このサーバーでのボットの設定",
    "language": "言語",
    "Language for mention replies and announcements here": (
        "このサーバーでのメンション返信とお知らせの言語"
    ),
    "Japanese": "日本語",
    "English": "英語",
    "Automatic": "自動",
    # -- issue 12 --
    "thread": "スレッド",
    "Start a discussion thread under each announcement (text channels)": (
        "お知らせごとに話し合い用スレッドを作る (テキストチャンネル)"
    ),
    "tag": "タグ",
    "Tag for each forum post (forum channels)": "フォーラムの投稿に付けるタグ",
    "Only this channel (default: every channel)": "このチャンネルだけ (省略: すべて)",
    "template": "メッセージ",
    "Write the message posted with each announcement": "お知らせに添えるメッセージを書きます",
    "The subscribed channel (default: the first one)": "通知先のチャンネル (省略: 最初の通知先)",
    "resend": "再送",
    "Announce one episode again, on purpose": "1つのエピソードをもう一度お知らせします",
    "alerts": "障害通知",
    "Tell an admin channel when a source of episodes fails": (
        "新着の検知が失敗したら管理用チャンネルに知らせます"
    ),
    "Admin channel for the notices (leave out to turn them off)": (
        "お知らせ先の管理用チャンネル (省略で停止)"
    ),
    "after": "待ち時間",
    "Minutes a source must have failed before a notice (default 30)": (
        "何分失敗が続いたら知らせるか (標準 30)"
    ),
}


def command_text(text: str, lang: str) -> str | None:
    """A command name or description translated into ``lang``, or None to keep it."""
    if lang == "ja":
        return COMMAND_TEXT_JA.get(text)
    return None
