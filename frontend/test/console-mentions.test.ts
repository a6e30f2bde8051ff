import { describe, expect, it } from "vitest";

import { insertMention, mentionCandidates, mentionedUsernames, mentionTrigger, parseMentions } from "../src/console/mentions";
import type { OperatorInfo } from "../src/console/types";

const operators: OperatorInfo[] = [
  { id: 7, username: "olga", name: "Ольга Операторова", role: "agent", status: "online" },
  { id: 8, username: "alex.agent", name: "Alex Agent", role: "agent", status: "away" },
  { id: 9, username: "sam", name: "Sam Supervisor", role: "supervisor", status: "online" },
  { id: 10, username: "alina", name: "Alina", role: "agent", status: "offline" },
];

describe("mentions", () => {
  it("parses @usernames, not emails, once each, without a trailing dot", () => {
    expect(mentionedUsernames("@sam please look. cc @alex.agent. mail bob@example.com @SAM")).toEqual(["sam", "alex.agent"]);
  });

  it("maps mentions to known operators, case-insensitively", () => {
    expect(parseMentions("@Olga and @nobody", operators).map((operator) => operator.id)).toEqual([7]);
  });

  it("finds the @query before the caret", () => {
    expect(mentionTrigger("hi @al", 6)).toEqual({ start: 3, query: "al" });
    expect(mentionTrigger("mail a@b", 8)).toBeNull();
    expect(mentionTrigger("@", 1)).toEqual({ start: 0, query: "" });
  });

  it("offers colleagues by username or name, online first, never oneself", () => {
    expect(mentionCandidates(operators, "al", 7).map((operator) => operator.id)).toEqual([8, 10]);
    expect(mentionCandidates(operators, "s", 7).map((operator) => operator.id)).toEqual([9]);
    expect(mentionCandidates(operators, "", 7).map((operator) => operator.id)).toEqual([9, 8, 10]);
    expect(mentionCandidates(operators, "оль", 8).map((operator) => operator.id)).toEqual([7]);
  });

  it("inserts @username and a space in place of the query", () => {
    expect(insertMention("ask @sa now", 7, operators[2])).toEqual({ text: "ask @sam  now", caret: 9 });
  });
});
