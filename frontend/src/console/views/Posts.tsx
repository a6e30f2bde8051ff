/** The Posts view: a Telegram inbox's channel, its posts (PostList.tsx), the form that writes
 * or changes one (PostComposer.tsx) and what the channel will show (PostPreview.tsx). With
 * several inboxes that have a channel, the operator picks one. The list is polled while the
 * view is open (posts.ts). */

import { useEffect } from "preact/hooks";

import { t } from "../i18n";
import { channelInboxes } from "../posts";
import { Empty } from "./common";
import { useController } from "./context";
import { MegaphoneIcon } from "./icons";
import { PostComposer } from "./PostComposer";
import { PostList } from "./PostList";
import { PostPreview } from "./PostPreview";

export function PostsView() {
  const controller = useController();
  const { store } = controller;
  const inboxes = channelInboxes(store.inboxes);
  const inbox = inboxes.find((item) => item.id === store.postsInbox) ?? inboxes[0] ?? null;
  const inboxId = inbox?.id ?? null;

  useEffect(() => {
    if (inboxId !== null) controller.posts.open(inboxId);
  }, [inboxId]);
  useEffect(() => () => controller.posts.close(), []);

  if (!inbox) {
    return (
      <main class="posts-pane empty-pane" data-testid="posts-view">
        {store.inboxes === null ? <div class="list-loading">{t("app.loading")}</div> : <Empty icon={<MegaphoneIcon size={28} />} title={t("posts.noChannel")} hint={t("posts.noChannelHint")} />}
      </main>
    );
  }
  return (
    <main class="posts-pane" data-testid="posts-view" data-inbox={inbox.id} aria-labelledby="posts-title">
      <header class="posts-header">
        <div class="posts-heading">
          <h2 id="posts-title">{t("posts.title")}</h2>
          <span class="posts-channel" data-testid="posts-channel">
            {t("posts.channelOf", { channel: inbox.telegram?.channel ?? "", inbox: inbox.name })}
          </span>
        </div>
        {inboxes.length > 1 ? (
          <label class="posts-inbox">
            <span>{t("posts.inbox")}</span>
            <select class="select" data-testid="posts-inbox" value={inbox.id} onChange={(event) => controller.navigation.showPosts(Number(event.currentTarget.value))}>
              {inboxes.map((item) => (
                <option key={item.id} value={item.id}>
                  {t("posts.channelOf", { channel: item.telegram?.channel ?? "", inbox: item.name })}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </header>
      <div class="posts-body">
        <PostList />
        <PostComposer />
        <PostPreview />
      </div>
    </main>
  );
}
