/** What the console says about a conversation in a line (src/console/conversation-facts.ts):
 * the subject of an email, which channels are marked, the last message's preview, the line of
 * the contact's history, and how a contact that may be the same person is told apart. */
import { afterEach, describe, expect, it } from "vitest";

import { historyLine, markedChannel, messagePreview, subjectOf, suggestionDetails, suggestionName } from "../src/console/conversation-facts";
import { setLocale } from "../src/console/i18n";
import { conversation } from "./console-fixtures";

afterEach(() => setLocale("en"));

const LAST = { body: "Where is my parcel?", author_kind: "visitor" as const, private: false, created_at: "2026-11-25T09:00:00Z" };

describe("conversation facts", () => {
  it("marks Telegram, email and API conversations, not the website's nor a channel it does not know", () => {
    expect(markedChannel("email")).toBe("email");
    expect(markedChannel("api")).toBe("api");
    expect(markedChannel("telegram")).toBe("telegram");
    expect(markedChannel("web")).toBeNull();
    expect(markedChannel("fax")).toBeNull();
    expect(markedChannel(undefined)).toBeNull();
  });

  it("takes the subject on one line, and none from an older server or another channel", () => {
    expect(subjectOf(conversation({ subject: "  Order 1042\n  is late " }))).toBe("Order 1042 is late");
    expect(subjectOf(conversation({ subject: "" }))).toBe("");
    expect(subjectOf(conversation())).toBe("");
  });

  it("previews the last message on one line, a note as a note, files alone as an attachment", () => {
    expect(messagePreview({ ...LAST, body: "Hello,\n\nthe box   is torn" })).toBe("Hello, the box is torn");
    expect(messagePreview({ ...LAST, private: true, author_kind: "operator", body: "call back" })).toBe("Note: call back");
    expect(messagePreview({ ...LAST, body: "  " })).toBe("Attachment");
    expect(messagePreview(null)).toBe("No messages yet");
    setLocale("ru");
    expect(messagePreview(undefined)).toBe("Сообщений пока нет");
  });

  it("shows a conversation of the history by its subject, else its last message", () => {
    expect(historyLine(conversation({ subject: "Order 1042 is late", last_message: LAST }))).toBe("Order 1042 is late");
    expect(historyLine(conversation({ subject: "", last_message: LAST }))).toBe("Where is my parcel?");
    expect(historyLine(conversation({ last_message: null }))).toBe("No messages yet");
  });

  it("tells a suggested contact by its name and the email and phone it has", () => {
    expect(suggestionDetails({ id: 2, name: "Maria", email: "maria@example.com", phone: "8 (900) 123-45-67" })).toEqual(["maria@example.com", "8 (900) 123-45-67"]);
    expect(suggestionDetails({ id: 2, name: "Maria", email: "", phone: "+7 900 123-45-67" })).toEqual(["+7 900 123-45-67"]);
    expect(suggestionName({ id: 2, name: " ", email: "", phone: "" })).toBe("Unnamed visitor");
    expect(suggestionName({ id: 2, name: "Maria", email: "", phone: "" })).toBe("Maria");
  });
});
