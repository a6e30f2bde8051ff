import { describe, expect, it } from "vitest";

import { Api, ApiError, csrfFromCookie } from "../src/console/api";

function fakeFetch(status: number, body: unknown) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { fetch, calls };
}

describe("console REST client", () => {
  it("sends the session's CSRF token and the console's language on writes", async () => {
    const { fetch, calls } = fakeFetch(200, { id: 1 });
    const api = new Api({ base: "/api/v1/", csrfToken: () => "tok", language: () => "ru", fetch });
    await api.setStatus(5, "resolved");
    expect(calls[0].url).toBe("/api/v1/conversations/5/status");
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers["X-CSRFToken"]).toBe("tok");
    expect(headers["Accept-Language"]).toBe("ru");
    expect(calls[0].init.credentials).toBe("same-origin");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ status: "resolved" });
  });

  it("reads the contract's errors, and sends the operator to the login page on 401", async () => {
    const { fetch } = fakeFetch(401, { error: { code: "not_authenticated", message: "Log in" } });
    let redirected = false;
    const api = new Api({ base: "/api/v1/", csrfToken: () => "", language: () => "en", fetch, onUnauthenticated: () => (redirected = true) });
    await expect(api.me()).rejects.toEqual(new ApiError(401, "not_authenticated", "Log in"));
    expect(redirected).toBe(true);
  });

  it("follows `next` links on this page's origin", () => {
    expect(Api.relative("http://internal:8000/api/v1/conversations?cursor=abc&limit=50")).toBe("/api/v1/conversations?cursor=abc&limit=50");
  });

  it("reads the CSRF cookie", () => {
    expect(csrfFromCookie("a=1; csrftoken=xyz%3D; b=2")).toBe("xyz=");
    expect(csrfFromCookie("a=1")).toBeNull();
  });
});
