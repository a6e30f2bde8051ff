/** The channel's posts, newest first, a page at a time: each with its state (a draft; scheduled,
 * with its time; being published; published, with its time; failed, with the reason in the
 * danger colour), its words, and Edit and Delete (which asks first, in place). */

import { useEffect, useRef, useState } from "preact/hooks";

import { formatDateTime, type Key, t, tn } from "../i18n";
import { plainText } from "../post-text";
import type { Post } from "../types";
import { Empty } from "./common";
import { useController } from "./context";
import { AlertIcon, ClockIcon, ImageIcon, MegaphoneIcon, PencilIcon, TrashIcon } from "./icons";

/** An Edit button names its post by this many of its first characters. */
const NAMED_BY = 40;

function StateBadge({ post }: { post: Post }) {
  const label = t(`posts.state.${post.state}` as Key);
  const when = post.state === "scheduled" ? post.publish_at : post.state === "published" ? post.published_at : null;
  return (
    <span class="post-state-line">
      <span class={`post-badge post-badge-${post.state}`} data-testid="post-state">
        {post.state === "scheduled" ? <ClockIcon size={11} /> : post.state === "failed" ? <AlertIcon size={11} /> : null}
        <span>{label}</span>
      </span>
      {when ? (
        <time class="post-time" dateTime={when} data-testid="post-time">
          {formatDateTime(when)}
        </time>
      ) : null}
    </span>
  );
}

function DeleteControl({ post }: { post: Post }) {
  const { posts } = useController();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    requestAnimationFrame(() => trigger.current?.focus());
  };
  const remove = async () => {
    setBusy(true);
    const gone = await posts.remove(post);
    setBusy(false);
    if (!gone) setConfirming(false);
  };
  if (!confirming) {
    return (
      <button ref={trigger} type="button" class="msg-action" data-testid="post-delete" onClick={() => setConfirming(true)}>
        <TrashIcon size={13} />
        <span>{t("posts.delete")}</span>
      </button>
    );
  }
  return (
    <div
      class="post-confirm"
      role="group"
      aria-label={t("posts.delete")}
      data-testid="post-delete-confirm"
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        cancel();
      }}
    >
      <span class="msg-confirm-text">{t(post.state === "published" ? "posts.deletePublishedConfirm" : "posts.deleteConfirm")}</span>
      <button ref={confirm} type="button" class="button button-danger small" disabled={busy} data-testid="post-delete-yes" onClick={() => void remove()}>
        {t("posts.deleteYes")}
      </button>
      <button type="button" class="button small" disabled={busy} onClick={cancel}>
        {t("app.cancel")}
      </button>
    </div>
  );
}

function PostItem({ post, editing }: { post: Post; editing: boolean }) {
  const { posts } = useController();
  const text = plainText(post.text);
  const busy = post.state === "publishing";
  return (
    <li class={`post-item${editing ? " editing" : ""}`} data-testid={`post-${post.id}`} data-state={post.state} aria-current={editing ? "true" : undefined}>
      <StateBadge post={post} />
      {post.state === "failed" && post.error ? (
        <p class="post-failure" data-testid="post-failure">
          {post.error}
        </p>
      ) : null}
      <p class="post-excerpt">{text || <span class="muted">{t("posts.photoOnly")}</span>}</p>
      <div class="post-meta">
        {post.photo ? (
          <span class="post-meta-item">
            <ImageIcon size={12} />
            <span>{t("posts.withPhoto")}</span>
          </span>
        ) : null}
        {post.buttons.length ? <span class="post-meta-item">{tn("plural.buttons", post.buttons.length)}</span> : null}
        {post.author ? <span class="post-meta-item">{post.author.name}</span> : null}
      </div>
      {busy ? null : (
        <div class="post-actions">
          <button type="button" class="msg-action" data-testid="post-edit" aria-label={t("posts.editOne", { excerpt: Array.from(text).slice(0, NAMED_BY).join("") })} onClick={() => posts.edit(post)}>
            <PencilIcon size={13} />
            <span>{t("posts.edit")}</span>
          </button>
          <DeleteControl post={post} />
        </div>
      )}
    </li>
  );
}

export function PostList() {
  const { posts } = useController();
  const { feed, editor } = posts;
  return (
    <section class="post-list" aria-labelledby="post-list-title" data-testid="post-list">
      <div class="post-section-head">
        <h3 id="post-list-title">{t("posts.list")}</h3>
      </div>
      <div class="post-list-scroll">
        {feed.loading && !feed.loaded ? <div class="list-loading">{t("app.loading")}</div> : null}
        {feed.error ? (
          <div class="list-error" role="alert" data-testid="posts-error">
            <span>{t("app.error", { message: feed.error })}</span>{" "}
            <button type="button" class="link-button" onClick={() => void posts.refresh()}>
              {t("app.retry")}
            </button>
          </div>
        ) : null}
        {feed.loaded && feed.items.length === 0 ? <Empty icon={<MegaphoneIcon size={24} />} title={t("posts.none")} hint={t("posts.noneHint")} /> : null}
        {feed.items.length ? (
          <ul class="post-items">
            {feed.items.map((post) => (
              <PostItem key={post.id} post={post} editing={editor.editing?.id === post.id} />
            ))}
          </ul>
        ) : null}
        {feed.next ? (
          <button type="button" class="load-more" data-testid="posts-more" disabled={feed.loading} onClick={() => void posts.more()}>
            {t("posts.more")}
          </button>
        ) : null}
      </div>
    </section>
  );
}
