"""Issue 12 end to end: several subscriptions per server, announcement channels (publish
once), forum posts, discussion threads, templates, preview and resend, in SimCord with
real notes, a real state file and virtual time."""

from __future__ import annotations

import discord
from notify_notes import write_note
from notifykit import (
    POLL,
    START,
    bot_settings,
    build_bot,
    cut_power_before,
    message_posts,
    posts,
    room,
    simcord_bot,
    site,
    subscribe,
)

from bot.notify.store import Store

__all__ = ["bot_settings", "room", "simcord_bot", "site"]  # fixtures, used by name


def requests(env, method, suffix):
    return [r for r in env.http_requests if r.method == method and r.path.endswith(suffix)]


def crossposts(env, channel):
    return [
        r for r in env.http_requests
        if r.method == "POST" and r.path.startswith(f"/channels/{channel.id}/messages/")
        and r.path.endswith("/crosspost")
    ]  # fmt: skip


# -- several subscriptions -----------------------------------------------------


async def test_each_subscribed_channel_gets_the_episode_once_and_off_stops_only_one(room, site):
    second = room.guild.create_text_channel("second")
    await subscribe(room)
    await subscribe(room, channel=second, role=room.fans)
    subs = room.store().subscriptions_of(room.guild.id)
    assert [s.channel_id for s in subs] == [room.news.id, second.id]
    await subscribe(room, role=room.fans)  # updates the first, adds nothing
    assert len(room.store().subscriptions_of(room.guild.id)) == 2
    status = await room.admin.slash(room.general, "notify status")
    shown = str(status.response.embeds[0].to_dict())
    assert f"<#{room.news.id}>" in shown and f"<#{second.id}>" in shown

    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(posts(room, room.news)) == 1
    assert len(posts(room, second)) == 1

    off = await room.admin.slash(room.general, "notify off", channel=second)
    assert second.mention in off.response.content
    write_note(site, 4, "次の回", START)
    await room.env.advance_time(POLL * 3)
    assert len(posts(room, room.news)) == 2
    assert len(posts(room, second)) == 1
    await room.admin.slash(room.general, "notify off")
    assert room.store().subscriptions_of(room.guild.id) == []


# -- announcement channels -------------------------------------------------------


async def test_announcement_channel_post_is_published_once(room, site):
    news = room.guild.create_news_channel("announcements")
    done = await subscribe(room, channel=news)
    assert "publish" in done.response.content
    assert room.store().subscription_for(news.id).kind == "news"
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (post,) = posts(room, news)
    (crosspost,) = crossposts(room.env, news)
    assert crosspost.path == f"/channels/{news.id}/messages/{post.id}/crosspost"
    await room.env.advance_time(POLL * 10)
    assert len(crossposts(room.env, news)) == 1
    row = room.store().announcement("#3", news.id)
    assert row.state == "delivered" and row.published_at is not None


async def test_restart_between_post_and_publish_does_neither_twice(
    room, site, bot_settings, monkeypatch
):
    news = room.guild.create_news_channel("announcements")
    await subscribe(room, channel=news)

    mark_posted = Store.mark_posted

    def power_cut(self, *args, **kwargs):
        mark_posted(self, *args, **kwargs)  # the post is recorded, then the power goes
        raise RuntimeError("power cut before the publish")

    monkeypatch.setattr(Store, "mark_posted", power_cut)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (post,) = posts(room, news)
    row = room.store().announcement("#3", news.id)
    assert (row.state, row.message_id, row.published_at) == ("pending", post.id, None)
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(60)
    assert len(posts(room, news)) == 1
    assert len(message_posts(room.env, news)) == 1
    assert len(crossposts(room.env, news)) == 1
    assert room.store().announcement("#3", news.id).state == "delivered"


async def test_restart_after_publish_but_before_it_was_recorded_does_not_publish_again(
    room, site, bot_settings, monkeypatch
):
    news = room.guild.create_news_channel("announcements")
    await subscribe(room, channel=news)

    cut_power_before(monkeypatch, "mark_step")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(crossposts(room.env, news)) == 1  # Discord published it ...
    assert room.store().announcement("#3", news.id).published_at is None  # ... not recorded
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(60)
    assert len(crossposts(room.env, news)) == 1
    assert len(message_posts(room.env, news)) == 1
    row = room.store().announcement("#3", news.id)
    assert row.state == "delivered" and row.published_at is not None


async def test_set_refuses_an_announcement_channel_it_cannot_post_in(room):
    news = room.guild.create_news_channel("announcements")
    locked = room.guild.create_text_channel(
        "locked",
        overwrites={room.guild.default_role: discord.PermissionOverwrite(send_messages=False)},
    )
    result = await room.admin.slash(room.general, "notify set", channel=locked, thread=True)
    assert "Send Messages" in result.response.content
    assert room.store().subscription_for(locked.id) is None
    assert room.store().subscription_for(news.id) is None


# -- forums --------------------------------------------------------------------


async def test_forum_gets_one_post_per_episode_titled_and_tagged(room, site, bot_settings):
    forum = room.guild.create_forum_channel("episodes")
    await room.env.bot.get_channel(forum.id).create_tag(name="新着")
    await room.env.advance_time(0)
    tag = room.env.bot.get_channel(forum.id).available_tags[0]
    wrong = await room.admin.slash(room.general, "notify set", channel=forum, tag="nope")
    assert "新着" in wrong.response.content
    await subscribe(room, channel=forum, tag="新着")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (thread,) = forum.threads
    assert thread.name == "#3 Cloud Run入門"
    (made,) = requests(room.env, "POST", f"/channels/{forum.id}/threads")
    assert made.json["applied_tags"] == [str(tag.id)] or made.json["applied_tags"] == [tag.id]
    assert made.json["name"] == "#3 Cloud Run入門"
    row = room.store().announcement("#3", forum.id)
    assert row.state == "delivered" and row.thread_id == thread.id
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(POLL * 5)
    assert len(forum.threads) == 1


async def test_forum_post_made_but_not_recorded_is_found_after_a_restart(
    room, site, bot_settings, monkeypatch
):
    forum = room.guild.create_forum_channel("episodes")
    await subscribe(room, channel=forum)

    cut_power_before(monkeypatch, "mark_delivered")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(forum.threads) == 1
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(60)
    assert len(forum.threads) == 1
    assert len(requests(room.env, "POST", f"/channels/{forum.id}/threads")) == 1
    assert room.store().announcement("#3", forum.id).state == "delivered"


# -- discussion threads ----------------------------------------------------------


async def test_text_channel_announcement_gets_one_discussion_thread_across_a_restart(
    room, site, bot_settings, monkeypatch
):
    await subscribe(room, thread=True)
    assert room.store().subscription_for(room.news.id).thread

    cut_power_before(monkeypatch, "mark_step")  # the thread exists, unrecorded
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (post,) = posts(room, room.news)
    (thread,) = room.news.threads
    assert thread.id == post.id and thread.name == "#3 Cloud Run入門"
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(60)
    assert len(room.news.threads) == 1
    assert len(message_posts(room.env, room.news)) == 1
    assert len(requests(room.env, "POST", f"/messages/{post.id}/threads")) == 1
    row = room.store().announcement("#3", room.news.id)
    assert row.state == "delivered" and row.thread_id == thread.id


# -- templates -------------------------------------------------------------------


async def test_template_unknown_placeholder_is_named_and_nothing_is_saved(room):
    await subscribe(room)
    shown = await room.admin.slash(room.general, "notify template")
    answer = await room.admin.submit_modal(shown, {"notify:template": "{title} {titel}"})
    assert answer.response.ephemeral
    assert "{titel}" in answer.response.content
    assert room.store().subscription_for(room.news.id).template is None


async def test_template_is_previewed_privately_saved_and_used_never_pinging_others(room, site):
    await subscribe(room, role=room.fans)
    text = "{role} 新エピソード #{number}「{title}」 {date}\n{summary}\n{url}\n@everyone <@&1>"
    shown = await room.admin.slash(room.general, "notify template")
    preview = await room.admin.submit_modal(shown, {"notify:template": text})
    assert preview.response.ephemeral
    assert "GCSのきほん" in preview.response.content  # the newest episode
    assert room.store().subscription_for(room.news.id).template is None  # not yet
    assert posts(room, room.news) == []
    await room.admin.click(preview.response.message, custom_id="notify:confirm")
    assert room.store().subscription_for(room.news.id).template == text

    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (post,) = posts(room, room.news)
    assert post.content.startswith(f"<@&{room.fans.id}> 新エピソード #3「#3 Cloud Run入門」")
    sent = message_posts(room.env, room.news)[-1].json
    assert sent["allowed_mentions"]["parse"] == []
    assert sent["allowed_mentions"]["roles"] == [room.fans.id]
    assert len(sent["content"]) <= 2000


async def test_notify_test_is_private_until_confirmed_and_cancel_posts_nothing(room):
    await subscribe(room)
    sample = await room.admin.slash(room.general, "notify test")
    assert sample.response.ephemeral
    await room.admin.click(sample.response.message, custom_id="notify:cancel")
    assert posts(room, room.news) == []
    sample = await room.admin.slash(room.general, "notify test")
    await room.admin.click(sample.response.message, custom_id="notify:confirm")
    assert len(posts(room, room.news)) == 1
    assert message_posts(room.env, room.news)[-1].json["allowed_mentions"] == {"parse": []}


# -- resend ----------------------------------------------------------------------


async def test_resend_posts_again_on_purpose_and_never_blocks_the_automatic_one(
    room, site, bot_settings
):
    await subscribe(room)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(posts(room, room.news)) == 1
    result = await room.admin.slash(room.general, "notify resend", episode="#3")
    reply = (result.followups or [result.response])[-1]
    assert reply.ephemeral and "#3" in reply.content
    assert len(posts(room, room.news)) == 2
    rows = [a for a in room.store().announcements() if a.channel_id == room.news.id]
    assert sorted(a.purpose for a in rows) == ["auto", "resend"]
    assert all(a.state == "delivered" for a in rows)

    # A resend of an episode whose automatic post is still pending: both go out.
    room.env.inject_error("POST", f"/channels/{room.news.id}/messages", status=503, times=1)
    write_note(site, 4, "次の回", START)
    await room.env.advance_time(POLL)
    assert room.store().announcement("#4", room.news.id).state == "pending"
    await room.admin.slash(room.general, "notify resend", episode="#4")
    await room.env.advance_time(60)
    titles = [m.embeds[0].title.split()[0] for m in posts(room, room.news)]
    assert titles.count("#4") == 2  # the resend did not count as the automatic post
    assert room.store().announcement("#4", room.news.id).state == "delivered"
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(POLL * 5)
    assert len(posts(room, room.news)) == 4


async def test_resend_of_an_unknown_episode_says_so(room):
    await subscribe(room)
    result = await room.admin.slash(room.general, "notify resend", episode="#99")
    assert result.response.ephemeral
    assert "#99" in result.response.content
