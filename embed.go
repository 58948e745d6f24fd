// Package baton holds Baton's embedded front-end assets.
package baton

import (
	"embed"
	"io/fs"
)

// dist is the committed build output of package.json's "build" script, so that a fresh clone
// builds with `go build` alone, without Node.
//
//go:embed all:widget/dist
var dist embed.FS

// Assets returns the built front-end files (widget, later console) rooted at widget/dist.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "widget/dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and this one is a constant.
		panic(err)
	}
	return sub
}
