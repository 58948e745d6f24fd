package attachment

import (
	"strings"
	"testing"
)

func TestClassifyTrustsBytesNotNames(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	zip := "PK\x03\x04\x14\x00\x00\x00"
	ole := "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"
	cases := []struct{ name, head, want string }{
		{"a.png", png, "image/png"},
		{"a.txt", png, "image/png"}, // the bytes decide
		{"a.jpg", "\xFF\xD8\xFF\xE0\x00\x10JFIF", "image/jpeg"},
		{"a.gif", "GIF89a\x01\x00", "image/gif"},
		{"a.webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
		{"a.pdf", "%PDF-1.7\n", "application/pdf"},
		{"a.zip", zip, "application/zip"},
		{"a.docx", zip, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a.doc", ole, "application/msword"},
		{"a.csv", "name,email\nJane,jane@example.com\n", "text/csv"},
		{"a.txt", "hello\n", "text/plain"},
		{"a.txt", "2 < 3 and 4 > 1\n", "text/plain"},
		{"a.html", "hello", "error"},
		{"a.HTM", "hello", "error"},
		{"a.svg", png, "error"},
		{"a.exe", png, "error"},
		{"a.png", "<html><script>x</script>", "error"},
		{"a.png", "\xEF\xBB\xBF <svg onload=x>", "error"},
		{"a.txt", "Dear Jane,\n<script>alert(1)</script>", "error"},
		{"a.txt", "<?xml version=\"1.0\"?>", "error"},
		{"a.bin", "MZ\x90\x00\x03\x00\x00\x00", "error"},
		{"a.bin", "\x7fELF\x02\x01\x01\x00", "error"},
		{"a.doc", zip, "application/zip"},
		{"a.msi", ole, "error"},
		{"a.xyz", ole, "error"},
		{"a.txt", "caf\xe9 latin-1\n", "error"},
		{"a.txt", "", "error"},
	}
	for _, c := range cases {
		got, err := Classify(c.name, []byte(c.head))
		if err != nil {
			got = "error"
			if !strings.HasPrefix(err.Error(), "invalid: file: ") {
				t.Errorf("%s %q: error %q does not name the field", c.name, c.head, err)
			}
		}
		if got != c.want {
			t.Errorf("Classify(%s, %q) = %s, want %s", c.name, c.head, got, c.want)
		}
	}
}

func TestServeTypeNeverRendersMarkup(t *testing.T) {
	for ct, want := range map[string]string{
		"image/png": "image/png", "application/pdf": "application/pdf", "text/plain": "application/octet-stream",
		"text/html": "application/octet-stream", "image/svg+xml": "application/octet-stream", "application/zip": "application/octet-stream",
	} {
		if got := ServeType(ct); got != want {
			t.Errorf("ServeType(%s) = %s, want %s", ct, got, want)
		}
	}
}

func TestSafeName(t *testing.T) {
	long := strings.Repeat("é", 300) + ".pdf"
	cases := map[string]string{
		"report.pdf":              "report.pdf",
		"../../etc/passwd":        "passwd",
		`C:\Users\jane\photo.png`: "photo.png",
		"in\x00voice\r\n.pdf":     "invoice.pdf",
		"photo\u202Egpj.exe":      "photogpj.exe",
		"  .hidden. ":             "hidden",
		"":                        "file",
		"..":                      "file",
		`a"b<c>d:e*f?g|h.txt`:     "abcdefgh.txt",
		"bad\xffutf8.txt":         "bad_utf8.txt",
		"Ünïcödé naam (1).docx":   "Ünïcödé naam (1).docx",
		long:                      strings.Repeat("é", MaxNameRunes-4) + ".pdf",
	}
	for in, want := range cases {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDispositionIsAlwaysAnAttachment(t *testing.T) {
	got := Disposition(`Phötö "1"; x.png`)
	want := `attachment; filename="Ph_t_ _1__ x.png"; filename*=UTF-8''Ph%C3%B6t%C3%B6%20%221%22%3B%20x.png`
	if got != want {
		t.Errorf("Disposition = %s\nwant          %s", got, want)
	}
}
