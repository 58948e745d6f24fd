package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/attachment"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/realtime"
	"github.com/batonchat/baton/server/wire"
)

// Files sent with messages: uploaded first (multipart, one part named "file"), then sent by id
// in a message's attachments, then downloaded through the capability URL the message carries.
// Downloads are always attachments with nosniff and a sandbox CSP: a file is never a page of
// Baton's origin, whatever its bytes.

const (
	visitorUploadPath = "/v1/attachments"
	agentUploadPath   = "/v1/conversations/:id/attachments"
	// multipartSlack is what a multipart body may carry beyond the file: boundaries and headers.
	multipartSlack = 64 << 10
	// transferTime replaces the server's 30 s read and write timeouts for one file: a 10 MB
	// file over a slow phone connection takes longer.
	transferTime = 10 * time.Minute
)

func (h *handlers) bindAttachments(e *echo.Echo) {
	e.POST(visitorUploadPath, h.visitorUpload)
	// The widget on a site's page sends its visitor token with a file.
	e.OPTIONS(visitorUploadPath, h.preflight("POST, OPTIONS", "Authorization"))
	e.POST(agentUploadPath, h.agentUpload, h.agentAuth)
	e.GET("/v1/attachments/:id", h.download)
}

// isUpload tells the global body limit to leave an upload to its own, larger one.
func isUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && (c.Path() == visitorUploadPath || c.Path() == agentUploadPath)
}

// visitorUpload takes a file from a visitor (Authorization: Bearer VISITOR_TOKEN) for their own
// next message, from a page of one of their site's allowed origins.
func (h *handlers) visitorUpload(c echo.Context) error {
	r := c.Request()
	// CORS first, so the widget can read every refusal (an expired token included); the origin
	// is then checked against the token's own site.
	origin := r.Header.Get("Origin")
	cors(c, origin != "" && (realtime.SameOrigin(r, origin) || h.Sites.AllowsOrigin(r.Context(), origin)))
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return chat.Errorf(chat.EUnauthorized, "send the visitor token: Authorization: Bearer TOKEN")
	}
	claims, err := h.Signer.Parse(tok)
	if err != nil {
		return err
	}
	if claims.Kind != auth.KindVisitor {
		return chat.Errorf(chat.EForbidden, "agents upload to /v1/conversations/{id}/attachments")
	}
	l, err := h.Sites.ByID(r.Context(), claims.Site)
	if errors.Is(err, chat.ErrNotFound) {
		return chat.Errorf(chat.EUnauthorized, "the site of this token no longer exists")
	}
	if err != nil {
		return err
	}
	if origin != "" && !l.Settings.AllowsOrigin(origin) && !realtime.SameOrigin(r, origin) {
		return chat.Errorf(chat.EForbidden, "origin %s is not allowed for site %s: add it to allowed_origins", origin, l.Site.Key)
	}
	if ok, wait := h.Limits.IPUploads.Allow(c.RealIP()); !ok {
		return limited("upload", "too many files from your network: wait a moment", wait)
	}
	return h.upload(c, attachment.Upload{SiteID: l.Site.ID, UploaderType: chat.AuthorVisitor, UploaderID: claims.Subject()})
}

// agentUpload takes a file from an agent for a conversation of one of their sites.
func (h *handlers) agentUpload(c echo.Context) error {
	conv, err := h.Service.Get(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	a := agentOf(c)
	return h.upload(c, attachment.Upload{SiteID: conv.SiteID, ConversationID: conv.ID, UploaderType: chat.AuthorAgent, UploaderID: a.ID})
}

// upload reads the multipart body's file part into storage.
func (h *handlers) upload(c echo.Context, u attachment.Upload) error {
	if h.Attachments == nil {
		return chat.Errorf(chat.EForbidden, "this server does not take files")
	}
	if ok, wait := h.Limits.Uploads.Allow(u.UploaderID); !ok {
		return limited("upload", "you are sending files too fast: wait a moment", wait)
	}
	r := c.Request()
	limit := h.Attachments.MaxBytes() + multipartSlack
	if r.ContentLength > limit {
		return chat.Errorf(chat.ETooLarge, "file: is larger than the limit of %d bytes", h.Attachments.MaxBytes())
	}
	rc := http.NewResponseController(c.Response())
	_ = rc.SetReadDeadline(time.Now().Add(transferTime)) // where unsupported, the server's timeout stays
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return chat.Errorf(chat.EInvalid, "body: send the file as multipart/form-data, in a part named file")
	}
	part, err := mr.NextPart()
	if err != nil {
		return uploadError(err, h.Attachments.MaxBytes())
	}
	defer part.Close()
	if part.FormName() != "file" || part.FileName() == "" {
		return chat.Errorf(chat.EInvalid, "file: the body's first part must be the file, named file, with its file name")
	}
	u.Name, u.Body = part.FileName(), part
	a, err := h.Attachments.Save(r.Context(), u)
	if err != nil {
		return uploadError(err, h.Attachments.MaxBytes())
	}
	return c.JSON(http.StatusCreated, map[string]any{"attachment": wire.NewAttachment(a)})
}

// uploadError names a body cut short by the size limit, or a body that is not multipart.
func uploadError(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return chat.Errorf(chat.ETooLarge, "file: is larger than the limit of %d bytes", max)
	}
	var ce *chat.Error
	if errors.As(err, &ce) {
		return err
	}
	return &chat.Error{Code: chat.EInvalid, Message: "body: the multipart body could not be read", Err: err}
}

// download serves a file to whoever holds its URL (the message it was sent with carries it):
// always as a download, never as something a browser renders in Baton's origin.
func (h *handlers) download(c echo.Context) error {
	if h.Attachments == nil {
		return chat.ErrNotFound
	}
	a, f, err := h.Attachments.Open(c.Request().Context(), c.Param("id"), c.QueryParam("key"))
	if err != nil {
		return err
	}
	defer f.Close()
	hd := c.Response().Header()
	hd.Set("Content-Type", attachment.ServeType(a.ContentType))
	hd.Set("Content-Disposition", attachment.Disposition(a.Name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("ETag", `"`+a.SHA256+`"`)
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(transferTime))
	http.ServeContent(c.Response(), c.Request(), "", a.CreatedAt, f)
	return nil
}
