// The console's REST calls: same origin, authenticated by the HttpOnly session cookie (the
// browser adds Origin, which the server checks on every change). Errors carry the API's code.
import { CommandError } from "./rt";

/** Calls the REST API and resolves with the JSON body; a refusal rejects with a CommandError. */
export async function rest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const data = text ? JSON.parse(text) : {};
  if (!r.ok) throw new CommandError(data.error?.code || "internal", data.error?.message || r.statusText);
  return data as T;
}
