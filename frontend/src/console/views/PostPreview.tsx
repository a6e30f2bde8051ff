/** What the channel will show, as Telegram draws a post: the photo above, the text with its
 * formatting (built as elements from post-html.ts's tree: nothing the operator typed is HTML
 * here), the URL buttons below. */

import { useMemo } from "preact/hooks";

import { fileHref, previewSize } from "../../shared/attachments";
import { t } from "../i18n";
import { type PostNode, renderPostHtml } from "../post-html";
import { isPostLink } from "../post-text";
import { useController } from "./context";

/** The widest the photo is drawn (CSS keeps it within the preview besides). */
const PHOTO_MAX = 360;

function Nodes({ nodes }: { nodes: PostNode[] }) {
  return (
    <>
      {nodes.map((node, index) => (node.kind === "text" ? node.text : <Element key={index} node={node} />))}
    </>
  );
}

function Element({ node }: { node: Extract<PostNode, { kind: "element" }> }) {
  const children = <Nodes nodes={node.children} />;
  switch (node.tag) {
    case "b":
      return <b>{children}</b>;
    case "i":
      return <i>{children}</i>;
    case "u":
      return <u>{children}</u>;
    case "s":
      return <s>{children}</s>;
    case "code":
      return <code>{children}</code>;
    case "pre":
      return <pre>{children}</pre>;
    case "blockquote":
      return <blockquote>{children}</blockquote>;
    case "spoiler":
      return (
        <span class="tg-spoiler" title={t("posts.format.spoiler")}>
          {children}
        </span>
      );
    case "a":
      return (
        <a href={node.href} target="_blank" rel="noopener noreferrer nofollow">
          {children}
        </a>
      );
  }
}

export function PostPreview() {
  const { posts } = useController();
  const { editor } = posts;
  const text = editor.text;
  const tree = useMemo(() => renderPostHtml(text), [text]);
  const photo = editor.photo;
  const href = photo ? fileHref(photo.url) : null;
  const box = photo ? previewSize(photo, PHOTO_MAX) : null;
  const buttons = editor.filledButtons.filter((button) => button.text);
  const empty = tree.length === 0 && !href;
  return (
    <section class="post-preview" aria-labelledby="post-preview-title" data-testid="post-preview">
      <div class="post-section-head">
        <h3 id="post-preview-title">{t("posts.preview")}</h3>
      </div>
      <div class="tg-screen">
        {empty ? (
          <p class="post-hint">{t("posts.previewEmpty")}</p>
        ) : (
          <div class="tg-post">
            <div class="tg-bubble">
              {href && photo ? <img class="tg-photo" src={href} alt={photo.name} width={box?.width} height={box?.height} data-testid="post-preview-photo" /> : null}
              {tree.length ? (
                <div class="tg-text" data-testid="post-preview-text">
                  <Nodes nodes={tree} />
                </div>
              ) : null}
            </div>
            {buttons.length ? (
              <ul class="tg-buttons" aria-label={t("posts.buttons")} data-testid="post-preview-buttons">
                {buttons.map((button, index) => (
                  <li key={index}>
                    {isPostLink(button.url) ? (
                      <a class="tg-button" href={button.url} target="_blank" rel="noopener noreferrer nofollow">
                        {button.text}
                      </a>
                    ) : (
                      <span class="tg-button">{button.text}</span>
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        )}
      </div>
    </section>
  );
}
