// Files in the chat: uploading one (POST /v1/attachments with the visitor token, multipart,
// with progress) and showing one as a download link. docs/widget.md, "Files".
import { h, icon } from "./dom";
import type { FileRef } from "./types";

/** Paperclip (24×24, Material Design "attach_file"). */
export const ICON_CLIP =
  "M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z";

/** A refused or failed upload: the HTTP status (0 when the network failed) and the server's error. */
export interface UploadError {
  status: number;
  code?: string;
}

/** Uploads a file for the visitor's next message, reporting progress in percent. */
export function upload(base: string, token: string, file: File, progress: (pct: number) => void): Promise<FileRef> {
  return new Promise((res, rej) => {
    const x = new XMLHttpRequest();
    x.open("POST", base + "/v1/attachments");
    x.setRequestHeader("Authorization", "Bearer " + token);
    x.upload.onprogress = (e) => e.lengthComputable && progress(Math.floor((e.loaded / e.total) * 100));
    x.onload = () => {
      let b: any;
      try {
        b = JSON.parse(x.responseText);
      } catch {
        // not JSON: a proxy's error page
      }
      if (x.status === 201 && b && b.attachment) res(b.attachment);
      else rej({ status: x.status, code: b && b.error && b.error.code } as UploadError);
    };
    x.onerror = x.onabort = x.ontimeout = () => rej({ status: 0 } as UploadError);
    const fd = new FormData();
    fd.append("file", file, file.name);
    x.send(fd);
  });
}

/** A file as a download link: name and size, never rendered inline. */
export function fileLink(base: string, f: FileRef): HTMLAnchorElement {
  const a = h("a", { class: "fi", rel: "noopener noreferrer nofollow", download: f.name }, icon(ICON_CLIP), h("span", null, f.name), h("span", { class: "fz" }, fileSize(f.size)));
  if (/^\/v1\/attachments\//.test(f.url)) a.href = base + f.url;
  return a;
}

/** A size as people read it: 512 B, 34 KB, 2.5 MB. */
export function fileSize(n: number): string {
  return n < 1024 ? n + " B" : n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB";
}
