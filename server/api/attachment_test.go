package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
)

// A tiny valid PNG (1×1, transparent).
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// uploadReq is one upload: who (header), where, what.
type uploadReq struct {
	path, token, origin string
	cookie              *http.Cookie
	name                string
	body                []byte
}

type uploaded struct {
	Attachment struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Size        int64  `json:"size"`
		ContentType string `json:"content_type"`
		URL         string `json:"url"`
	} `json:"attachment"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// upload posts a file as multipart/form-data and returns the status, the decoded body and the
// response headers.
func (e *env) upload(u uploadReq) (int, uploaded, http.Header) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", u.name)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(u.body)
	mw.Close()
	req, _ := http.NewRequest("POST", e.url+u.path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	if u.origin != "" {
		req.Header.Set("Origin", u.origin)
	}
	if u.cookie != nil {
		req.AddCookie(u.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out uploaded
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatalf("upload %s: %d %q", u.name, resp.StatusCode, b)
	}
	return resp.StatusCode, out, resp.Header
}

// fetch GETs a path and returns the status, the body and the headers.
func (e *env) fetch(path string) (int, []byte, http.Header) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// checkDownload fetches a file and checks that it comes back whole, as a download that no
// browser renders in Baton's origin.
func checkDownload(t *testing.T, e *env, url string, want []byte, wantType, wantName string) {
	t.Helper()
	code, body, hd := e.fetch(url)
	if code != 200 || !bytes.Equal(body, want) {
		t.Fatalf("download %s: %d, %d bytes (want %d)", url, code, len(body), len(want))
	}
	for k, v := range map[string]string{
		"Content-Type":            wantType,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'",
	} {
		if got := hd.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if cd := hd.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''"+wantName) {
		t.Errorf("Content-Disposition: %q, want an attachment named %s", cd, wantName)
	}
	if hd.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a download carries CORS headers: %v", hd)
	}
}

func attachmentsOf(m frame) []frame { return m.list("attachments") }

func TestFilesGoBothWaysBetweenVisitorAndAgent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		_, agentTok := e.agent("Alice", chat.RoleAgent, "demo")
		vtok := e.visitorToken("demo")
		v := e.mustDial(vtok)
		a := e.mustDial(agentTok)
		a.ok(map[string]any{"type": "subscribe", "site": "demo"})

		// The visitor's first message is a file alone: uploaded before any conversation exists.
		code, up, hd := e.upload(uploadReq{path: "/v1/attachments", token: vtok, origin: e.url, name: "../../etc/Phötö 1.png", body: pngBytes})
		if code != 201 || up.Attachment.ContentType != "image/png" || up.Attachment.Name != "Phötö 1.png" || up.Attachment.Size != int64(len(pngBytes)) {
			t.Fatalf("visitor upload: %d %+v", code, up)
		}
		if hd.Get("Access-Control-Allow-Origin") != e.url {
			t.Errorf("upload from an allowed origin without CORS: %v", hd)
		}
		send := map[string]any{"type": "send", "client_id": "f1", "text": "", "attachments": []string{up.Attachment.ID}}
		sent := v.ok(send)
		msg := sent.obj("message")
		files := attachmentsOf(msg)
		if len(files) != 1 || files[0].str("id") != up.Attachment.ID || files[0].str("url") != up.Attachment.URL || files[0].str("name") != "Phötö 1.png" {
			t.Fatalf("visitor's message: %v", msg)
		}
		convID := msg.str("conversation_id")
		// Resending the same client id stores nothing new and still carries the file.
		again := v.ok(send)
		if again["duplicate"] != true || again.obj("message").str("id") != msg.str("id") || len(attachmentsOf(again.obj("message"))) != 1 {
			t.Fatalf("resend: %v", again)
		}
		got := a.next("message").obj("message")
		if got.str("id") != msg.str("id") || len(attachmentsOf(got)) != 1 {
			t.Fatalf("agent got %v", got)
		}
		checkDownload(t, e, attachmentsOf(got)[0].str("url"), pngBytes, "image/png", "Ph%C3%B6t%C3%B6%201.png")

		// The agent answers with a PDF over REST and a text file over the WebSocket.
		code, pdf, _ := e.upload(uploadReq{path: "/v1/conversations/" + convID + "/attachments", token: agentTok, name: "invoice.pdf", body: pdfBytes})
		if code != 201 || pdf.Attachment.ContentType != "application/pdf" {
			t.Fatalf("agent upload: %d %+v", code, pdf)
		}
		var rest struct {
			Message struct {
				Attachments []map[string]any `json:"attachments"`
			} `json:"message"`
		}
		body := map[string]any{"client_id": "r1", "text": "Your invoice", "attachments": []string{pdf.Attachment.ID}}
		if code := e.do("POST", "/v1/conversations/"+convID+"/messages", agentTok, body, &rest); code != 201 || len(rest.Message.Attachments) != 1 {
			t.Fatalf("agent send: %d %v", code, rest)
		}
		code, txt, _ := e.upload(uploadReq{path: "/v1/conversations/" + convID + "/attachments", token: agentTok, name: "steps.txt", body: []byte("1. open the box\n2. smile\n")})
		if code != 201 || txt.Attachment.ContentType != "text/plain" {
			t.Fatalf("agent text upload: %d %+v", code, txt)
		}
		a.ok(map[string]any{"type": "send", "conversation_id": convID, "client_id": "r2", "text": "and the steps", "attachments": []string{txt.Attachment.ID}})

		var seen []frame
		for len(seen) < 2 {
			m := v.next("message")
			if m == nil {
				t.Fatalf("visitor got %d of the agent's files", len(seen))
			}
			if f := attachmentsOf(m.obj("message")); len(f) == 1 {
				seen = append(seen, f[0])
			}
		}
		checkDownload(t, e, seen[0].str("url"), pdfBytes, "application/pdf", "invoice.pdf")
		checkDownload(t, e, seen[1].str("url"), []byte("1. open the box\n2. smile\n"), "application/octet-stream", "steps.txt")

		// Both sides find the files again in their history.
		vsync := v.ok(map[string]any{"type": "sync", "conversation_id": convID, "since": 0})
		async := a.ok(map[string]any{"type": "sync", "conversation_id": convID, "since": 0})
		for who, data := range map[string]frame{"visitor": vsync, "agent": async} {
			n := 0
			for _, m := range data.list("messages") {
				n += len(attachmentsOf(m))
			}
			if n != 3 {
				t.Errorf("%s's sync holds %d files, want 3", who, n)
			}
		}
	})
}

func TestRefusedFilesAreNotStored(t *testing.T) {
	var dataDir string
	e := start(t, func(c *app.Config) { c.AttachmentMaxBytes = 4096; dataDir = c.DataDir })
	vtok := e.visitorToken("demo")
	cases := []struct {
		name string
		body []byte
		code int
		msg  string
	}{
		{"page.html", []byte("<!doctype html><script>alert(1)</script>"), 400, ".html files are not accepted"},
		{"notes.txt", []byte("<html><body><script>alert(1)</script>"), 400, "HTML, SVG and XML"},
		{"cat.png", []byte("<html><script>alert(document.cookie)</script></html>"), 400, "HTML, SVG and XML"},
		{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 400, ".svg files are not accepted"},
		{"logo.png", []byte("  \n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), 400, "HTML, SVG and XML"},
		{"data.txt", []byte(`<?xml version="1.0"?><x/>`), 400, "HTML, SVG and XML"},
		{"setup.exe", append([]byte("MZ\x90\x00"), make([]byte, 100)...), 400, ".exe files are not accepted"},
		{"photo.jpg", append([]byte("MZ\x90\x00"), make([]byte, 100)...), 400, "not accepted"},
		{"run.sh", []byte("#!/bin/sh\nrm -rf /\n"), 400, ".sh files are not accepted"},
		{"empty.txt", nil, 400, "is empty"},
		{"big.png", append(append([]byte(nil), pngBytes...), make([]byte, 4097-len(pngBytes))...), 413, "larger than"},
	}
	for _, c := range cases {
		code, out, _ := e.upload(uploadReq{path: "/v1/attachments", token: vtok, name: c.name, body: c.body})
		if code != c.code || !strings.Contains(out.Error.Message, c.msg) {
			t.Errorf("%s: %d %q, want %d with %q", c.name, code, out.Error.Message, c.code, c.msg)
		}
	}
	stored := 0
	filepath.WalkDir(filepath.Join(dataDir, "attachments"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			stored++
		}
		return nil
	})
	if stored != 0 {
		t.Errorf("%d files stored by refused uploads", stored)
	}
	// Exactly the limit is fine.
	ok := append(append([]byte(nil), pngBytes...), make([]byte, 4096-len(pngBytes))...)
	if code, out, _ := e.upload(uploadReq{path: "/v1/attachments", token: vtok, name: "ok.png", body: ok}); code != 201 {
		t.Errorf("a file of exactly the limit: %d %+v", code, out)
	}
	// A body announced larger than the limit is refused before it is read.
	req, _ := http.NewRequest("POST", e.url+"/v1/attachments", bytes.NewReader(make([]byte, 200<<10)))
	req.Header.Set("Authorization", "Bearer "+vtok)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
}

func TestFilesStayWithTheirConversation(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		_, aliceTok := e.agent("Alice", chat.RoleAgent, "demo")
		_, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		_, malloryTok := e.agent("Mallory", chat.RoleAgent, "other")
		vtok, otherTok := e.visitorToken("demo"), e.visitorToken("demo")
		v, other := e.mustDial(vtok), e.mustDial(otherTok)
		convID := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "hello"}).obj("message").str("conversation_id")
		other.ok(map[string]any{"type": "send", "client_id": "m1", "text": "me too"})

		_, mine, _ := e.upload(uploadReq{path: "/v1/attachments", token: vtok, name: "a.png", body: pngBytes})
		_, alices, _ := e.upload(uploadReq{path: "/v1/conversations/" + convID + "/attachments", token: aliceTok, name: "b.pdf", body: pdfBytes})
		if mine.Attachment.ID == "" || alices.Attachment.ID == "" {
			t.Fatalf("uploads: %+v %+v", mine, alices)
		}
		sendWith := func(id string) map[string]any {
			return map[string]any{"type": "send", "conversation_id": convID, "client_id": chat.NewID("c"), "text": "x", "attachments": []string{id}}
		}
		// Nobody sends a file someone else uploaded; it stays unsent for its owner.
		if code := other.errCode(sendWith(mine.Attachment.ID)); code != "not_found" {
			t.Errorf("another visitor sent the visitor's file: %q", code)
		}
		b := e.mustDial(bobTok)
		if code := b.errCode(sendWith(alices.Attachment.ID)); code != "not_found" {
			t.Errorf("Bob sent Alice's file: %q", code)
		}
		if code := b.errCode(sendWith(mine.Attachment.ID)); code != "not_found" {
			t.Errorf("an agent sent the visitor's file: %q", code)
		}
		if code := v.errCode(sendWith(alices.Attachment.ID)); code != "not_found" {
			t.Errorf("the visitor sent Alice's file: %q", code)
		}
		// Another site's agent can neither upload to nor read the conversation.
		if code, _, _ := e.upload(uploadReq{path: "/v1/conversations/" + convID + "/attachments", token: malloryTok, name: "c.png", body: pngBytes}); code != 404 {
			t.Errorf("another site's agent uploaded: %d", code)
		}
		// A visitor page of another origin cannot upload with the visitor's token.
		if code, _, _ := e.upload(uploadReq{path: "/v1/attachments", token: vtok, origin: "https://evil.example", name: "c.png", body: pngBytes}); code != 403 {
			t.Errorf("another origin uploaded: %d", code)
		}
		// An agent token is not a visitor's, and no token is nobody's.
		if code, _, _ := e.upload(uploadReq{path: "/v1/attachments", token: aliceTok, name: "c.png", body: pngBytes}); code != 403 {
			t.Errorf("an agent token on the visitor route: %d", code)
		}
		if code, _, _ := e.upload(uploadReq{path: "/v1/conversations/" + convID + "/attachments", name: "c.png", body: pngBytes}); code != 401 {
			t.Errorf("no token: %d", code)
		}

		// The owner sends it once; a second message cannot carry it again.
		if f := v.call(sendWith(mine.Attachment.ID)); f.str("type") != "reply" {
			t.Fatalf("owner's send: %v", f)
		}
		if code := v.errCode(sendWith(mine.Attachment.ID)); code != "conflict" {
			t.Errorf("a file sent twice: %q", code)
		}
		// The download URL is the credential: without its key, or with another, nothing.
		for _, url := range []string{
			"/v1/attachments/" + mine.Attachment.ID,
			"/v1/attachments/" + mine.Attachment.ID + "?key=" + strings.Repeat("0", 64),
			"/v1/attachments/" + alices.Attachment.ID + "?key=" + strings.SplitN(mine.Attachment.URL, "key=", 2)[1],
			"/v1/attachments/..%2f..%2fbaton.db?key=x",
		} {
			if code, body, _ := e.fetch(url); code != 404 {
				t.Errorf("%s: %d %s", url, code, body)
			}
		}
		if code, _, _ := e.fetch(mine.Attachment.URL); code != 200 {
			t.Errorf("the real URL: %d", code)
		}
		// A refused send changes nothing: Alice's file is still hers to send.
		a := e.mustDial(aliceTok)
		if f := a.call(sendWith(alices.Attachment.ID)); f.str("type") != "reply" {
			t.Fatalf("Alice's send: %v", f)
		}
	})
}

func TestConsoleUploadsNeedBatonsOwnOrigin(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	convID := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "hello"}).obj("message").str("conversation_id")
	ck := e.consoleSession()
	path := "/v1/conversations/" + convID + "/attachments"
	for origin, want := range map[string]int{"": 403, "https://evil.example": 403, e.url: 201} {
		if code, out, _ := e.upload(uploadReq{path: path, cookie: ck, origin: origin, name: "a.png", body: pngBytes}); code != want {
			t.Errorf("cookie upload from %q: %d %+v, want %d", origin, code, out, want)
		}
	}
}

func TestUploadsAreRateLimited(t *testing.T) {
	e := start(t, func(c *app.Config) { c.RateUploads = 1 })
	vtok := e.visitorToken("demo")
	codes := ""
	for i := 0; i < 8; i++ {
		code, _, hd := e.upload(uploadReq{path: "/v1/attachments", token: vtok, name: fmt.Sprint(i, ".png"), body: pngBytes})
		codes += fmt.Sprint(code, " ")
		if code == 429 && hd.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if !strings.HasPrefix(codes, "201 ") || !strings.Contains(codes, "429") {
		t.Errorf("upload statuses: %s", codes)
	}
}
