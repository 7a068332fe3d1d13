"""Japanese and English texts of the ``/notify`` commands and the announcements."""

from __future__ import annotations

from bot.i18n import Lang

TEXTS: dict[str, dict[Lang, str]] = {
    # announcements
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
    "not_text_channel": {
        "ja": "テキストチャンネルを指定してください。",
        "en": "Please pick a text channel.",
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
    "need_manage_guild": {
        "ja": "このコマンドには「サーバー管理」権限が必要です。",
        "en": "You need the Manage Server permission for this command.",
    },
}


def tr(key: str, lang: Lang, /, **values: object) -> str:
    texts = TEXTS[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text
