import { describe, expect, it } from "vitest";

import { listKey, listQuery, matchesList, maySee, parseFolderKey } from "../src/console/lists";
import { conversation, ME } from "./console-fixtures";

describe("conversation lists", () => {
  it("turns a list into the REST query", () => {
    expect(listQuery({ kind: "mine" }, "open").toString()).toBe("status=open&assignee=me&limit=50");
    expect(listQuery({ kind: "unassigned" }, "pending").toString()).toBe("status=pending&assignee=none&limit=50");
    expect(listQuery({ kind: "all" }, "all").toString()).toBe("limit=50");
    expect(listQuery({ kind: "resolved" }, "open").toString()).toBe("status=resolved&limit=50");
    expect(listQuery({ kind: "team", id: 3 }, "open").toString()).toBe("status=open&team=3&limit=50");
    expect(listQuery({ kind: "label", name: "доставка" }, "open").get("label")).toBe("доставка");
  });

  it("matches live conversations the way the server filters", () => {
    const mine = conversation({ assignee: { id: ME.id, name: ME.name }, labels: ["vip"] });
    expect(matchesList(mine, { kind: "mine" }, "open", ME.id)).toBe(true);
    expect(matchesList(mine, { kind: "unassigned" }, "open", ME.id)).toBe(false);
    expect(matchesList(mine, { kind: "label", name: "vip" }, "open", ME.id)).toBe(true);
    expect(matchesList(mine, { kind: "mine" }, "pending", ME.id)).toBe(false);
    expect(matchesList({ ...mine, status: "resolved" }, { kind: "resolved" }, "open", ME.id)).toBe(true);
    expect(matchesList({ ...mine, status: "resolved" }, { kind: "all" }, "all", ME.id)).toBe(true);
  });

  it("keys lists by folder and effective status", () => {
    expect(listKey({ kind: "resolved" }, "open")).toBe(listKey({ kind: "resolved" }, "pending"));
    expect(listKey({ kind: "all" }, "open")).not.toBe(listKey({ kind: "all" }, "all"));
  });

  it("parses folder keys from the address bar", () => {
    expect(parseFolderKey("team:4")).toEqual({ kind: "team", id: 4 });
    expect(parseFolderKey("label:a:b")).toEqual({ kind: "label", name: "a:b" });
    expect(parseFolderKey("team:x")).toBeNull();
    expect(parseFolderKey("nope")).toBeNull();
  });

  it("applies the audience rule: inbox of my teams, my team, assigned to me; all for supervisors", () => {
    const inboxes = new Map([[1, { id: 1, name: "Site", channel: "web", team: 1 }]]);
    expect(maySee(conversation({ inbox: 1, team: 2 }), ME, inboxes)).toBe(true);
    expect(maySee(conversation({ inbox: 2, team: 1 }), ME, inboxes)).toBe(true);
    expect(maySee(conversation({ inbox: 2, team: 2, assignee: { id: ME.id, name: "" } }), ME, inboxes)).toBe(true);
    expect(maySee(conversation({ inbox: 2, team: 2 }), ME, inboxes)).toBe(false);
    expect(maySee(conversation({ inbox: 2, team: 2 }), { ...ME, role: "supervisor" }, inboxes)).toBe(true);
  });
});
