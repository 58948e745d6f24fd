package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

func (h *handlers) bindSites(e *echo.Echo) {
	g := e.Group("/v1/sites", h.agentAuth)
	g.GET("", h.listSites)
	g.GET("/:key/settings", h.getSettings, requireAdmin)
	g.PUT("/:key/settings", h.putSettings, requireAdmin)
}

type siteView struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

func (h *handlers) listSites(c echo.Context) error {
	sites, err := h.Store.Sites(c.Request().Context())
	if err != nil {
		return err
	}
	a := agentOf(c)
	out := []siteView{}
	for _, s := range sites {
		if a.CanAccessSite(s.ID) {
			out = append(out, siteView{ID: s.ID, Key: s.Key, Name: s.Name})
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"sites": out})
}

func (h *handlers) getSettings(c echo.Context) error {
	l, err := h.Sites.ByKey(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	if strings.Contains(c.Request().Header.Get("Accept"), "yaml") {
		b, err := l.Settings.YAML()
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "application/yaml", b)
	}
	return c.JSON(http.StatusOK, l.Settings)
}

// putSettings replaces a site's settings document (JSON, or YAML with a yaml Content-Type).
// An invalid document changes nothing and the error lists every problem.
func (h *handlers) putSettings(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := h.Sites.ByKey(ctx, c.Param("key"))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return chat.Errorf(chat.ETooLarge, "body: too large")
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	var s *site.Settings
	if strings.Contains(mt, "yaml") {
		s, err = site.ParseYAML(body)
	} else {
		s, err = site.ParseJSON(body)
	}
	var ve *site.ValidationError
	if errors.As(err, &ve) {
		return &chat.Error{Code: chat.EInvalid, Message: ve.Error(), Err: err}
	}
	if err != nil {
		return err
	}
	if s.Key != l.Site.Key {
		return chat.Errorf(chat.EInvalid, "key: is %q but the URL names %q (a site's key cannot change)", s.Key, l.Site.Key)
	}
	saved, _, err := site.Apply(ctx, h.Store, s)
	if err != nil {
		return err
	}
	h.Sites.Forget(saved)
	return c.JSON(http.StatusOK, s)
}
