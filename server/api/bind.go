package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
)

// bind decodes a JSON body strictly: unknown fields and trailing data are errors that name
// the problem, so a typo in an integration fails loudly instead of being ignored.
func bind(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && mt != "text/plain" {
			return chat.Errorf(chat.EInvalid, "body: send JSON (Content-Type: application/json), not %s", mt)
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return chat.Errorf(chat.EInvalid, "body: a JSON object is required")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return chat.Errorf(chat.EInvalid, "%s: wrong type (want %s)", te.Field, te.Type)
		}
		var mbe interface{ Error() string }
		if errors.As(err, &mbe) && mbe.Error() == "http: request body too large" {
			return chat.Errorf(chat.ETooLarge, "body: too large")
		}
		return &chat.Error{Code: chat.EInvalid, Message: fmt.Sprintf("body: %v", err)}
	}
	if dec.More() {
		return chat.Errorf(chat.EInvalid, "body: one JSON object only")
	}
	return nil
}
