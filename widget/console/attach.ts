// Files in the console: the composer's attach button (upload to
// POST /v1/conversations/{id}/attachments with the session cookie, progress shown, then sent by id
// with the next message) and files in the transcript as download links, raster images previewed
// with <img> (same origin: the console's CSP allows img-src 'self'). docs/console.md, "Files".
import { h, icon } from "../src/dom";
import { ICON_CLIP } from "../src/files";
import type { FileRef, Message } from "./types";

/** The composer's files for one conversation: uploaded, waiting to go with the next message. */
export class Attacher {
  /** The attach button, the hidden picker, the waiting files and the upload's progress. */
  readonly el: HTMLElement;
  private files: FileRef[] = [];
  private uploads = 0;
  private chips = h("ul", { class: "files", "aria-label": "Files to send" });
  private status = h("span", { class: "upl", role: "status" });

  constructor(private conversation: string) {
    const picker = h("input", { type: "file", multiple: "", hidden: "", "aria-label": "Choose files" });
    const button = h("button", { type: "button", class: "attach", "aria-label": "Attach a file", title: "Attach a file" }, icon(ICON_CLIP), "Attach");
    button.addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => {
      for (const f of Array.from(picker.files || [])) void this.upload(f);
      picker.value = "";
    });
    this.el = h("div", { class: "attachrow" }, button, picker, this.chips, this.status);
  }

  /** Ids of the uploaded files, in the order they were picked. */
  ids(): string[] {
    return this.files.map((f) => f.id);
  }

  /** Whether a file is still uploading (sending now would leave it behind). */
  busy(): boolean {
    return this.uploads > 0;
  }

  /** Forgets the files once their message was sent. */
  clear(): void {
    this.files = [];
    this.chips.replaceChildren();
  }

  private async upload(file: File): Promise<void> {
    this.uploads++;
    this.status.textContent = "Uploading " + file.name + "…";
    try {
      const f = await post("/v1/conversations/" + encodeURIComponent(this.conversation) + "/attachments", file, (pct) => {
        this.status.textContent = "Uploading " + file.name + "… " + pct + "%";
      });
      this.files.push(f);
      this.status.textContent = "";
      const x = h("button", { type: "button", "aria-label": "Remove " + f.name }, "×");
      const chip = h("li", null, f.name + " · " + size(f.size), x);
      x.addEventListener("click", () => {
        this.files = this.files.filter((y) => y.id !== f.id);
        chip.remove();
      });
      this.chips.append(chip);
    } catch (err) {
      this.status.textContent = file.name + ": " + (err as Error).message;
    } finally {
      this.uploads--;
    }
  }
}

/** Uploads one file with the session cookie (the browser adds Baton's own Origin), with progress. */
function post(path: string, file: File, progress: (pct: number) => void): Promise<FileRef> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", path);
    x.upload.onprogress = (e) => e.lengthComputable && progress(Math.floor((e.loaded / e.total) * 100));
    x.onload = () => {
      let b: any = null;
      try {
        b = JSON.parse(x.responseText);
      } catch {
        // not JSON: a proxy's error page
      }
      if (x.status === 201 && b?.attachment) resolve(b.attachment);
      else reject(new Error(b?.error?.message || "upload failed (HTTP " + x.status + ")"));
    };
    x.onerror = () => reject(new Error("upload failed: the connection dropped"));
    const fd = new FormData();
    fd.append("file", file, file.name);
    x.send(fd);
  });
}

const PREVIEW = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** A message's files as download links, with a preview of raster images; null without files. */
export function filesEl(m: Message): HTMLElement | null {
  if (!m.attachments?.length) return null;
  return h(
    "ul",
    { class: "files", "aria-label": "Files" },
    ...m.attachments.map((f) => {
      const a = h("a", { href: f.url, download: f.name }, f.name + " · " + size(f.size));
      if (!f.url.startsWith("/v1/attachments/")) a.removeAttribute("href");
      const img = PREVIEW.has(f.content_type) && a.hasAttribute("href") ? h("img", { src: f.url, alt: f.name, loading: "lazy" }) : null;
      return h("li", null, img, a);
    }),
  );
}

/** A size as people read it: 512 B, 34 KB, 2.5 MB. */
function size(n: number): string {
  return n < 1024 ? n + " B" : n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB";
}
