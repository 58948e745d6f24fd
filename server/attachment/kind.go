package attachment

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// SniffBytes is how much of a file decides what it is (what net/http's sniffer reads).
const SniffBytes = 512

// MaxNameRunes bounds a stored file name.
const MaxNameRunes = 200

// accepted explains what may be sent, in every refusal.
const accepted = "send an image (PNG, JPEG, GIF, WebP), a PDF, a text or CSV file, a ZIP or an office document"

// refusedExt are names refused whatever their bytes look like: pages a browser would render
// (HTML, SVG, XML), scripts and programs. Their content is refused by the sniffer too; the name
// alone is refused so that a harmless-looking file cannot be saved as one by the person who
// downloads it.
var refusedExt = map[string]bool{
	".htm": true, ".html": true, ".xhtml": true, ".shtml": true, ".mht": true, ".mhtml": true, ".svg": true, ".svgz": true,
	".xml": true, ".xsl": true, ".xslt": true, ".js": true, ".mjs": true, ".cjs": true, ".vbs": true, ".vbe": true,
	".jse": true, ".wsf": true, ".wsh": true, ".hta": true, ".ps1": true, ".psm1": true, ".bat": true, ".cmd": true,
	".sh": true, ".bash": true, ".zsh": true, ".command": true, ".exe": true, ".dll": true, ".com": true, ".scr": true,
	".msi": true, ".msp": true, ".cpl": true, ".jar": true, ".apk": true, ".app": true, ".dmg": true, ".pkg": true,
	".deb": true, ".rpm": true, ".lnk": true, ".reg": true, ".php": true, ".py": true, ".pl": true, ".rb": true,
	".swf": true, ".url": true, ".desktop": true, ".appimage": true, ".iso": true,
}

// office are the document types recognised by name inside a ZIP (Office Open XML,
// OpenDocument) or an OLE compound file (the older Office formats).
var office = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".ppt":  "application/vnd.ms-powerpoint",
}

var oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

// markup are the starts of tags that make a text a page some browser would render or run.
var markup = [][]byte{[]byte("<!doctype"), []byte("<html"), []byte("<head"), []byte("<body"), []byte("<script"),
	[]byte("<svg"), []byte("<?xml"), []byte("<iframe"), []byte("<object"), []byte("<embed"), []byte("<meta"),
	[]byte("<style"), []byte("<img"), []byte("<a "), []byte("<form"), []byte("<math"), []byte("<xsl")}

// Classify decides what a file is from its sanitised name and its first bytes (up to
// SniffBytes): the content type Baton stores, or an invalid error that says what is accepted.
// The bytes decide; the name can only refuse (a .html name) or refine a container (a ZIP named
// .docx is a Word document). The client's Content-Type is never asked.
func Classify(name string, head []byte) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	ext := strings.ToLower(path.Ext(name))
	if len(head) == 0 {
		return "", chat.Errorf(chat.EInvalid, "file: is empty")
	}
	if bytes.HasPrefix(head, oleMagic) {
		if ct, ok := office[ext]; ok && (ext == ".doc" || ext == ".xls" || ext == ".ppt") {
			return ct, nil
		}
		return "", chat.Errorf(chat.EInvalid, "file: this compound file is not a .doc, .xls or .ppt document: %s", accepted)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(head), ";")
	switch sniffed {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf":
		return sniffed, nil
	case "application/zip":
		if ct, ok := office[ext]; ok && ext != ".doc" && ext != ".xls" && ext != ".ppt" {
			return ct, nil
		}
		return "application/zip", nil
	case "text/plain":
		if isMarkup(head) {
			return "", chat.Errorf(chat.EInvalid, "file: HTML, SVG and XML are not accepted: %s", accepted)
		}
		if !validUTF8Prefix(head) {
			return "", chat.Errorf(chat.EInvalid, "file: a text file must be UTF-8: %s", accepted)
		}
		if ext == ".csv" {
			return "text/csv", nil
		}
		return "text/plain", nil
	case "text/html", "text/xml":
		return "", chat.Errorf(chat.EInvalid, "file: HTML, SVG and XML are not accepted: %s", accepted)
	}
	return "", chat.Errorf(chat.EInvalid, "file: this kind of file is not accepted: %s", accepted)
}

// checkName refuses the names of pages, scripts and programs, before any byte is read.
func checkName(name string) error {
	if ext := strings.ToLower(path.Ext(name)); refusedExt[ext] {
		return chat.Errorf(chat.EInvalid, "file: %s files are not accepted (pages, scripts and programs never are): %s", ext, accepted)
	}
	return nil
}

// isMarkup reports whether a text starts like markup or holds a tag a browser would act on.
func isMarkup(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n\f")
	if bytes.HasPrefix(t, []byte("<")) {
		return true
	}
	low := bytes.ToLower(head)
	for _, m := range markup {
		if bytes.Contains(low, m) {
			return true
		}
	}
	return false
}

// validUTF8Prefix is utf8.Valid for a prefix that may end inside a character.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// ServeType is the Content-Type a stored file is served with: its own for raster images and
// PDFs, which browsers show safely, and application/octet-stream for everything else. Never
// text/html or image/svg+xml, whatever was stored.
func ServeType(ct string) string {
	switch ct {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf":
		return ct
	}
	return "application/octet-stream"
}

// SafeName turns a client's file name into one fit to store, show and offer when saving: the
// last path element only, valid UTF-8 without control or direction-override characters (which
// can make "gpj.exe" read as "exe.jpg"), no leading or trailing dots and spaces, at most
// MaxNameRunes characters with the extension kept. An empty result is "file".
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F,
			r == 0xFEFF, r == '"', r == '<', r == '>', r == ':', r == '*', r == '?', r == '|':
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if utf8.RuneCountInString(name) > MaxNameRunes {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:MaxNameRunes-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		return "file"
	}
	return name
}

// Disposition is the Content-Disposition of a download (RFC 6266): always an attachment, with
// an ASCII fallback name and the real one in filename* (RFC 8187).
func Disposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7E || r == '"' || r == '\\' || r == '%' || r == ';' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if attrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// attrChar is RFC 8187's attr-char: what filename* may carry unescaped.
func attrChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
